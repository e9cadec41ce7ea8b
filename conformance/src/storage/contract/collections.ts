import type { FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { randomUnitVectors } from '../seeded-vectors.js';
import type { FaceStoreContract } from './contract-context.js';

/** Creating, describing, listing and deleting collections. */
export function describeCollectionsContract(contract: FaceStoreContract): void {
  const { dimensions, makeFace, newCollection, expectError, seedFaces } = contract;
  describe('collections', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('creates, describes and deletes', async () => {
      const id = await newCollection(store, 'photos', 1_700_000_123_456);
      expect(await store.describeCollection(id)).toEqual({
        collectionId: 'photos',
        faceModelVersion: '7.0',
        createdAt: 1_700_000_123_456,
        faceCount: 0,
        userCount: 0,
      });
      await store.deleteCollection(id);
      await expectError(store.describeCollection(id), 'ResourceNotFoundException');
    });

    it('refuses a duplicate id and treats ids as case-sensitive', async () => {
      await newCollection(store, 'Photos');
      await expectError(newCollection(store, 'Photos'), 'ResourceAlreadyExistsException');
      await newCollection(store, 'photos');
      const page = await store.listCollections({ limit: 10 });
      expect(page.items.map((c) => c.collectionId)).toEqual(['Photos', 'photos']);
    });

    it('fails with ResourceNotFoundException on a missing collection everywhere', async () => {
      const missing = 'does-not-exist';
      const face = makeFace(randomUnitVectors(1, dimensions, 1)[0]);
      await expectError(store.deleteCollection(missing), 'ResourceNotFoundException');
      await expectError(store.describeCollection(missing), 'ResourceNotFoundException');
      await expectError(store.getTags(missing), 'ResourceNotFoundException');
      await expectError(store.tagCollection(missing, { a: 'b' }, 50), 'ResourceNotFoundException');
      await expectError(store.untagCollection(missing, ['a']), 'ResourceNotFoundException');
      await expectError(store.putFaces(missing, [face]), 'ResourceNotFoundException');
      await expectError(store.getFaces(missing, [face.faceId]), 'ResourceNotFoundException');
      await expectError(store.listFaces(missing, { limit: 1 }), 'ResourceNotFoundException');
      await expectError(store.deleteFaces(missing, [face.faceId]), 'ResourceNotFoundException');
      await expectError(
        store.searchFaces(missing, face.vector, { limit: 1 }),
        'ResourceNotFoundException',
      );
      await expectError(
        store.createUser(missing, { userId: 'u', createdAt: 1 }),
        'ResourceNotFoundException',
      );
      await expectError(store.deleteUser(missing, 'u'), 'ResourceNotFoundException');
      await expectError(store.getUser(missing, 'u'), 'ResourceNotFoundException');
      await expectError(store.listUsers(missing, { limit: 1 }), 'ResourceNotFoundException');
      await expectError(
        store.associateFaces(missing, 'u', [face.faceId], 100),
        'ResourceNotFoundException',
      );
      await expectError(
        store.disassociateFaces(missing, 'u', [face.faceId]),
        'ResourceNotFoundException',
      );
      await expectError(store.getUserVector(missing, 'u'), 'ResourceNotFoundException');
      await expectError(
        store.searchUsers(missing, face.vector, { limit: 1 }),
        'ResourceNotFoundException',
      );
    });

    it('lists in creation order, page by page, with no duplicates or gaps', async () => {
      const ids = ['zeta', 'alpha', 'mid', 'Beta', 'omega'];
      for (const id of ids) await newCollection(store, id);
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.listCollections({ limit: 2, after });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((c) => c.collectionId));
        after = page.next;
        if (after !== undefined) expect(after.length).toBeLessThanOrEqual(64);
        pages++;
      } while (after !== undefined && pages < 10);
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
    });

    it('keeps paging stable when earlier items are deleted', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await newCollection(store, id);
      const first = await store.listCollections({ limit: 2 });
      await store.deleteCollection('a');
      await store.deleteCollection('b');
      const second = await store.listCollections({ limit: 2, after: first.next });
      expect(second.items.map((c) => c.collectionId)).toEqual(['c', 'd']);
      expect(second.next).toBeUndefined();
    });

    it('rejects a cursor it did not produce', async () => {
      await newCollection(store);
      await expectError(
        store.listCollections({ limit: 1, after: 'not-a-cursor' }),
        'InvalidPaginationTokenException',
      );
    });

    it('deletes everything in a collection, and a recreated id starts empty', async () => {
      const id = await newCollection(store, 'reused');
      const [face] = await seedFaces(store, id, 3, 2);
      await store.createUser(id, { userId: 'u1', createdAt: 1 });
      await store.associateFaces(id, 'u1', [face.faceId], 100);
      await store.tagCollection(id, { team: 'x' }, 50);
      await store.deleteCollection(id);
      await newCollection(store, 'reused');
      expect(await store.describeCollection(id)).toMatchObject({ faceCount: 0, userCount: 0 });
      expect(await store.getTags(id)).toEqual({});
      expect(await store.getFaces(id, [face.faceId])).toEqual([]);
      expect(await store.getUser(id, 'u1')).toBeUndefined();
    });
  });
}
