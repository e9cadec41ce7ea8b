import type { FaceStore } from '@facekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { randomUnitVectors } from '../seeded-vectors.js';
import type { FaceStoreContract } from './contract-context.js';

/** Parallel writers: no lost face, no double owner, quotas held. */
export function describeConcurrencyContract(contract: FaceStoreContract): void {
  const { dimensions, makeFace, newCollection, seedFaces } = contract;
  describe('concurrency', () => {
    let store: FaceStore;
    beforeEach(() => {
      store = contract.store;
    });

    it('keeps every face from many parallel writers', async () => {
      const id = await newCollection(store);
      const batches = Array.from({ length: 20 }, (_, i) =>
        randomUnitVectors(5, dimensions, 1000 + i).map((v) => makeFace(v)),
      );
      await Promise.all(batches.map((batch) => store.putFaces(id, batch)));
      expect((await store.describeCollection(id)).faceCount).toBe(100);
      const listed = await store.listFaces(id, { limit: 200 });
      expect(new Set(listed.items.map((f) => f.faceId)).size).toBe(100);
    });

    it('lets exactly one of two racing users own a face', async () => {
      const id = await newCollection(store);
      const [face] = await seedFaces(store, id, 1, 22);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      await store.createUser(id, { userId: 'bo', createdAt: 1 });
      const results = await Promise.all([
        store.associateFaces(id, 'ana', [face.faceId], 100),
        store.associateFaces(id, 'bo', [face.faceId], 100),
      ]);
      expect(results.map((r) => r.changed.length).sort()).toEqual([0, 1]);
      const [stored] = await store.getFaces(id, [face.faceId]);
      const winner = results[0].changed.length === 1 ? 'ana' : 'bo';
      expect(stored.userId).toBe(winner);
    });

    it('creates a racing user exactly once', async () => {
      const id = await newCollection(store);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.createUser(id, { userId: 'same', createdAt: 1 })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect((o.reason as Error).name).toBe('ConflictException');
      }
      expect((await store.describeCollection(id)).userCount).toBe(1);
    });

    it('never lets racing associations exceed the quota', async () => {
      const id = await newCollection(store);
      const faces = await seedFaces(store, id, 30, 23);
      await store.createUser(id, { userId: 'ana', createdAt: 1 });
      const chunks = [0, 1, 2, 3, 4, 5].map((i) =>
        faces.slice(i * 5, i * 5 + 5).map((f) => f.faceId),
      );
      await Promise.allSettled(chunks.map((chunk) => store.associateFaces(id, 'ana', chunk, 12)));
      const user = await store.getUser(id, 'ana');
      expect(user?.faceCount).toBe(10);
      expect((await store.listFaces(id, { limit: 100 }, { userId: 'ana' })).items).toHaveLength(10);
    });
  });
}
