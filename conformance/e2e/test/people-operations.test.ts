import type { AnalyzedFace, FaceAnalyzer, SimilarityScale } from '@facekit/core';
import { createMemorySourceImageStore, FaceService, validateShape } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { beforeEach, describe, expect, it } from 'vitest';

/**
 * The rules of FacekitService.WhoIsInImage and ExplainMatch on scripted faces: an analyzer that
 * reads the faces (vector, height, yaw) from the "image" itself, so every Similarity is known.
 * The same operations on real photos: people-features.test.ts.
 */

interface ScriptedFace {
  v: number[];
  h?: number;
  yaw?: number;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG header followed by the faces as JSON: what the scripted analyzer finds. */
function image(...faces: ScriptedFace[]) {
  const json = new TextEncoder().encode(JSON.stringify(faces));
  return { Bytes: Buffer.from([...PNG, ...json]).toString('base64') };
}

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

/** Cosine × 100, with false accept rates measured at 50 (10%) and 80 (0.1%). */
const scale: SimilarityScale = {
  toPercent: (c) => Math.max(0, Math.min(100, c * 100)),
  toCosine: (p) => p / 100,
  falseAcceptRates: [
    [50, 0.1],
    [65, 0.01],
    [80, 0.001],
  ],
};

const analyzer: FaceAnalyzer = {
  specificationVersion: 'v1',
  faceModelVersion: '7.0',
  similarity: scale,
  async analyze(bytes, options) {
    const faces = JSON.parse(new TextDecoder().decode(bytes.subarray(8))) as ScriptedFace[];
    return {
      width: 1000,
      height: 1000,
      faces: faces.map(
        (f, i): AnalyzedFace => ({
          detail: {
            BoundingBox: { Left: i * 0.1, Top: 0.1, Width: 0.05, Height: (f.h ?? 200) / 1000 },
            Confidence: 99,
            Pose: { Roll: 0, Yaw: f.yaw ?? 0, Pitch: 0 },
            Quality: { Brightness: 60, Sharpness: 80 },
          },
          heightPx: f.h ?? 200,
          ...(i < options.embedLargest ? { embedding: unit(f.v) } : {}),
        }),
      ),
    };
  },
};

// Directions whose cosines are easy to read: ana·ana2 = 0.9, ana·bo = 0.
const ana = [1, 0, 0, 0];
const anaTurned = [0.9, Math.sqrt(1 - 0.81), 0, 0];
const bo = [0, 0, 1, 0];
const cy = [0, 0, 0, 1];

let service: FaceService;
const faceIds: Record<string, string> = {};

beforeEach(async () => {
  service = new FaceService({
    store: createMemoryFaceStore(),
    analyzers: [analyzer],
    sourceImages: createMemorySourceImageStore(),
  });
  await service.createCollection({ CollectionId: 'c' });
  for (const [name, v, user] of [
    ['ana', ana, 'ana'],
    ['bo', bo, 'bo'],
    ['cy', cy, undefined],
  ] as const) {
    const indexed = await service.indexFaces({
      CollectionId: 'c',
      Image: image({ v: [...v] }),
      ExternalImageId: name,
    });
    faceIds[name] = indexed.FaceRecords?.[0]?.Face?.FaceId as string;
    if (user) {
      await service.createUser({ CollectionId: 'c', UserId: user });
      await service.associateFaces({ CollectionId: 'c', UserId: user, FaceIds: [faceIds[name]] });
    }
  }
});

describe('FacekitService.WhoIsInImage', () => {
  it('names every face: users, a face of no user, and unknown, each with its false accept rate', async () => {
    const who = await service.executeExtension('WhoIsInImage', {
      CollectionId: 'c',
      Image: image({ v: bo }, { v: anaTurned }, { v: cy }, { v: [0, 1, 0, 0] }),
    });
    expect(who.FaceMatchThreshold).toBe(80);
    expect(who.Faces.map((f) => [f.Identity, f.UserId ?? f.ExternalImageId])).toEqual([
      ['USER', 'bo'],
      ['USER', 'ana'],
      ['FACE', 'cy'],
      ['UNKNOWN', undefined],
    ]);
    expect(who.Faces[1].Similarity).toBeCloseTo(90, 4);
    expect(who.Faces[1].FalseAcceptRate).toEqual({ Rate: 0.001, Bound: 'AT_MOST' });
    // The unknown face still lists its closest people: ana at cosine 0.436.
    expect(who.Faces[3].Candidates[0].UserId).toBe('ana');
    expect(who.Faces[3].Candidates[0].FalseAcceptRate?.Bound).toBe('AT_LEAST');
    // The response keeps to its documented shape.
    expect(validateShape('WhoIsInImageResponse', who, '')).toEqual([]);
  });

  it('gives a person to one face at most: the more similar one', async () => {
    const who = await service.executeExtension('WhoIsInImage', {
      CollectionId: 'c',
      Image: image({ v: anaTurned }, { v: ana }),
    });
    expect(who.Faces.map((f) => f.Identity)).toEqual(['UNKNOWN', 'USER']);
    expect(who.Faces[0].Candidates[0].UserId).toBe('ana');
  });

  it('a lower threshold, or a false accept rate, names more', async () => {
    const weak = [0.7, 0.6, 0, Math.sqrt(1 - 0.49 - 0.36)];
    const at = (options: object, input: object = {}) =>
      service.executeExtension(
        'WhoIsInImage',
        { CollectionId: 'c', Image: image({ v: weak }), ...input },
        options,
      );
    expect((await at({})).Faces[0].Identity).toBe('UNKNOWN');
    const low = await at({}, { FaceMatchThreshold: 60 });
    expect(low.Faces[0].Identity).toBe('USER');
    expect(low.Faces[0].FalseAcceptRate?.Bound).toBe('INTERPOLATED');
    const byRate = await at({ maxFalseAcceptRate: 0.05 });
    expect(byRate.FaceMatchThreshold).toBeLessThan(70);
    expect(byRate.Faces[0].UserId).toBe('ana');
    await expect(
      at({ maxFalseAcceptRate: 0.05 }, { FaceMatchThreshold: 60 }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('faces under the quality filter are UNSEARCHED with reasons', async () => {
    const who = await service.executeExtension('WhoIsInImage', {
      CollectionId: 'c',
      Image: image({ v: ana }, { v: bo, h: 10 }),
      QualityFilter: 'LOW',
    });
    expect(who.Faces[1]).toMatchObject({ Identity: 'UNSEARCHED', Reasons: ['SMALL_BOUNDING_BOX'] });
  });

  it('validates like a Rekognition operation', async () => {
    for (const input of [
      { CollectionId: 'c' },
      { CollectionId: 'c', Image: image({ v: ana }), MaxFaces: 0 },
      { CollectionId: 'c', Image: image({ v: ana }), MaxCandidates: 11 },
      { CollectionId: 'c', Image: image({ v: ana }), Surprise: 1 },
    ]) {
      await expect(service.executeExtension('WhoIsInImage', input)).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
    await expect(
      service.executeExtension('WhoIsInImage', { CollectionId: 'nope', Image: image({ v: ana }) }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      service.executeExtension('ClusterEverything' as 'WhoIsInImage', {}),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('FacekitService.ExplainMatch', () => {
  it('a face and an image: Similarity, rate, both faces measured, the margin to the next person', async () => {
    const explained = await service.executeExtension('ExplainMatch', {
      CollectionId: 'c',
      FaceId: faceIds.ana,
      TargetImage: image({ v: anaTurned, h: 40, yaw: 10 }),
    });
    expect(explained.Similarity).toBeCloseTo(90, 4);
    expect(explained.Matched).toBe(true);
    expect(explained.Faces[0]).toMatchObject({
      FaceId: faceIds.ana,
      UserId: 'ana',
      MeasuredFrom: 'SOURCE_IMAGE',
      HeightPixels: 200,
      QualityScore: 1,
    });
    expect(explained.Faces[1]).toMatchObject({ MeasuredFrom: 'TARGET_IMAGE', Issues: ['SMALL'] });
    expect(explained.WeakerFace).toBe('TARGET');
    // The best other person for the target: cy's face or bo, both at cosine 0 → margin 90.
    expect(explained.NextBest?.UserId).not.toBe('ana');
    expect(explained.Margin).toBeCloseTo(90, 2);
    expect(validateShape('ExplainMatchResponse', explained, '')).toEqual([]);
  });

  it('two faces of the collection, a negative margin when the target is someone else', async () => {
    const explained = await service.executeExtension('ExplainMatch', {
      CollectionId: 'c',
      FaceId: faceIds.bo,
      TargetFaceId: faceIds.cy,
    });
    expect(explained.Matched).toBe(false);
    expect(explained.Similarity).toBe(0);
    expect(explained.WeakerFace).toBe('NEITHER');
    expect(explained.Margin).toBeLessThanOrEqual(0);
  });

  it('refuses neither or both targets, and faces not in the collection', async () => {
    const base = { CollectionId: 'c', FaceId: faceIds.ana };
    for (const input of [
      base,
      { ...base, TargetFaceId: faceIds.bo, TargetImage: image({ v: ana }) },
      { ...base, TargetFaceId: '00000000-0000-4000-8000-000000000000' },
      { ...base, TargetImage: image() },
    ]) {
      await expect(service.executeExtension('ExplainMatch', input)).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
  });
});
