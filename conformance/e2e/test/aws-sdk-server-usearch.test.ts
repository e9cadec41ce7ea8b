import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeApiScenarios } from '@facekit/conformance/api';
import {
  createUsearchFaceStore,
  type UsearchFaceStoreOptions,
  usearchUnavailableReason,
} from '@facekit/vector-index-usearch';
import { describe } from 'vitest';
import { sdkServerHarness } from './harnesses.js';

const unavailable = usearchUnavailableReason();
if (unavailable) console.warn(`Skipping the usearch index scenarios: ${unavailable}`);

const setups: [string, Omit<UsearchFaceStoreOptions, 'dir'>][] = [
  ['exact scan', { index: 'exact' }],
  ['HNSW i8', { index: 'hnsw', quantization: 'i8' }],
  // A threshold the scenarios' collections cross, so they run on both sides of the switch.
  ['auto (threshold 3)', { index: 'auto', autoThreshold: 3 }],
];

describe.skipIf(unavailable !== undefined)('sqlite store on usearch', () => {
  for (const [label, setup] of setups) {
    describeApiScenarios(`AWS SDK → HTTP server, sqlite + usearch ${label}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'facekit-conformance-usearch-'));
      const store = await createUsearchFaceStore({ dir, ...setup });
      return sdkServerHarness(store, () => rmSync(dir, { recursive: true, force: true }));
    });
  }
});
