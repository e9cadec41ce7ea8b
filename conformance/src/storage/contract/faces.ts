import type { FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { randomUnitVectors } from '../seeded-vectors.js';
import type { FaceStoreContract } from './contract-context.js';

/** Putting, reading, listing and deleting faces. */
export function describeFacesContract(contract: FaceStoreContract): void {
  const { dimensions, makeFace, newCollection, expectError, seedFaces, uuid } = contract;
  describe('faces', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('round-trips metadata and vectors exactly', async () => {
      const id = await newCollection(store);
      const [vector] = randomUnitVectors(1, dimensions, 3);
      const face = makeFace(vector, {
        externalImageId: 'beach:2024_07.jpg',
        boundingBox: { width: 0.1234567, height: 0.2, left: -0.05, top: 1.01 },
        confidence: 99.99873352050781,
      });
      const bare = makeFace(randomUnitVectors(1, dimensions, 4)[0]);
      await store.putFaces(id, [face, bare]);
      const [stored, storedBare] = await store.getFaces(id, [face.faceId, bare.faceId]);
      expect(stored.vector).toBeInstanceOf(Float32Array);
      expect(Array.from(stored.vector)).toEqual(Array.from(vector));
      const { vector: _v, ...meta } = stored;
      const { vector: _w, ...expected } = face;
      expect(meta).toEqual(expected);
      expect(storedBare.externalImageId).toBeUndefined();
      expect(storedBare.userId).toBeUndefined();
      expect((await store.describeCollection(id)).faceCount).toBe(2);
    });

    it('returns asked-for faces in the order asked, leaving out missing ones', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 3, 5);
      const got = await store.getFaces(id, [faces[2].faceId, uuid(), faces[0].faceId]);
      expect(got.map((f) => f.faceId)).toEqual([faces[2].faceId, faces[0].faceId]);
    });

    it('writes nothing when one face of a batch is a duplicate', async () => {
      const id = await newCollection(store);
      const [existing] = await seedFaces(store, id, 1, 6);
      const fresh = makeFace(randomUnitVectors(1, dimensions, 7)[0]);
      const duplicate = { ...makeFace(existing.vector), faceId: existing.faceId };
      await expectError(store.putFaces(id, [fresh, duplicate]), 'ConflictException');
      const twice = makeFace(randomUnitVectors(1, dimensions, 8)[0]);
      await expectError(store.putFaces(id, [twice, { ...twice }]), 'ConflictException');
      expect(await store.getFaces(id, [twice.faceId])).toEqual([]);
      expect(await store.getFaces(id, [fresh.faceId])).toEqual([]);
      expect((await store.describeCollection(id)).faceCount).toBe(1);
    });

    it('lists faces in indexing order with pagination and filters', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 7, 8);
      const listed: string[] = [];
      let after: string | undefined;
      do {
        const page = await store.listFaces(id, { limit: 3, after });
        expect(page.items.every((f) => !('vector' in f))).toBe(true);
        listed.push(...page.items.map((f) => f.faceId));
        after = page.next;
      } while (after !== undefined);
      expect(listed).toEqual(faces.map((f) => f.faceId));

      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.associateFaces(id, 'ana', [faces[5].faceId, faces[1].faceId], 100);
      const byUser = await store.listFaces(id, { limit: 10 }, { userId: 'ana' });
      expect(byUser.items.map((f) => f.faceId)).toEqual([faces[1].faceId, faces[5].faceId]);
      expect(byUser.items.every((f) => f.userId === 'ana')).toBe(true);

      const byIds = await store.listFaces(
        id,
        { limit: 10 },
        { faceIds: [faces[6].faceId, faces[0].faceId, uuid()] },
      );
      expect(byIds.items.map((f) => f.faceId)).toEqual([faces[0].faceId, faces[6].faceId]);

      const both = await store.listFaces(
        id,
        { limit: 10 },
        { userId: 'ana', faceIds: [faces[0].faceId, faces[5].faceId] },
      );
      expect(both.items.map((f) => f.faceId)).toEqual([faces[5].faceId]);
    });

    it('finds the faces indexed from one image', async () => {
      const id = await newCollection(store);
      const other = await newCollection(store);
      const imageId = uuid();
      const [a, b, c] = randomUnitVectors(3, dimensions, 30).map((v) => makeFace(v, { imageId }));
      await store.putFaces(id, [a, b]);
      await seedFaces(store, id, 2, 31);
      await store.putFaces(other, [c]);
      const found = await store.findFacesByImage(id, imageId);
      expect(found.map((f) => f.faceId)).toEqual([a.faceId, b.faceId]);
      expect(found[0]).not.toHaveProperty('vector');
      expect(await store.findFacesByImage(id, uuid())).toEqual([]);
      await expectError(store.findFacesByImage('missing', imageId), 'ResourceNotFoundException');
    });

    it('deletes unowned faces and reports the others with reasons', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 3, 9);
      await store.createUser(id, { userId: 'bo', createdAt: 1 });
      await store.associateFaces(id, 'bo', [faces[1].faceId], 100);
      const missing = uuid();
      const result = await store.deleteFaces(id, [faces[0].faceId, faces[1].faceId, missing]);
      expect(result.deleted).toEqual([faces[0].faceId]);
      expect(result.unsuccessful).toEqual(
        expect.arrayContaining([
          { faceId: faces[1].faceId, userId: 'bo', reason: 'ASSOCIATED_TO_AN_EXISTING_USER' },
          { faceId: missing, reason: 'FACE_NOT_FOUND' },
        ]),
      );
      expect(result.unsuccessful).toHaveLength(2);
      expect((await store.describeCollection(id)).faceCount).toBe(2);
      expect(await store.getFaces(id, [faces[0].faceId])).toEqual([]);
    });

    it('keeps collections apart', async () => {
      const a = await newCollection(store);
      const b = await newCollection(store);
      const [face] = await seedFaces(store, a, 1, 10);
      expect(await store.getFaces(b, [face.faceId])).toEqual([]);
      expect((await store.listFaces(b, { limit: 10 })).items).toEqual([]);
      expect(await store.searchFaces(b, face.vector, { limit: 10 })).toEqual([]);
      expect((await store.deleteFaces(b, [face.faceId])).deleted).toEqual([]);
    });
  });
}
