import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFaceStoreContract } from '@facekit/conformance/storage';
import type { FaceStore } from '@facekit/core';
import { afterEach, describe } from 'vitest';
import { createFaissFaceStore, type FaissIndexKind, faissUnavailableReason } from '../src/index.js';

const unavailable = faissUnavailableReason();
if (unavailable) console.warn(`Skipping the faiss store tests: ${unavailable}`);

const dirs: string[] = [];
const dirOf = new WeakMap<FaceStore, string>();

// Registered before the suite's own afterEach (which closes the store), so it runs after it.
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(dir: string, index: FaissIndexKind): Promise<FaceStore> {
  const store = await createFaissFaceStore({ dir, index });
  dirOf.set(store, dir);
  return store;
}

describe.skipIf(unavailable !== undefined)('faiss-node available', () => {
  for (const index of ['flat', 'hnsw'] as const) {
    describeFaceStoreContract(
      `faiss ${index}`,
      async () => {
        const dir = join(tmpdir(), `facekit-faiss-${randomUUID()}`);
        dirs.push(dir);
        return open(dir, index);
      },
      {
        search: index === 'flat' ? 'exact' : 'approximate',
        reopen: async (store) => {
          await store.close();
          return open(dirOf.get(store) as string, index);
        },
      },
    );
  }
});
