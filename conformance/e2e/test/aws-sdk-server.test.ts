import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeApiScenarios } from '@facekit/conformance/api';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { sdkServerHarness } from './harnesses.js';

describeApiScenarios('AWS SDK → HTTP server, memory store', () =>
  sdkServerHarness(createMemoryFaceStore()),
);

describeApiScenarios('AWS SDK → HTTP server, SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-conformance-'));
  const store = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
  return sdkServerHarness(store, () => rmSync(dir, { recursive: true, force: true }));
});
