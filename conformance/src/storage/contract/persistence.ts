import type { FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FaceStoreContract } from './contract-context.js';

/** What a persistent store keeps across close and reopen (needs `reopen`). */
export function describePersistenceContract(contract: FaceStoreContract): void {
  const { newCollection, seedFaces, options } = contract;
  describe.skipIf(!options.reopen)('persistence', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('keeps collections, faces, vectors, users, tags and separations across close and reopen', async () => {
      const id = await newCollection(store, 'kept', 1_700_000_000_500);
      await store.tagCollection(id, { env: 'prod' }, 50);
      const faces = await seedFaces(store, id, 3, 24);
      await store.createUser(id, { userId: 'ana', createdAt: 2 });
      await store.associateFaces(id, 'ana', [faces[0].faceId], 100);
      await store.putFaceSeparations(id, [{ faceId: faces[1].faceId, userId: 'ana' }]);
      await store.deleteFaces(id, [faces[2].faceId]);
      const page = await store.listFaces(id, { limit: 1 });

      store = await (options.reopen as NonNullable<typeof options.reopen>)(store);
      contract.store = store; // closed by the suite's afterEach
      expect(await store.describeCollection(id)).toEqual({
        collectionId: 'kept',
        faceModelVersion: '7.0',
        createdAt: 1_700_000_000_500,
        faceCount: 2,
        userCount: 1,
      });
      expect(await store.getTags(id)).toEqual({ env: 'prod' });
      const stored = await store.getFaces(
        id,
        faces.map((f) => f.faceId),
      );
      expect(stored.map((f) => f.faceId)).toEqual([faces[0].faceId, faces[1].faceId]);
      expect(Array.from(stored[1].vector)).toEqual(Array.from(faces[1].vector));
      expect(stored[0].userId).toBe('ana');
      expect(await store.getUser(id, 'ana')).toEqual({
        userId: 'ana',
        createdAt: 2,
        faceCount: 1,
      });
      expect(await store.listFaceSeparations(id)).toEqual([
        { faceId: faces[1].faceId, userId: 'ana' },
      ]);
      // A cursor handed out before the restart still continues the listing.
      const rest = await store.listFaces(id, { limit: 10, after: page.next });
      expect(rest.items.map((f) => f.faceId)).toEqual([faces[1].faceId]);
      const [best] = await store.searchFaces(id, faces[1].vector, { limit: 1 });
      expect(best.face.faceId).toBe(faces[1].faceId);
    });
  });
}
