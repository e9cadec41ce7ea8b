import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSdkFrontend, describeApiScenarios } from '@facekit/conformance/api';
import { FaceService, type FaceStore } from '@facekit/core';
import { serve } from '@facekit/server-hono/node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';

// The same scenarios, through the real @aws-sdk/client-rekognition and a server on a random
// loopback port: proves the wire protocol, not just the service.
async function harnessOver(store: FaceStore, cleanup: () => void = () => {}) {
  const service = new FaceService({ store, region: 'us-west-2', accountId: '210987654321' });
  const server = await serve({ service, port: 0, hostname: '127.0.0.1' });
  const frontend = createSdkFrontend({ endpoint: server.url, region: 'us-west-2' });
  return {
    frontend,
    store,
    region: 'us-west-2',
    accountId: '210987654321',
    async close() {
      frontend.client.destroy();
      await server.close();
      await store.close();
      cleanup();
    },
  };
}

describeApiScenarios('AWS SDK → HTTP server, memory store', () =>
  harnessOver(createMemoryFaceStore()),
);

describeApiScenarios('AWS SDK → HTTP server, SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-conformance-'));
  const store = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
  return harnessOver(store, () => rmSync(dir, { recursive: true, force: true }));
});
