import type { FaceSeparation, FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FaceStoreContract } from './contract-context.js';

/** A listing in a stable order, for comparison (the contract leaves the order open). */
function sorted(separations: FaceSeparation[]): FaceSeparation[] {
  const key = (s: FaceSeparation) => `${s.faceId}:${s.otherFaceId ?? ''}:${s.userId ?? ''}`;
  return [...separations].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * "Not the same person" decisions (facekit's SeparateFaces), kept per collection, and taken back
 * (DeleteFaceSeparations).
 */
export function describeSeparationsContract(contract: FaceStoreContract): void {
  const { newCollection, expectError, seedFaces, uuid } = contract;
  describe('face separations', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('records face-face and face-user decisions once each, pairs in string order', async () => {
      const id = await newCollection(store);
      const [a, b, c] = (await seedFaces(store, id, 3, 41)).map((f) => f.faceId);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      expect(await store.listFaceSeparations(id)).toEqual([]);
      const [low, high] = [a, b].sort();
      await store.putFaceSeparations(id, [
        { faceId: high, otherFaceId: low },
        { faceId: c, userId: 'ana' },
      ]);
      // Again, and the same pair the other way round: nothing new.
      await store.putFaceSeparations(id, [
        { faceId: low, otherFaceId: high },
        { faceId: c, userId: 'ana' },
      ]);
      expect(sorted(await store.listFaceSeparations(id))).toEqual(
        sorted([
          { faceId: low, otherFaceId: high },
          { faceId: c, userId: 'ana' },
        ]),
      );
    });

    it('ignores decisions about faces or users that do not exist, and a face with itself', async () => {
      const id = await newCollection(store);
      const [a] = (await seedFaces(store, id, 1, 42)).map((f) => f.faceId);
      await store.putFaceSeparations(id, [
        { faceId: a, otherFaceId: uuid() },
        { faceId: uuid(), otherFaceId: a },
        { faceId: a, otherFaceId: a },
        { faceId: a, userId: 'nobody' },
      ]);
      expect(await store.listFaceSeparations(id)).toEqual([]);
    });

    it('keeps each collection to itself', async () => {
      const one = await newCollection(store);
      const two = await newCollection(store);
      const [a, b] = (await seedFaces(store, one, 2, 43)).map((f) => f.faceId);
      await store.putFaceSeparations(one, [{ faceId: a, otherFaceId: b }]);
      // The faces are not in `two`: nothing is recorded there.
      await store.putFaceSeparations(two, [{ faceId: a, otherFaceId: b }]);
      expect(await store.listFaceSeparations(one)).toHaveLength(1);
      expect(await store.listFaceSeparations(two)).toEqual([]);
    });

    it('forgets a decision with its face or its user, also a user created again', async () => {
      const id = await newCollection(store);
      const [a, b, c] = (await seedFaces(store, id, 3, 44)).map((f) => f.faceId);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.putFaceSeparations(id, [
        { faceId: a, otherFaceId: b },
        { faceId: b, otherFaceId: c },
        { faceId: c, userId: 'ana' },
      ]);
      expect((await store.deleteFaces(id, [a])).deleted).toEqual([a]);
      await store.deleteUser(id, 'ana');
      await store.createUser(id, { userId: 'ana', createdAt: 2 });
      const [low, high] = [b, c].sort();
      expect(await store.listFaceSeparations(id)).toEqual([{ faceId: low, otherFaceId: high }]);
    });

    it('takes decisions back: a pair in either order, a user, only what was recorded', async () => {
      const id = await newCollection(store);
      const [a, b, c] = (await seedFaces(store, id, 3, 45)).map((f) => f.faceId);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.putFaceSeparations(id, [
        { faceId: a, otherFaceId: b },
        { faceId: b, otherFaceId: c },
        { faceId: c, userId: 'ana' },
        { faceId: a, userId: 'ana' },
      ]);
      const [low, high] = [a, b].sort();
      const removed = await store.deleteFaceSeparations(id, [
        // The pair the other way round from how it is listed.
        { faceId: high, otherFaceId: low },
        { faceId: c, userId: 'ana' },
        // Never recorded, or naming nothing that exists: ignored.
        { faceId: a, otherFaceId: c },
        { faceId: b, userId: 'ana' },
        { faceId: uuid(), otherFaceId: a },
        { faceId: a, userId: 'nobody' },
      ]);
      expect(sorted(removed)).toEqual(
        sorted([
          { faceId: low, otherFaceId: high },
          { faceId: c, userId: 'ana' },
        ]),
      );
      const [bc1, bc2] = [b, c].sort();
      expect(sorted(await store.listFaceSeparations(id))).toEqual(
        sorted([
          { faceId: bc1, otherFaceId: bc2 },
          { faceId: a, userId: 'ana' },
        ]),
      );
      // Taken back twice: the second time there is nothing to remove.
      expect(await store.deleteFaceSeparations(id, [{ faceId: low, otherFaceId: high }])).toEqual(
        [],
      );
      // And recorded again after the undo, as a new decision.
      await store.putFaceSeparations(id, [{ faceId: a, otherFaceId: b }]);
      expect(await store.listFaceSeparations(id)).toContainEqual({
        faceId: low,
        otherFaceId: high,
      });
    });

    it('takes back only in its own collection', async () => {
      const one = await newCollection(store);
      const two = await newCollection(store);
      const [a, b] = (await seedFaces(store, one, 2, 46)).map((f) => f.faceId);
      await store.putFaceSeparations(one, [{ faceId: a, otherFaceId: b }]);
      expect(await store.deleteFaceSeparations(two, [{ faceId: a, otherFaceId: b }])).toEqual([]);
      expect(await store.listFaceSeparations(one)).toHaveLength(1);
    });

    it('refuses a missing collection', async () => {
      await expectError(
        store.listFaceSeparations('missing-collection'),
        'ResourceNotFoundException',
      );
      await expectError(
        store.putFaceSeparations('missing-collection', []),
        'ResourceNotFoundException',
      );
      await expectError(
        store.deleteFaceSeparations('missing-collection', []),
        'ResourceNotFoundException',
      );
    });
  });
}
