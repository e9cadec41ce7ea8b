import type { FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FaceStoreContract } from './contract-context.js';

/** Tags on collections. */
export function describeTagsContract(contract: FaceStoreContract): void {
  const { newCollection, expectError } = contract;
  describe('tags', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('stores tags given at creation, merges and overwrites, removes', async () => {
      await store.createCollection(
        { collectionId: 't', faceModelVersion: '7.0', createdAt: 1 },
        { env: 'prod', owner: 'ana' },
      );
      expect(await store.getTags('t')).toEqual({ env: 'prod', owner: 'ana' });
      await store.tagCollection('t', { env: 'dev', 'cost center': 'R&D 1' }, 50);
      expect(await store.getTags('t')).toEqual({
        env: 'dev',
        owner: 'ana',
        'cost center': 'R&D 1',
      });
      await store.untagCollection('t', ['owner', 'absent']);
      expect(await store.getTags('t')).toEqual({ env: 'dev', 'cost center': 'R&D 1' });
    });

    it('refuses to exceed the tag limit and changes nothing', async () => {
      const id = await newCollection(store);
      await store.tagCollection(id, { a: '1', b: '2' }, 3);
      await expectError(
        store.tagCollection(id, { c: '3', d: '4' }, 3),
        'ServiceQuotaExceededException',
      );
      expect(await store.getTags(id)).toEqual({ a: '1', b: '2' });
      await store.tagCollection(id, { a: 'overwrite', c: '3' }, 3);
      expect(await store.getTags(id)).toEqual({ a: 'overwrite', b: '2', c: '3' });
    });
  });
}
