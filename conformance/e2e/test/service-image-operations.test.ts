import { type AnalyzedFace, type FaceAnalyzer, FaceService, type FaceStore } from '@facekit/core';
import { linearSimilarityScale } from '@facekit/core/analyzer';
import { l2Normalize } from '@facekit/core/vector';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it } from 'vitest';

/**
 * A stand-in analyzer for testing the service's orchestration: the "image" is JSON listing the
 * faces it contains, so each test states exactly what the analyzer finds. The real pipeline is
 * tested on real photos elsewhere.
 */
interface FakeFace {
  size: number;
  /** Direction of the embedding: faces with the same `person` are the same person. */
  person: number;
  confidence?: number;
  yaw?: number;
}

function fakeImage(faces: FakeFace[], salt = ''): { Bytes: string } {
  return { Bytes: btoa(JSON.stringify({ faces, salt })) };
}

function fakeAnalyzer(version = '7.0'): FaceAnalyzer & { calls: number } {
  const analyzer = {
    specificationVersion: 'v1' as const,
    faceModelVersion: version,
    similarity: linearSimilarityScale,
    calls: 0,
    async analyze(bytes: Uint8Array, options: { embedLargest: number }) {
      analyzer.calls++;
      const { faces } = JSON.parse(new TextDecoder().decode(bytes)) as { faces: FakeFace[] };
      const sorted = [...faces].sort((a, b) => b.size - a.size);
      return {
        width: 1000,
        height: 1000,
        faces: sorted.map((face, i): AnalyzedFace => {
          const vector = new Float32Array(8);
          vector[face.person % 8] = 1;
          vector[(face.person + 1) % 8] = 0.1 * (i + 1);
          return {
            detail: {
              BoundingBox: {
                Width: face.size / 1000,
                Height: face.size / 1000,
                Left: 0.1,
                Top: 0.1,
              },
              Confidence: face.confidence ?? 99,
              Landmarks: [],
              Pose: { Roll: 0, Yaw: face.yaw ?? 0, Pitch: 0 },
              Quality: { Brightness: 60, Sharpness: 60 },
            },
            heightPx: face.size,
            ...(i < options.embedLargest ? { embedding: l2Normalize(vector) } : {}),
          };
        }),
      };
    },
  };
  return analyzer;
}

async function setup(analyzers: FaceAnalyzer[] = [fakeAnalyzer()]) {
  const store: FaceStore = createMemoryFaceStore();
  const service = new FaceService({ store, analyzers });
  await service.createCollection({ CollectionId: 'c' });
  return { service, store };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('FaceService image operations (orchestration, fake analyzer)', () => {
  it('DetectFaces returns every face, largest first, and stores nothing', async () => {
    const { service, store } = await setup();
    const out = await service.detectFaces({
      Image: fakeImage([
        { size: 50, person: 1 },
        { size: 90, person: 2 },
      ]),
    });
    expect(out.FaceDetails?.map((d) => d.BoundingBox?.Width)).toEqual([0.09, 0.05]);
    expect((await store.describeCollection('c')).faceCount).toBe(0);
  });

  it('IndexFaces indexes, filters by quality and MaxFaces, and reports why', async () => {
    const { service } = await setup();
    const out = await service.indexFaces({
      CollectionId: 'c',
      ExternalImageId: 'party.jpg',
      MaxFaces: 2,
      Image: fakeImage([
        { size: 200, person: 1 },
        { size: 150, person: 2 },
        { size: 120, person: 3 },
        { size: 10, person: 4 },
        { size: 100, person: 5, confidence: 40 },
        { size: 110, person: 6, yaw: 85 },
      ]),
    });
    expect(out.FaceModelVersion).toBe('7.0');
    expect(out.FaceRecords?.map((r) => r.Face?.BoundingBox?.Width)).toEqual([0.2, 0.15]);
    const [record] = out.FaceRecords ?? [];
    expect(record.Face).toMatchObject({
      ExternalImageId: 'party.jpg',
      IndexFacesModelVersion: '7.0',
      Confidence: 99,
    });
    expect(record.Face?.ImageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(new Set(out.FaceRecords?.map((r) => r.Face?.ImageId)).size).toBe(1);
    const reasons = out.UnindexedFaces?.map((u) => [u.FaceDetail?.BoundingBox?.Width, u.Reasons]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [0.12, ['EXCEEDS_MAX_FACES']],
        [0.01, ['SMALL_BOUNDING_BOX']],
        [0.1, ['LOW_CONFIDENCE']],
        [0.11, ['EXTREME_POSE']],
      ]),
    );
    expect(out.UnindexedFaces).toHaveLength(4);
    const listed = await service.listFaces({ CollectionId: 'c' });
    expect(listed.Faces?.map((f) => f.FaceId)).toEqual(out.FaceRecords?.map((r) => r.Face?.FaceId));
  });

  it('IndexFaces with QualityFilter NONE keeps small and uncertain faces', async () => {
    const { service } = await setup();
    const out = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'NONE',
      Image: fakeImage([{ size: 10, person: 1, confidence: 30 }]),
    });
    expect(out.FaceRecords).toHaveLength(1);
    expect(out.UnindexedFaces).toEqual([]);
  });

  it('IndexFaces does not store the same image with the same ExternalImageId twice', async () => {
    const { service, store } = await setup();
    const image = fakeImage([
      { size: 200, person: 1 },
      { size: 100, person: 2 },
    ]);
    const first = await service.indexFaces({
      CollectionId: 'c',
      ExternalImageId: 'a.jpg',
      Image: image,
    });
    const again = await service.indexFaces({
      CollectionId: 'c',
      ExternalImageId: 'a.jpg',
      Image: image,
    });
    expect(again.FaceRecords?.map((r) => r.Face?.FaceId)).toEqual(
      first.FaceRecords?.map((r) => r.Face?.FaceId),
    );
    expect((await store.describeCollection('c')).faceCount).toBe(2);
    await service.indexFaces({ CollectionId: 'c', ExternalImageId: 'b.jpg', Image: image });
    expect((await store.describeCollection('c')).faceCount).toBe(4);
  });

  it('IndexFaces of an indexed image lists each face once: stored faces stay indexed', async () => {
    const { service, store } = await setup();
    const image = fakeImage([
      { size: 200, person: 1 },
      { size: 150, person: 2, yaw: 85 },
      { size: 100, person: 3, confidence: 40 },
    ]);
    const first = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'NONE',
      Image: image,
    });
    expect(first.FaceRecords).toHaveLength(3);
    const again = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'HIGH',
      Image: image,
    });
    expect(again.FaceRecords?.map((r) => r.Face?.FaceId)).toEqual(
      first.FaceRecords?.map((r) => r.Face?.FaceId),
    );
    expect(again.FaceRecords?.map((r) => r.FaceDetail?.BoundingBox?.Width)).toEqual([
      0.2, 0.15, 0.1,
    ]);
    expect(again.UnindexedFaces).toEqual([]);
    expect((await store.describeCollection('c')).faceCount).toBe(3);
  });

  it('IndexFaces of an indexed image indexes the faces left out before when they now qualify', async () => {
    const { service, store } = await setup();
    const image = fakeImage([
      { size: 200, person: 1 },
      { size: 150, person: 2, yaw: 85 },
      { size: 100, person: 3, confidence: 40 },
      { size: 90, person: 4 },
    ]);
    const first = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'HIGH',
      MaxFaces: 1,
      Image: image,
    });
    expect(first.FaceRecords).toHaveLength(1);
    expect(first.UnindexedFaces).toHaveLength(3);
    // The stored face counts towards MaxFaces; the rest go through this call's filter.
    const second = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'HIGH',
      MaxFaces: 2,
      Image: image,
    });
    const widths = (list: { FaceDetail?: { BoundingBox?: { Width?: number } } }[] = []) =>
      list.map((r) => r.FaceDetail?.BoundingBox?.Width);
    expect(second.FaceRecords?.[0].Face?.FaceId).toBe(first.FaceRecords?.[0].Face?.FaceId);
    expect(widths(second.FaceRecords)).toEqual([0.2, 0.09]);
    expect(widths(second.UnindexedFaces).sort()).toEqual([0.1, 0.15]);
    const third = await service.indexFaces({
      CollectionId: 'c',
      QualityFilter: 'NONE',
      Image: image,
    });
    expect(widths(third.FaceRecords)).toEqual([0.2, 0.15, 0.1, 0.09]);
    expect(third.UnindexedFaces).toEqual([]);
    expect(
      third.FaceRecords?.filter((r) => r.Face?.FaceId === first.FaceRecords?.[0].Face?.FaceId),
    ).toHaveLength(1);
    expect((await store.describeCollection('c')).faceCount).toBe(4);
    const fourth = await service.indexFaces({ CollectionId: 'c', Image: image });
    expect(fourth.FaceRecords?.map((r) => r.Face?.FaceId)).toEqual(
      third.FaceRecords?.map((r) => r.Face?.FaceId),
    );
    expect((await store.describeCollection('c')).faceCount).toBe(4);
  });

  it('SearchFacesByImage searches with the largest face and fails without one', async () => {
    const { service } = await setup();
    await service.indexFaces({ CollectionId: 'c', Image: fakeImage([{ size: 200, person: 3 }]) });
    await service.indexFaces({ CollectionId: 'c', Image: fakeImage([{ size: 200, person: 5 }]) });
    const out = await service.searchFacesByImage({
      CollectionId: 'c',
      Image: fakeImage(
        [
          { size: 300, person: 3 },
          { size: 100, person: 5 },
        ],
        'query',
      ),
    });
    expect(out.SearchedFaceBoundingBox?.Width).toBe(0.3);
    expect(out.SearchedFaceConfidence).toBe(99);
    expect(out.FaceMatches).toHaveLength(1);
    expect(out.FaceMatches?.[0].Similarity).toBeGreaterThan(95);
    const error = await rejection(
      service.searchFacesByImage({ CollectionId: 'c', Image: fakeImage([]) }),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/no faces/);
  });

  it('SearchUsersByImage reports unsearched faces and does not fail without a face', async () => {
    const { service } = await setup();
    const indexed = await service.indexFaces({
      CollectionId: 'c',
      Image: fakeImage([{ size: 200, person: 3 }]),
    });
    await service.createUser({ CollectionId: 'c', UserId: 'ana' });
    await service.associateFaces({
      CollectionId: 'c',
      UserId: 'ana',
      FaceIds: [indexed.FaceRecords?.[0].Face?.FaceId as string],
    });
    const out = await service.searchUsersByImage({
      CollectionId: 'c',
      Image: fakeImage(
        [
          { size: 300, person: 3 },
          { size: 100, person: 5 },
        ],
        'q',
      ),
    });
    expect(out.UserMatches?.map((m) => m.User?.UserId)).toEqual(['ana']);
    expect(out.SearchedFace?.FaceDetail?.BoundingBox?.Width).toBe(0.3);
    expect(out.UnsearchedFaces).toEqual([
      expect.objectContaining({ Reasons: ['FACE_NOT_LARGEST'] }),
    ]);
    const none = await service.searchUsersByImage({ CollectionId: 'c', Image: fakeImage([]) });
    expect(none).toEqual({ UserMatches: [], FaceModelVersion: '7.0', UnsearchedFaces: [] });
  });

  it('CompareFaces splits target faces into matches and unmatched', async () => {
    const { service } = await setup();
    const out = await service.compareFaces({
      SourceImage: fakeImage([{ size: 300, person: 2 }]),
      TargetImage: fakeImage([
        { size: 100, person: 7 },
        { size: 150, person: 2 },
        { size: 120, person: 2 },
      ]),
    });
    expect(out.SourceImageFace?.BoundingBox?.Width).toBe(0.3);
    expect(out.FaceMatches?.map((m) => m.Face?.BoundingBox?.Width).sort()).toEqual([0.12, 0.15]);
    const similarities = out.FaceMatches?.map((m) => m.Similarity ?? 0) ?? [];
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    expect(out.UnmatchedFaces?.map((f) => f.BoundingBox?.Width)).toEqual([0.1]);
    const noSource = await rejection(
      service.compareFaces({
        SourceImage: fakeImage([]),
        TargetImage: fakeImage([{ size: 100, person: 1 }]),
      }),
    );
    expect(noSource.message).toMatch(/source/);
  });

  it('refuses S3 images, and image operations without an analyzer', async () => {
    const { service } = await setup();
    const s3 = await rejection(
      service.detectFaces({ Image: { S3Object: { Bucket: 'bucket', Name: 'photo.jpg' } } }),
    );
    expect(s3.name).toBe('InvalidS3ObjectException');
    const bare = await setup([]);
    const none = await rejection(bare.service.detectFaces({ Image: fakeImage([]) }));
    expect(none.name).toBe('AccessDeniedException');
  });

  it('serves each collection with the analyzer of its own face model', async () => {
    const v1 = fakeAnalyzer('1.0');
    const v2 = fakeAnalyzer('2.0');
    const store = createMemoryFaceStore();
    const old = new FaceService({ store, analyzers: [v1, v2], faceModelVersion: '1.0' });
    await old.createCollection({ CollectionId: 'old' });
    const current = new FaceService({ store, analyzers: [v1, v2], faceModelVersion: '2.0' });
    expect((await current.createCollection({ CollectionId: 'new' })).FaceModelVersion).toBe('2.0');
    await current.indexFaces({ CollectionId: 'old', Image: fakeImage([{ size: 100, person: 1 }]) });
    expect([v1.calls, v2.calls]).toEqual([1, 0]);
    const listed = await current.listFaces({ CollectionId: 'old' });
    expect(listed.Faces?.[0].IndexFacesModelVersion).toBe('1.0');
    const only2 = new FaceService({ store, analyzers: [v2] });
    const error = await rejection(
      only2.indexFaces({ CollectionId: 'old', Image: fakeImage([{ size: 100, person: 1 }]) }),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/1\.0/);
  });
});
