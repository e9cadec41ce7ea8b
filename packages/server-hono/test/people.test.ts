import { FaceService, type StoredFace } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { call, expectAwsError } from './helpers.js';

const DIM = 64;

/** A seeded generator, so the test vectors are the same on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unit(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Faces of `people` identities (cosine ~0.8 within one, ~0 across), one image each. */
function faces(people: number, perPerson: number, seed: number) {
  const next = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const out: { face: StoredFace; person: number }[] = [];
  for (let p = 0; p < people; p++) {
    const identity = unit(Float32Array.from({ length: DIM }, gaussian));
    for (let i = 0; i < perPerson; i++) {
      const noise = unit(Float32Array.from({ length: DIM }, gaussian));
      const vector = unit(identity.map((x, j) => x + 0.5 * noise[j]));
      out.push({ face: face(vector), person: p });
    }
  }
  return out;
}

function face(vector: Float32Array, imageId: string = crypto.randomUUID()): StoredFace {
  return {
    faceId: crypto.randomUUID(),
    imageId,
    boundingBox: { width: 0.2, height: 0.2, left: 0.1, top: 0.1 },
    confidence: 99,
    indexFacesModelVersion: '7.0',
    createdAt: 1,
    vector,
  };
}

async function setup() {
  const store = createMemoryFaceStore();
  const service = new FaceService({ store });
  const app = createApp({ service, auth: { mode: 'none' } });
  await service.createCollection({ CollectionId: 'c' });
  return { store, service, app };
}

const extension = (app: ReturnType<typeof createApp>, operation: string, body: unknown) =>
  call(app, operation, body, { 'X-Amz-Target': `FacekitService.${operation}` });

/** Clusters as sets of people, for comparison with the truth. */
function peopleOf(
  clusters: { FaceIds: string[]; UserId?: string }[],
  personOf: Map<string, number>,
) {
  return clusters.map((c) => [...new Set(c.FaceIds.map((id) => personOf.get(id)))]);
}

describe('FacekitService.ClusterFaces and SeparateFaces', () => {
  it('groups the faces of each person, and only them', async () => {
    const { store, app } = await setup();
    const seeded = faces(4, 3, 1);
    await store.putFaces(
      'c',
      seeded.map((s) => s.face),
    );
    const personOf = new Map(seeded.map((s) => [s.face.faceId, s.person]));
    const response = await extension(app, 'ClusterFaces', {
      CollectionId: 'c',
      SimilarityThreshold: 50,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      Clusters: { FaceIds: string[]; Similarity: number }[];
    };
    expect(body).toMatchObject({
      SimilarityThreshold: 50,
      ClusterCount: 4,
      FaceCount: 12,
      UnclusteredFaceCount: 0,
    });
    expect(peopleOf(body.Clusters, personOf).map((p) => p.length)).toEqual([1, 1, 1, 1]);
    expect(body.Clusters.map((c) => c.FaceIds.length)).toEqual([3, 3, 3, 3]);
    expect(body.Clusters[0].Similarity).toBeGreaterThan(50);
  });

  it('answers an empty collection with no clusters', async () => {
    const { service } = await setup();
    expect(await service.clusterFaces({ CollectionId: 'c' })).toEqual({
      SimilarityThreshold: 85,
      Clusters: [],
      ClusterCount: 0,
      FaceCount: 0,
      UnclusteredFaceCount: 0,
    });
  });

  it('never puts two faces of one image in a cluster', async () => {
    const { store, service } = await setup();
    const [a, b] = faces(1, 2, 2).map((s) => s.face);
    // The same image twice: one person cannot appear twice in a photo.
    await store.putFaces('c', [a, { ...b, imageId: a.imageId }]);
    const result = await service.clusterFaces({
      CollectionId: 'c',
      SimilarityThreshold: 10,
      MinClusterSize: 1,
    });
    expect(result.Clusters?.map((c) => c.FaceIds?.length)).toEqual([1, 1]);
  });

  it('adds new faces to known users, and respects "not this person"', async () => {
    const { store, service, app } = await setup();
    const seeded = faces(2, 4, 3);
    const ana = seeded.filter((s) => s.person === 0).map((s) => s.face);
    await store.putFaces(
      'c',
      seeded.map((s) => s.face).filter((f) => f !== ana[3]),
    );
    const first = await service.clusterFaces({ CollectionId: 'c', SimilarityThreshold: 50 });
    const anaCluster = first.Clusters?.find((c) => c.FaceIds?.includes(ana[0].faceId));
    expect(new Set(anaCluster?.FaceIds)).toEqual(new Set(ana.slice(0, 3).map((f) => f.faceId)));
    // Naming a cluster is Rekognition's CreateUser + AssociateFaces.
    await service.createUser({ CollectionId: 'c', UserId: 'ana' });
    await service.associateFaces({
      CollectionId: 'c',
      UserId: 'ana',
      FaceIds: anaCluster?.FaceIds ?? [],
    });
    await store.putFaces('c', [ana[3]]);
    const second = await service.clusterFaces({ CollectionId: 'c', SimilarityThreshold: 50 });
    expect(second.Clusters?.[0]).toMatchObject({
      UserId: 'ana',
      UserFaceCount: 3,
      FaceIds: [ana[3].faceId],
    });
    expect(second.FaceCount).toBe(5);

    const refused = await extension(app, 'SeparateFaces', {
      CollectionId: 'c',
      FaceIds: [ana[3].faceId, '00000000-0000-4000-8000-000000000000'],
      UserId: 'ana',
    });
    expect(await refused.json()).toEqual({
      SeparatedFaceIds: [ana[3].faceId],
      UnknownFaceIds: ['00000000-0000-4000-8000-000000000000'],
    });
    const third = await service.clusterFaces({ CollectionId: 'c', SimilarityThreshold: 50 });
    expect(third.Clusters?.some((c) => c.UserId === 'ana')).toBe(false);
    expect(third.UnclusteredFaceCount).toBe(1);
  });

  it('splits a cluster with OtherFaceIds', async () => {
    const { store, service } = await setup();
    const people = faces(1, 4, 4).map((s) => s.face);
    await store.putFaces('c', people);
    const ids = people.map((f) => f.faceId);
    await service.separateFaces({ CollectionId: 'c', FaceIds: [ids[0]], OtherFaceIds: ids });
    const result = await service.clusterFaces({
      CollectionId: 'c',
      SimilarityThreshold: 50,
      MinClusterSize: 1,
    });
    const withFirst = result.Clusters?.find((c) => c.FaceIds?.includes(ids[0]));
    expect(withFirst?.FaceIds).toEqual([ids[0]]);
    expect(await store.listFaceSeparations('c')).toHaveLength(3);
  });

  it('takes "not this person" back: ListFaceSeparations, DeleteFaceSeparations, regrouped', async () => {
    const { store, service, app } = await setup();
    const people = faces(1, 3, 5).map((s) => s.face);
    await store.putFaces('c', people);
    const ids = people.map((f) => f.faceId);
    const clusterOf = async (faceId: string) =>
      (
        await service.clusterFaces({
          CollectionId: 'c',
          SimilarityThreshold: 50,
          MinClusterSize: 1,
        })
      ).Clusters?.find((c) => c.FaceIds?.includes(faceId))?.FaceIds;
    expect(await clusterOf(ids[0])).toHaveLength(3);
    await extension(app, 'SeparateFaces', {
      CollectionId: 'c',
      FaceIds: [ids[0]],
      OtherFaceIds: [ids[1], ids[2]],
    });
    expect(await clusterOf(ids[0])).toEqual([ids[0]]);

    const listed = await extension(app, 'ListFaceSeparations', {
      CollectionId: 'c',
      FaceId: ids[1],
    });
    expect(listed.status).toBe(200);
    const pair = (a: string, b: string) =>
      a < b ? { FaceId: a, OtherFaceId: b } : { FaceId: b, OtherFaceId: a };
    expect(await listed.json()).toEqual({ Separations: [pair(ids[0], ids[1])] });

    // Undo both; asking for a pair never recorded (1–2) removes nothing more.
    const undone = await extension(app, 'DeleteFaceSeparations', {
      CollectionId: 'c',
      FaceIds: [ids[1], ids[2]],
      OtherFaceIds: [ids[0], ids[1]],
    });
    const { DeletedSeparations } = (await undone.json()) as { DeletedSeparations: unknown[] };
    expect(DeletedSeparations).toHaveLength(2);
    expect(DeletedSeparations).toEqual(
      expect.arrayContaining([pair(ids[0], ids[1]), pair(ids[0], ids[2])]),
    );
    expect(
      await (await extension(app, 'ListFaceSeparations', { CollectionId: 'c' })).json(),
    ).toEqual({ Separations: [] });
    expect(await clusterOf(ids[0])).toHaveLength(3);

    // A face–user decision, taken back with UserId; embedded through the typed method.
    await service.createUser({ CollectionId: 'c', UserId: 'ana' });
    await service.separateFaces({ CollectionId: 'c', FaceIds: [ids[0]], UserId: 'ana' });
    expect(await service.listFaceSeparations({ CollectionId: 'c', UserId: 'ana' })).toEqual({
      Separations: [{ FaceId: ids[0], UserId: 'ana' }],
    });
    expect(
      await service.deleteFaceSeparations({ CollectionId: 'c', FaceIds: [ids[0]], UserId: 'ana' }),
    ).toEqual({ DeletedSeparations: [{ FaceId: ids[0], UserId: 'ana' }] });
    expect(await store.listFaceSeparations('c')).toEqual([]);
  });

  it('answers the Rekognition errors', async () => {
    const { app } = await setup();
    await expectAwsError(
      await extension(app, 'ClusterFaces', { CollectionId: 'nope' }),
      400,
      'ResourceNotFoundException',
    );
    // The default linear calibration has no measured rates.
    await expectAwsError(
      await extension(app, 'ClusterFaces', { CollectionId: 'c', MaxFalseAcceptRate: 0.001 }),
      400,
      'InvalidParameterException',
    );
    await expectAwsError(
      await extension(app, 'SeparateFaces', {
        CollectionId: 'c',
        FaceIds: ['00000000-0000-4000-8000-000000000000'],
      }),
      400,
      'InvalidParameterException',
    );
    await expectAwsError(
      await extension(app, 'SeparateFaces', {
        CollectionId: 'c',
        FaceIds: ['00000000-0000-4000-8000-000000000000'],
        UserId: 'nobody',
      }),
      400,
      'ResourceNotFoundException',
    );
    for (const operation of ['ListFaceSeparations', 'DeleteFaceSeparations']) {
      await expectAwsError(
        await extension(app, operation, {
          CollectionId: 'nope',
          ...(operation === 'DeleteFaceSeparations'
            ? { FaceIds: ['00000000-0000-4000-8000-000000000000'], UserId: 'ana' }
            : {}),
        }),
        400,
        'ResourceNotFoundException',
      );
    }
    for (const body of [
      { CollectionId: 'c', FaceIds: ['00000000-0000-4000-8000-000000000000'] },
      {
        CollectionId: 'c',
        FaceIds: ['00000000-0000-4000-8000-000000000000'],
        UserId: 'ana',
        OtherFaceIds: ['00000000-0000-4000-8000-000000000001'],
      },
      { CollectionId: 'c', FaceIds: [], UserId: 'ana' },
    ]) {
      await expectAwsError(
        await extension(app, 'DeleteFaceSeparations', body),
        400,
        'InvalidParameterException',
      );
    }
  });
});
