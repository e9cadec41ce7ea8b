import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeApiScenarios } from '@facekit/conformance/api';
import { createFaissFaceStore, faissUnavailableReason } from '@facekit/storage-faiss';
import { describe } from 'vitest';
import { sdkServerHarness } from './harnesses.js';

const unavailable = faissUnavailableReason();
if (unavailable) console.warn(`Skipping the faiss store scenarios: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('faiss store', () => {
  for (const index of ['flat', 'hnsw'] as const) {
    describeApiScenarios(`AWS SDK → HTTP server, faiss ${index} store`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'facekit-conformance-faiss-'));
      const store = await createFaissFaceStore({ dir, index });
      return sdkServerHarness(store, () => rmSync(dir, { recursive: true, force: true }));
    });
  }
});
