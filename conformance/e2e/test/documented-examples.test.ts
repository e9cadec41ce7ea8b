import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSdkFrontend,
  createServiceFrontend,
  describeDocumentedExamples,
} from '@facekit/conformance/api';
import { FaceService, type FaceStore } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, it } from 'vitest';

// The AWS documentation's examples live next to the repository, in ../shared/spec.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const specDir = process.env.FACEKIT_SPEC_DIR ?? resolve(repoRoot, '../shared/spec');

async function coreHarness() {
  const store = createMemoryFaceStore();
  const service = new FaceService({ store, region: 'eu-west-1', accountId: '123456789012' });
  return {
    frontend: createServiceFrontend(service),
    store,
    region: 'eu-west-1',
    accountId: '123456789012',
    close: () => store.close(),
  };
}

async function sdkHarness(store: FaceStore) {
  // Imported here so that a server package that does not load fails only this frontend.
  const { serve } = await import('@facekit/server-hono/node');
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
    },
  };
}

if (existsSync(specDir)) {
  describeDocumentedExamples('core service, memory store', coreHarness, specDir);
  describeDocumentedExamples(
    'AWS SDK → HTTP server, memory store',
    () => sdkHarness(createMemoryFaceStore()),
    specDir,
  );
} else {
  describe.skip('documented examples (skipped: ../shared/spec not found; set FACEKIT_SPEC_DIR)', () => {
    it(`looked in ${specDir}`, () => {});
  });
}
