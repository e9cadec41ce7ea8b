import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFaceStoreContract } from '@facekit/conformance/storage';
import type { FaceStore } from '@facekit/core';
import { afterEach, describe } from 'vitest';
import {
  createUsearchFaceStore,
  type UsearchFaceStoreOptions,
  usearchUnavailableReason,
} from '../src/index.js';

const unavailable = usearchUnavailableReason();
if (unavailable) console.warn(`Skipping the usearch store tests: ${unavailable}`);

const dirs: string[] = [];
const dirOf = new WeakMap<FaceStore, string>();

// Registered before the suite's own afterEach (which closes the store), so it runs after it.
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Setup = Omit<UsearchFaceStoreOptions, 'dir'>;

async function open(dir: string, setup: Setup): Promise<FaceStore> {
  const store = await createUsearchFaceStore({ dir, ...setup });
  dirOf.set(store, dir);
  return store;
}

const setups: [string, Setup, 'exact' | 'approximate'][] = [
  ['exact scan', { index: 'exact' }, 'exact'],
  ['hnsw i8', { index: 'hnsw', quantization: 'i8' }, 'approximate'],
  ['hnsw f16', { index: 'hnsw', quantization: 'f16' }, 'approximate'],
  ['hnsw f32', { index: 'hnsw', quantization: 'f32' }, 'approximate'],
  // A threshold the suite's collections cross, so both sides and the switch are exercised.
  ['auto (threshold 40)', { index: 'auto', autoThreshold: 40 }, 'approximate'],
];

describe.skipIf(unavailable !== undefined)('usearch available', () => {
  for (const [label, setup, search] of setups) {
    describeFaceStoreContract(
      `usearch ${label}`,
      async () => {
        const dir = join(tmpdir(), `facekit-usearch-${randomUUID()}`);
        dirs.push(dir);
        return open(dir, setup);
      },
      {
        search,
        reopen: async (store) => {
          await store.close();
          return open(dirOf.get(store) as string, setup);
        },
      },
    );
  }
});
