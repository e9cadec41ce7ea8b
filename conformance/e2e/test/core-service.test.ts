import { createServiceFrontend, describeApiScenarios } from '@facekit/conformance/api';
import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';

describeApiScenarios('core service, memory store', async () => {
  const store = createMemoryFaceStore();
  const service = new FaceService({ store, region: 'eu-west-1', accountId: '123456789012' });
  return {
    frontend: createServiceFrontend(service),
    store,
    region: 'eu-west-1',
    accountId: '123456789012',
    close: () => store.close(),
  };
});
