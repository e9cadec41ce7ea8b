import type { FaceStore } from '@facekit/core';
import { centroid, dot } from '@facekit/core/vector';
import { beforeEach, describe, expect, it } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from '../seeded-vectors.js';
import type { FaceStoreContract } from './contract-context.js';

/** Users, and associating faces with them. */
export function describeUsersContract(contract: FaceStoreContract): void {
  const { dimensions, makeFace, newCollection, expectError, seedFaces, uuid } = contract;
  describe('users', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('creates, lists in creation order with pagination, refuses duplicates', async () => {
      const id = await newCollection(store);
      for (const userId of ['zoe', 'adam', 'mia']) {
        expect(await store.createUser(id, { userId, createdAt: 5 })).toEqual({
          userId,
          createdAt: 5,
          faceCount: 0,
        });
      }
      await expectError(
        store.createUser(id, { userId: 'adam', createdAt: 6 }),
        'ConflictException',
      );
      const first = await store.listUsers(id, { limit: 2 });
      expect(first.items.map((u) => u.userId)).toEqual(['zoe', 'adam']);
      const second = await store.listUsers(id, { limit: 2, after: first.next });
      expect(second.items.map((u) => u.userId)).toEqual(['mia']);
      expect(second.next).toBeUndefined();
      expect((await store.describeCollection(id)).userCount).toBe(3);
    });

    it('associates faces with per-face outcomes', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 4, 17);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.createUser(id, { userId: 'bo', createdAt: 1 });
      await store.associateFaces(id, 'bo', [faces[3].faceId], 100);

      const missing = uuid();
      const result = await store.associateFaces(
        id,
        'ana',
        [faces[0].faceId, faces[1].faceId, faces[3].faceId, missing],
        100,
      );
      expect(result.changed).toEqual([faces[0].faceId, faces[1].faceId]);
      expect(result.unsuccessful).toEqual(
        expect.arrayContaining([
          { faceId: faces[3].faceId, userId: 'bo', reason: 'ASSOCIATED_TO_A_DIFFERENT_USER' },
          { faceId: missing, reason: 'FACE_NOT_FOUND' },
        ]),
      );
      expect(result.unsuccessful).toHaveLength(2);
      expect(result.user).toEqual({ userId: 'ana', createdAt: 1, faceCount: 2 });

      const again = await store.associateFaces(id, 'ana', [faces[0].faceId], 100);
      expect(again.changed).toEqual([]);
      expect(again.unsuccessful).toEqual([]);
      const [face0] = await store.getFaces(id, [faces[0].faceId]);
      expect(face0.userId).toBe('ana');
      await expectError(
        store.associateFaces(id, 'nobody', [faces[2].faceId], 100),
        'ResourceNotFoundException',
      );
    });

    it('refuses to go over the faces-per-user quota and changes nothing', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 5, 18);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.associateFaces(id, 'ana', [faces[0].faceId, faces[1].faceId], 3);
      await expectError(
        store.associateFaces(
          id,
          'ana',
          faces.slice(2).map((f) => f.faceId),
          3,
        ),
        'ServiceQuotaExceededException',
      );
      expect((await store.getUser(id, 'ana'))?.faceCount).toBe(2);
      expect((await store.listFaces(id, { limit: 10 }, { userId: 'ana' })).items).toHaveLength(2);
      // Faces already owned do not count twice.
      const ok = await store.associateFaces(id, 'ana', [faces[0].faceId, faces[2].faceId], 3);
      expect(ok.changed).toEqual([faces[2].faceId]);
    });

    it('disassociates with per-face outcomes', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 4, 19);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.createUser(id, { userId: 'bo', createdAt: 1 });
      await store.associateFaces(id, 'ana', [faces[0].faceId, faces[1].faceId], 100);
      await store.associateFaces(id, 'bo', [faces[2].faceId], 100);
      const missing = uuid();
      const result = await store.disassociateFaces(id, 'ana', [
        faces[0].faceId,
        faces[2].faceId,
        faces[3].faceId,
        missing,
      ]);
      expect(result.changed).toEqual([faces[0].faceId]);
      expect(result.unsuccessful).toEqual(
        expect.arrayContaining([
          { faceId: faces[2].faceId, userId: 'bo', reason: 'ASSOCIATED_TO_A_DIFFERENT_USER' },
          { faceId: missing, reason: 'FACE_NOT_FOUND' },
        ]),
      );
      expect(result.unsuccessful).toHaveLength(2);
      expect(result.user.faceCount).toBe(1);
      const [face0] = await store.getFaces(id, [faces[0].faceId]);
      expect(face0.userId).toBeUndefined();
      await expectError(
        store.disassociateFaces(id, 'nobody', [faces[1].faceId]),
        'ResourceNotFoundException',
      );
    });

    it('deleting a user frees its faces', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 2, 20);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.associateFaces(
        id,
        'ana',
        faces.map((f) => f.faceId),
        100,
      );
      await store.deleteUser(id, 'ana');
      expect(await store.getUser(id, 'ana')).toBeUndefined();
      await expectError(store.deleteUser(id, 'ana'), 'ResourceNotFoundException');
      const stored = await store.getFaces(
        id,
        faces.map((f) => f.faceId),
      );
      expect(stored.map((f) => f.userId)).toEqual([undefined, undefined]);
      expect((await store.deleteFaces(id, [faces[0].faceId])).deleted).toEqual([faces[0].faceId]);
      expect((await store.describeCollection(id)).userCount).toBe(0);
    });

    it('computes a user vector as the normalised mean of its faces and searches users by it', async () => {
      const id = await newCollection(store);
      const [ana, bo] = randomUnitVectors(2, dimensions, 21);
      const anaFaces = [0.9, 0.8].map((s, i) => makeFace(nearbyUnitVector(ana, s, 200 + i)));
      const boFaces = [0.9].map((s, i) => makeFace(nearbyUnitVector(bo, s, 300 + i)));
      await store.putFaces(id, [...anaFaces, ...boFaces]);
      for (const userId of ['ana', 'bo', 'empty'])
        await store.createUser(id, { userId, createdAt: 1 });
      await store.associateFaces(
        id,
        'ana',
        anaFaces.map((f) => f.faceId),
        100,
      );
      await store.associateFaces(
        id,
        'bo',
        boFaces.map((f) => f.faceId),
        100,
      );

      const expectedAna = centroid(anaFaces.map((f) => f.vector)) as Float32Array;
      const anaVector = await store.getUserVector(id, 'ana');
      expect(anaVector).toBeInstanceOf(Float32Array);
      Array.from(anaVector as Float32Array).forEach((x, i) => {
        expect(x).toBeCloseTo(expectedAna[i], 5);
      });
      expect(await store.getUserVector(id, 'empty')).toBeUndefined();
      expect(await store.getUserVector(id, 'missing')).toBeUndefined();

      const matches = await store.searchUsers(id, ana, { limit: 10 });
      expect(matches.map((m) => m.user.userId)).toEqual(['ana', 'bo']);
      expect(matches[0].score).toBeCloseTo(dot(ana, expectedAna), 5);
      expect(matches[0].user).toEqual({ userId: 'ana', createdAt: 1, faceCount: 2 });
      const strict = await store.searchUsers(id, ana, { limit: 10, minScore: 0.5 });
      expect(strict.map((m) => m.user.userId)).toEqual(['ana']);
      const others = await store.searchUsers(id, ana, { limit: 10, excludeUserIds: ['ana'] });
      expect(others.map((m) => m.user.userId)).toEqual(['bo']);
    });
  });
}
