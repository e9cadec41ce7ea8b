import { centroid, dot, type FaceStore, RekognitionError, type StoredFace } from '@facekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from './seeded-vectors.js';

export interface FaceStoreContractOptions {
  /** Approximate stores skip the exact top-k checks. */
  search?: 'exact' | 'approximate';
  /**
   * For persistent stores: close `store` and open a new one on the same data. When given, the
   * suite checks that everything written survives.
   */
  reopen?: (store: FaceStore) => Promise<FaceStore>;
  /** Embedding size used by the suite. Default 128. */
  dimensions?: number;
}

const uuid = () => crypto.randomUUID();

/**
 * The shared contract every `FaceStore` adapter must pass. Each test gets a fresh store from
 * `factory` and seeds its own data, so tests are independent and may run in any order.
 */
export function describeFaceStoreContract(
  name: string,
  factory: () => Promise<FaceStore>,
  options: FaceStoreContractOptions = {},
): void {
  const dimensions = options.dimensions ?? 128;

  const makeFace = (vector: Float32Array, overrides: Partial<StoredFace> = {}): StoredFace => ({
    faceId: uuid(),
    imageId: uuid(),
    boundingBox: { width: 0.25, height: 0.375, left: 0.125, top: 0.0625 },
    confidence: 99.5,
    indexFacesModelVersion: '7.0',
    createdAt: 1_700_000_000_000,
    vector,
    ...overrides,
  });

  const newCollection = (store: FaceStore, collectionId = `c-${uuid()}`, createdAt = Date.now()) =>
    store
      .createCollection({ collectionId, faceModelVersion: '7.0', createdAt })
      .then(() => collectionId);

  async function expectError(promise: Promise<unknown>, errorName: string): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, `expected ${errorName}`).toBeDefined();
    expect(RekognitionError.isInstance(error), `not a RekognitionError: ${String(error)}`).toBe(
      true,
    );
    expect((error as RekognitionError).name).toBe(errorName);
  }

  async function seedFaces(store: FaceStore, collectionId: string, count: number, seed: number) {
    const faces = randomUnitVectors(count, dimensions, seed).map((v) => makeFace(v));
    await store.putFaces(collectionId, faces);
    return faces;
  }

  describe(`FaceStore contract: ${name}`, () => {
    let store: FaceStore;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it('declares the v1 specification', () => {
      expect(store.specificationVersion).toBe('v1');
      expect(store.name).toMatch(/\S/);
      expect(['exact', 'approximate']).toContain(store.capabilities.search);
    });

    describe('collections', () => {
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
        await expectError(
          store.tagCollection(missing, { a: 'b' }, 50),
          'ResourceNotFoundException',
        );
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

    describe('tags', () => {
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

    describe('faces', () => {
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

    describe('vector search', () => {
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

    describe('users', () => {
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

    describe('concurrency', () => {
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
        expect((await store.listFaces(id, { limit: 100 }, { userId: 'ana' })).items).toHaveLength(
          10,
        );
      });
    });

    describe.skipIf(!options.reopen)('persistence', () => {
      it('keeps collections, faces, vectors, users and tags across close and reopen', async () => {
        const id = await newCollection(store, 'kept', 1_700_000_000_500);
        await store.tagCollection(id, { env: 'prod' }, 50);
        const faces = await seedFaces(store, id, 3, 24);
        await store.createUser(id, { userId: 'ana', createdAt: 2 });
        await store.associateFaces(id, 'ana', [faces[0].faceId], 100);
        await store.deleteFaces(id, [faces[2].faceId]);
        const page = await store.listFaces(id, { limit: 1 });

        store = await (options.reopen as NonNullable<typeof options.reopen>)(store);
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
        // A cursor handed out before the restart still continues the listing.
        const rest = await store.listFaces(id, { limit: 10, after: page.next });
        expect(rest.items.map((f) => f.faceId)).toEqual([faces[1].faceId]);
        const [best] = await store.searchFaces(id, faces[1].vector, { limit: 1 });
        expect(best.face.faceId).toBe(faces[1].faceId);
      });
    });
  });
}
