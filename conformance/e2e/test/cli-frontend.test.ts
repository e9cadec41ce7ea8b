import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeApiScenarios } from '@facekit/conformance/api';
import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { createCliFrontend } from './cli-frontend.js';
import { sdkFrontendAuth } from './harnesses.js';

// The CLI in-process on a data directory: the test seeds faces through a second connection to
// the same SQLite file the CLI opens on every call.
describeApiScenarios('facekit CLI, local SQLite data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-conformance-'));
  const store = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
  const frontend = createCliFrontend({
    name: 'facekit CLI (local)',
    tokensOutliveRuns: false,
    env: {
      FACEKIT_DATA_DIR: dir,
      FACEKIT_REGION: 'eu-west-1',
      FACEKIT_ACCOUNT_ID: '123456789012',
      FACEKIT_FACE_MODEL: 'none',
    },
  });
  return {
    frontend,
    store,
    region: 'eu-west-1',
    accountId: '123456789012',
    async close() {
      frontend.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The CLI with --endpoint (FACEKIT_ENDPOINT): the AWS SDK against the HTTP server.
describeApiScenarios('facekit CLI --endpoint → HTTP server, memory store', async () => {
  const { serve } = await import('@facekit/server-hono/node');
  const store = createMemoryFaceStore();
  const service = new FaceService({ store, region: 'us-west-2', accountId: '210987654321' });
  const server = await serve({
    service,
    port: 0,
    hostname: '127.0.0.1',
    auth: sdkFrontendAuth('210987654321'),
  });
  const frontend = createCliFrontend({
    name: 'facekit CLI (--endpoint)',
    tokensOutliveRuns: true,
    env: {
      FACEKIT_ENDPOINT: server.url,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKIDFACEKITTEST',
      AWS_SECRET_ACCESS_KEY: 'facekit-test-secret',
    },
  });
  return {
    frontend,
    store,
    region: 'us-west-2',
    accountId: '210987654321',
    async close() {
      frontend.close();
      await server.close();
      await store.close();
    },
  };
});
