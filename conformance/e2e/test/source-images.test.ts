import {
  type AnalyzedFace,
  createMemorySourceImageStore,
  type FaceAnalyzer,
  FaceService,
  type FaceStore,
} from '@facekit/core';
import { linearSimilarityScale } from '@facekit/core/analyzer';
import { reindexCollection } from '@facekit/core/reindex';
import { l2Normalize } from '@facekit/core/vector';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { beforeEach, describe, expect, it } from 'vitest';

/**
 * Opt-in source image retention and re-indexing to another face model, on stand-in analyzers: an
 * "image" is JSON listing its faces (position and a vector). Model 8.0 maps each vector to a
 * different one (reversed) and does not see faces marked `hiddenFrom8`. Real photos and the real
 * models are in reindex-real-photos.test.ts.
 */
interface FakeFace {
  left: number;
  v: number[];
  hiddenFrom8?: boolean;
}

function fakeAnalyzer(version: '7.0' | '8.0'): FaceAnalyzer & { calls: number } {
  const analyzer = {
    specificationVersion: 'v1' as const,
    faceModelVersion: version,
    similarity: linearSimilarityScale,
    calls: 0,
    async analyze(bytes: Uint8Array, options: { embedLargest: number }) {
      analyzer.calls++;
      const { faces } = JSON.parse(new TextDecoder().decode(bytes)) as { faces: FakeFace[] };
      const seen = faces.filter((f) => version === '7.0' || !f.hiddenFrom8);
      return {
        width: 1000,
        height: 1000,
        faces: seen.map(
          (face, i): AnalyzedFace => ({
            detail: {
              // 8.0 boxes a little differently: IoU ≈ 0.8 with 7.0's.
              BoundingBox: {
                Width: 0.2,
                Height: 0.2,
                Left: face.left + (version === '8.0' ? 0.02 : 0),
                Top: 0.1,
              },
              Confidence: version === '8.0' ? 98 : 99,
              Landmarks: [],
              Pose: { Roll: 0, Yaw: 0, Pitch: 0 },
              Quality: { Brightness: 60, Sharpness: 60 },
            },
            heightPx: 200,
            ...(i < options.embedLargest
              ? {
                  embedding: l2Normalize(
                    new Float32Array(version === '8.0' ? [...face.v].reverse() : face.v),
                  ),
                }
              : {}),
          }),
        ),
      };
    },
  };
  return analyzer;
}

const image = (faces: FakeFace[], salt = '') => ({
  Bytes: btoa(JSON.stringify({ faces, salt })),
});

let store: FaceStore;
let images: ReturnType<typeof createMemorySourceImageStore>;
let keeping: FaceService;
let notKeeping: FaceService;

beforeEach(async () => {
  store = createMemoryFaceStore();
  images = createMemorySourceImageStore();
  keeping = new FaceService({ store, analyzers: [fakeAnalyzer('7.0')], sourceImages: images });
  notKeeping = new FaceService({ store, analyzers: [fakeAnalyzer('7.0')] });
  await keeping.createCollection({ CollectionId: 'a' });
  await keeping.createCollection({ CollectionId: 'b' });
});

const faceIdsOf = (out: { FaceRecords?: { Face?: { FaceId?: string } }[] }) =>
  (out.FaceRecords ?? []).map((r) => r.Face?.FaceId as string);

describe('source image retention', () => {
  it('keeps each indexed image once, by ImageId, and only with a face indexed', async () => {
    const x = image([{ left: 0.1, v: [1, 0, 0, 0] }], 'x');
    const first = await keeping.indexFaces({ CollectionId: 'a', Image: x });
    await keeping.indexFaces({ CollectionId: 'b', Image: x });
    await keeping.indexFaces({ CollectionId: 'a', Image: x, ExternalImageId: 'again' });
    expect(images.size).toBe(1);
    const imageId = first.FaceRecords?.[0]?.Face?.ImageId as string;
    expect(new TextDecoder().decode(await images.get(imageId))).toContain('"salt":"x"');
    await keeping.indexFaces({ CollectionId: 'a', Image: image([], 'no face') });
    expect(images.size).toBe(1);
    await notKeeping.indexFaces({
      CollectionId: 'a',
      Image: image([{ left: 0.1, v: [0, 1, 0, 0] }], 'y'),
    });
    expect(images.size).toBe(1);
  });

  it('removes an image when no face of it remains in any collection', async () => {
    const x = image(
      [
        { left: 0.1, v: [1, 0, 0, 0] },
        { left: 0.5, v: [0, 1, 0, 0] },
      ],
      'x',
    );
    const inA = faceIdsOf(await keeping.indexFaces({ CollectionId: 'a', Image: x }));
    const inB = faceIdsOf(await keeping.indexFaces({ CollectionId: 'b', Image: x }));
    expect(images.size).toBe(1);
    await keeping.deleteFaces({ CollectionId: 'a', FaceIds: [inA[0]] });
    expect(images.size).toBe(1); // a face of it remains in a and in b
    await keeping.deleteFaces({ CollectionId: 'a', FaceIds: [inA[1]] });
    expect(images.size).toBe(1); // still in b
    await keeping.createCollection({ CollectionId: 'c' });
    await keeping.deleteCollection({ CollectionId: 'b' });
    expect(images.size).toBe(0);
    expect(inB).toHaveLength(2);
  });
});

describe('reindexCollection', () => {
  async function indexFixture() {
    const x = image(
      [
        { left: 0.1, v: [1, 0, 0, 0] },
        { left: 0.5, v: [0, 1, 0, 0], hiddenFrom8: true },
      ],
      'x',
    );
    const y = image([{ left: 0.3, v: [0, 0, 1, 0] }], 'y');
    const w = image([{ left: 0.3, v: [0, 0.6, 0, 0.8] }], 'w');
    const z = image([{ left: 0.3, v: [0, 0, 0, 1] }], 'z');
    const xIds = faceIdsOf(
      await keeping.indexFaces({ CollectionId: 'a', Image: x, ExternalImageId: 'x.jpg' }),
    );
    const yIds = faceIdsOf(
      await keeping.indexFaces({ CollectionId: 'a', Image: y, ExternalImageId: 'y.jpg' }),
    );
    const wIds = faceIdsOf(
      await keeping.indexFaces({ CollectionId: 'a', Image: w, ExternalImageId: 'w.jpg' }),
    );
    const zIds = faceIdsOf(
      await notKeeping.indexFaces({ CollectionId: 'a', Image: z, ExternalImageId: 'z.jpg' }),
    );
    await keeping.createUser({ CollectionId: 'a', UserId: 'ana' });
    await keeping.associateFaces({ CollectionId: 'a', UserId: 'ana', FaceIds: [xIds[0], yIds[0]] });
    await keeping.createUser({ CollectionId: 'a', UserId: 'nobody' });
    await keeping.tagResource({
      ResourceArn: 'arn:aws:rekognition:us-east-1:000000000000:collection/a',
      Tags: { team: 'x' },
    });
    return { xIds, yIds, wIds, zIds };
  }

  it('writes the faces again with the new model, keeping ids, and lists what it could not', async () => {
    const { xIds, yIds, wIds, zIds } = await indexFixture();
    const report = await reindexCollection({
      store,
      sourceImages: images,
      analyzer: fakeAnalyzer('8.0'),
      sourceCollectionId: 'a',
      targetCollectionId: 'a-v8',
    });
    expect(report).toMatchObject({
      complete: true,
      targetCreated: true,
      images: 4,
      sourceFaces: 5,
      alreadyPresent: 0,
      reindexed: 3,
      usersCreated: 2,
      facesAssociated: 2,
    });
    expect(report.missed.map((m) => [m.face.faceId, m.reason]).sort()).toEqual(
      [
        [xIds[1], 'FACE_NOT_FOUND'],
        [zIds[0], 'IMAGE_NOT_KEPT'],
      ].sort(),
    );
    const service8 = new FaceService({ store, analyzers: [fakeAnalyzer('8.0')] });
    const listed = await service8.listFaces({ CollectionId: 'a-v8' });
    expect(listed.FaceModelVersion).toBe('8.0');
    const faces = listed.Faces ?? [];
    expect(faces.map((f) => f.FaceId).sort()).toEqual([xIds[0], yIds[0], wIds[0]].sort());
    const source = (await keeping.listFaces({ CollectionId: 'a' })).Faces ?? [];
    for (const face of faces) {
      const old = source.find((f) => f.FaceId === face.FaceId);
      expect(face).toMatchObject({
        ImageId: old?.ImageId,
        ExternalImageId: old?.ExternalImageId,
        IndexFacesModelVersion: '8.0',
        Confidence: 98,
      });
    }
    expect(faces.find((f) => f.FaceId === xIds[0])?.UserId).toBe('ana');
    expect(faces.find((f) => f.FaceId === yIds[0])?.UserId).toBe('ana');
    expect(
      (await service8.listUsers({ CollectionId: 'a-v8' })).Users?.map((u) => u.UserId).sort(),
    ).toEqual(['ana', 'nobody']);
    expect(await store.getTags('a-v8')).toEqual({ team: 'x' });
    // Searching the new collection with the new model's vector of y's face finds y's FaceId.
    const found = await service8.searchFacesByImage({
      CollectionId: 'a-v8',
      Image: image([{ left: 0.3, v: [0, 0, 1, 0] }], 'query'),
    });
    expect(found.FaceMatches?.[0]?.Face?.FaceId).toBe(yIds[0]);
    // The source is untouched.
    expect((await keeping.describeCollection({ CollectionId: 'a' })).FaceModelVersion).toBe('7.0');
    expect(source).toHaveLength(5);
  });

  it('resumes a stopped run, skipping the faces already written', async () => {
    await indexFixture();
    const analyzer = fakeAnalyzer('8.0');
    const stop = { aborted: false };
    const first = await reindexCollection({
      store,
      sourceImages: images,
      analyzer,
      sourceCollectionId: 'a',
      targetCollectionId: 'a-v8',
      signal: stop,
      onImage: () => {
        stop.aborted = true;
      },
    });
    expect(first).toMatchObject({ complete: false, reindexed: 1, usersCreated: 0 });
    expect(analyzer.calls).toBe(1);
    const second = await reindexCollection({
      store,
      sourceImages: images,
      analyzer,
      sourceCollectionId: 'a',
      targetCollectionId: 'a-v8',
    });
    expect(second).toMatchObject({
      complete: true,
      targetCreated: false,
      alreadyPresent: 1,
      images: 4, // x again: its second face was not found the first time, and is tried again
      reindexed: 2,
      usersCreated: 2,
      facesAssociated: 2,
    });
    expect(analyzer.calls).toBe(1 + 3); // z was not kept: nothing to analyse
    expect(second.missed.map((m) => m.reason).sort()).toEqual(['FACE_NOT_FOUND', 'IMAGE_NOT_KEPT']);
    expect((await store.describeCollection('a-v8')).faceCount).toBe(3);
  });

  it('gives the same result with several images in flight', async () => {
    const { xIds, yIds, wIds } = await indexFixture();
    const report = await reindexCollection({
      store,
      sourceImages: images,
      analyzer: fakeAnalyzer('8.0'),
      sourceCollectionId: 'a',
      targetCollectionId: 'a-v8',
      concurrency: 3,
    });
    expect(report).toMatchObject({ complete: true, reindexed: 3, usersCreated: 2 });
    expect(report.missed).toHaveLength(2);
    const faces = (await store.listFaces('a-v8', { limit: 10 })).items.map((f) => f.faceId);
    expect(faces.sort()).toEqual([xIds[0], yIds[0], wIds[0]].sort());
  });

  it('refuses a target of another model and the same model as the source', async () => {
    await indexFixture();
    const common = { store, sourceImages: images, sourceCollectionId: 'a' };
    await expect(
      reindexCollection({ ...common, analyzer: fakeAnalyzer('8.0'), targetCollectionId: 'b' }),
    ).rejects.toThrow(/exists with face model 7.0, not 8.0/);
    await expect(
      reindexCollection({ ...common, analyzer: fakeAnalyzer('7.0'), targetCollectionId: 'new' }),
    ).rejects.toThrow(/already uses face model 7.0/);
    await expect(
      reindexCollection({ ...common, analyzer: fakeAnalyzer('8.0'), targetCollectionId: 'a' }),
    ).rejects.toThrow(/must differ from the source/);
  });
});
