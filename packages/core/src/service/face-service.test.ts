import { describe, expect, it } from 'vitest';
import { operationNames } from '../model/wire-types.generated.js';
import type { FaceStore } from '../storage/face-store.js';
import { FaceService } from './face-service.js';
import { methodName } from './operations/operation.js';

/** A store that answers ListCollections and nothing else: enough to see dispatch happen. */
const listingStore = {
  listCollections: async () => ({
    items: [{ collectionId: 'a', faceModelVersion: '7.0', createdAt: 0 }],
  }),
} as unknown as FaceStore;

describe('FaceService dispatch', () => {
  it('has one typed method per operation of the API model', () => {
    const service = new FaceService({ store: listingStore });
    for (const operation of operationNames) {
      expect(typeof (service as unknown as Record<string, unknown>)[methodName(operation)]).toBe(
        'function',
      );
    }
  });

  it('runs an operation through execute and through its method alike', async () => {
    const service = new FaceService({ store: listingStore });
    const expected = { CollectionIds: ['a'], FaceModelVersions: ['7.0'] };
    expect(await service.execute('ListCollections', {})).toEqual(expected);
    expect(await service.listCollections()).toEqual(expected);
  });

  it('refuses names that are not operations, including method names', async () => {
    const service = new FaceService({ store: listingStore });
    for (const name of ['listCollections', 'toString', 'constructor', 'Nope']) {
      await expect(service.execute(name as 'ListCollections', {})).rejects.toMatchObject({
        name: 'UnknownOperationException',
      });
    }
  });
});
