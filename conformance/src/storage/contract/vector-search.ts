import type { FaceStore } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import { beforeEach, describe, expect, it } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from '../seeded-vectors.js';
import type { FaceStoreContract } from './contract-context.js';

/** Nearest-face search: order, scores, limits and exclusions. */
export function describeVectorSearchContract(contract: FaceStoreContract): void {
  const { dimensions, makeFace, newCollection, seedFaces, options } = contract;
  describe('vector search', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it.skipIf(options.search === 'approximate')(
      'returns the exact top-k by cosine, best first, with exact scores',
      async () => {
        const id = await newCollection(store);
        const faces = await seedFaces(store, id, 300, 11);
        const [query] = randomUnitVectors(1, dimensions, 12);
        const expected = faces
          .map((f) => ({ faceId: f.faceId, score: dot(query, f.vector) }))
          .sort((x, y) => y.score - x.score)
          .slice(0, 10);
        const got = await store.searchFaces(id, query, { limit: 10 });
        expect(got.map((m) => m.face.faceId)).toEqual(expected.map((e) => e.faceId));
        got.forEach((m, i) => {
          expect(m.score).toBeCloseTo(expected[i].score, 5);
        });
        expect(got[0].face).not.toHaveProperty('vector');
      },
    );

    it('finds the same person above unrelated faces, honouring minScore, exclusions and limit', async () => {
      const id = await newCollection(store);
      await seedFaces(store, id, 50, 13);
      const [person] = randomUnitVectors(1, dimensions, 14);
      const sameFaces = [0.95, 0.9, 0.85].map((s, i) =>
        makeFace(nearbyUnitVector(person, s, 100 + i)),
      );
      await store.putFaces(id, sameFaces);
      const all = await store.searchFaces(id, person, { limit: 3 });
      expect(all.map((m) => m.face.faceId)).toEqual(sameFaces.map((f) => f.faceId));
      expect(all[0].score).toBeCloseTo(0.95, 4);

      const above = await store.searchFaces(id, person, { limit: 100, minScore: 0.88 });
      expect(above.map((m) => m.face.faceId)).toEqual([sameFaces[0].faceId, sameFaces[1].faceId]);

      const excluded = await store.searchFaces(id, person, {
        limit: 2,
        excludeFaceIds: [sameFaces[0].faceId],
      });
      expect(excluded.map((m) => m.face.faceId)).toEqual([
        sameFaces[1].faceId,
        sameFaces[2].faceId,
      ]);
    });

    it('never returns a deleted face', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 20, 15);
      await store.deleteFaces(id, [faces[3].faceId]);
      const got = await store.searchFaces(id, faces[3].vector, { limit: 100 });
      expect(got).toHaveLength(19);
      expect(got.map((m) => m.face.faceId)).not.toContain(faces[3].faceId);
    });

    it('returns nothing from an empty collection', async () => {
      const id = await newCollection(store);
      const [query] = randomUnitVectors(1, dimensions, 16);
      expect(await store.searchFaces(id, query, { limit: 5 })).toEqual([]);
    });
  });
}
