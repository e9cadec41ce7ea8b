import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSdkFrontend, type WireObject } from '@facekit/conformance/api';
import {
  type Attribute,
  type FaceDetail,
  FaceService,
  type OperationName,
  operations,
  validateShape,
} from '@facekit/core';
import { attributeModels, createNodeFaceAnalyzer, faceModels } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { Transformer } from '@napi-rs/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkFrontendAuth } from './harnesses.js';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * FaceDetail attributes from the real models on real photos whose answer is not in doubt (each
 * face chosen by looking at the photo), asserted with a margin; and the whole attribute set over
 * the AWS SDK, checked against the API model's output shapes.
 */

const modelsDist = join(repoRoot, 'models/dist');
const modelsBuilt = [...Object.values(faceModels['1.0']), ...Object.values(attributeModels)].every(
  (id) => existsSync(join(modelsDist, `${id}.onnx`)),
);
const samplesDir = faceApiSamplesDir;
const datasetsDir = process.env.FACEKIT_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const dlibFaces = join(datasetsDir, 'dlib-faces/examples/faces');
const datasetsPresent = existsSync(dlibFaces);

const sample = (n: number) => new Uint8Array(readFileSync(join(samplesDir, `sample${n}.jpg`)));

type Analyzer = Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;
let analyzer: Analyzer | undefined;
const getAnalyzer = () => {
  if (!analyzer) throw new Error('analyzer not loaded');
  return analyzer;
};

beforeAll(async () => {
  if (modelsBuilt) analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
}, 30_000);
afterAll(async () => {
  await analyzer?.close();
});

/** Every face of a photo with ALL attributes, as wire FaceDetails. */
async function detailsOf(bytes: Uint8Array, attributes: Attribute[] = ['ALL']) {
  const analysis = await getAnalyzer().analyze(bytes, { attributes, embedLargest: 0 });
  return analysis.faces.map((f) => f.detail);
}

/**
 * The face of Confidence ≥ 70 whose box centre is nearest to (x, y), as fractions of the image;
 * fails unless one is within 0.06. Not 90: faces with closed eyes or turned far, which O-Net is
 * unsure of, report about 80 (see the README's "False faces").
 */
function faceAt(details: FaceDetail[], x: number, y: number): FaceDetail {
  const centre = (d: FaceDetail) => {
    const b = d.BoundingBox ?? {};
    return [(b.Left ?? 0) + (b.Width ?? 0) / 2, (b.Top ?? 0) + (b.Height ?? 0) / 2];
  };
  const ranked = details
    .filter((d) => (d.Confidence ?? 0) >= 70)
    .map((d) => ({ d, dist: Math.hypot(centre(d)[0] - x, centre(d)[1] - y) }))
    .sort((a, b) => a.dist - b.dist);
  expect(ranked[0]?.dist ?? 1, `a face near (${x}, ${y})`).toBeLessThan(0.06);
  return ranked[0].d;
}

const confident = (d: FaceDetail) => (d.Confidence ?? 0) >= 90;

describe.skipIf(!modelsBuilt)(
  modelsBuilt
    ? 'face attributes on the face-api sample photos'
    : 'face attributes (skipped: models/dist/*.onnx not built; run pnpm build)',
  () => {
    const details = new Map<number, FaceDetail[]>();
    beforeAll(async () => {
      for (const n of [1, 2, 3, 4, 5, 6]) details.set(n, await detailsOf(sample(n)));
    }, 60_000);
    const photo = (n: number) => details.get(n) ?? [];

    it('an open-mouthed laugh smiles with an open mouth, HAPPY first', () => {
      const d = faceAt(photo(1), 0.82, 0.25);
      expect(d.Smile).toEqual({ Value: true, Confidence: expect.any(Number) });
      expect(d.Smile?.Confidence).toBeGreaterThanOrEqual(90);
      expect(d.MouthOpen?.Value).toBe(true);
      expect(d.MouthOpen?.Confidence).toBeGreaterThanOrEqual(90);
      expect(d.Emotions?.[0]).toMatchObject({ Type: 'HAPPY' });
      expect(d.Emotions?.[0].Confidence).toBeGreaterThanOrEqual(90);
    });

    it('a pout neither smiles nor opens the mouth', () => {
      const d = faceAt(photo(6), 0.66, 0.29);
      expect(d.Smile?.Value).toBe(false);
      expect(d.Smile?.Confidence).toBeGreaterThanOrEqual(90);
      expect(d.MouthOpen?.Value).toBe(false);
      expect(d.MouthOpen?.Confidence).toBeGreaterThanOrEqual(90);
      expect(d.Emotions?.[0].Type).toBe('CALM');
    });

    it('eyes closed (looking down, lids shut) and eyes wide open', () => {
      for (const [n, x, y] of [
        [1, 0.48, 0.42],
        [2, 0.8, 0.2],
        [2, 0.51, 0.25],
      ]) {
        const d = faceAt(photo(n), x, y);
        expect(d.EyesOpen?.Value, `sample${n} (${x}, ${y})`).toBe(false);
        expect(d.EyesOpen?.Confidence).toBeGreaterThanOrEqual(90);
      }
      const open = photo(3).filter(confident);
      expect(open).toHaveLength(3);
      for (const d of open) {
        expect(d.EyesOpen?.Value).toBe(true);
        expect(d.EyesOpen?.Confidence).toBeGreaterThanOrEqual(90);
      }
    });

    it('a head turned far to the side has a large yaw; eyes turned back to the camera', () => {
      expect(faceAt(photo(2), 0.23, 0.2).Pose?.Yaw).toBeLessThan(-45);
      // Heads turned over 35° whose eyes look into the camera: the gaze turns the other way.
      for (const [n, x, y] of [
        [4, 0.18, 0.22],
        [5, 0.36, 0.39],
        [5, 0.78, 0.38],
      ]) {
        const d = faceAt(photo(n), x, y);
        const head = d.Pose?.Yaw ?? 0;
        expect(Math.abs(head)).toBeGreaterThan(35);
        expect(d.EyeDirection).toEqual({
          Yaw: expect.any(Number),
          Pitch: expect.any(Number),
          Confidence: expect.any(Number),
        });
        expect(Math.sign(d.EyeDirection?.Yaw ?? 0), `sample${n} (${x}, ${y})`).toBe(
          -Math.sign(head),
        );
        expect(Math.abs(d.EyeDirection?.Yaw ?? 0)).toBeGreaterThan(10);
      }
    });

    it('the women of the photos are Female; the young adults are aged in their 10s to 40s', () => {
      for (const n of [3, 6]) {
        for (const d of photo(n).filter(confident)) {
          expect(d.Gender?.Value).toBe('Female');
          expect(d.Gender?.Confidence).toBeGreaterThanOrEqual(80);
        }
      }
      for (const n of [1, 2, 3, 4, 5, 6]) {
        for (const d of photo(n).filter(confident)) {
          expect(d.AgeRange?.Low).toBeGreaterThanOrEqual(10);
          expect(d.AgeRange?.High).toBeLessThanOrEqual(50);
          expect(d.AgeRange?.Low).toBeLessThan(d.AgeRange?.High ?? 0);
        }
      }
    });

    it('a face cut off by the image border below the nose is occluded; whole faces are not', async () => {
      const bytes = sample(3);
      const whole = faceAt(photo(3), 0.62, 0.26);
      expect(whole.FaceOccluded).toEqual({ Value: false, Confidence: 75 });
      const { Width: w = 0, Height: h = 0, Left: l = 0, Top: t = 0 } = whole.BoundingBox ?? {};
      const meta = await new Transformer(bytes).metadata();
      const left = Math.max(0, Math.round((l - w) * meta.width));
      const top = Math.max(0, Math.round((t - h) * meta.height));
      const bottom = Math.round((t + 0.7 * h) * meta.height);
      const cut = await new Transformer(bytes)
        .crop(left, top, Math.min(meta.width - left, Math.round(3 * w * meta.width)), bottom - top)
        .png();
      const faces = await detailsOf(new Uint8Array(cut), ['FACE_OCCLUDED']);
      const d = faces.sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0))[0];
      expect(d.FaceOccluded?.Value).toBe(true);
      expect(d.FaceOccluded?.Confidence).toBeGreaterThanOrEqual(90);
      expect(Object.keys(d)).not.toContain('AgeRange');
    });

    it('onnxruntime-web gives the same attributes as onnxruntime-node', async () => {
      const web = await createNodeFaceAnalyzer({ faceModelVersion: '1.0', runtime: 'web' });
      try {
        const node = photo(1);
        const analysis = await web.analyze(sample(1), { attributes: ['ALL'], embedLargest: 0 });
        const got = analysis.faces.map((f) => f.detail);
        expect(got).toHaveLength(node.length);
        got.forEach((d, i) => {
          expect(d.AgeRange).toEqual(node[i].AgeRange);
          expect(d.Gender?.Value).toBe(node[i].Gender?.Value);
          expect(d.Gender?.Confidence).toBeCloseTo(node[i].Gender?.Confidence ?? -1, 1);
          expect(d.Emotions?.map((e) => e.Type)).toEqual(node[i].Emotions?.map((e) => e.Type));
          expect(d.EyesOpen?.Confidence).toBeCloseTo(node[i].EyesOpen?.Confidence ?? -1, 1);
          expect(d.Smile?.Value).toBe(node[i].Smile?.Value);
        });
      } finally {
        await web.close();
      }
    }, 60_000);

    it('every FaceDetail of every photo is valid against the API model', () => {
      for (const [n, list] of details) {
        for (const d of list) {
          expect(validateShape('FaceDetail', d, `sample${n}`)).toEqual([]);
          for (const member of ['Eyeglasses', 'Sunglasses', 'Beard', 'Mustache']) {
            expect(d, 'no model: never returned').not.toHaveProperty(member);
          }
        }
      }
    });
  },
);

describe.skipIf(!modelsBuilt || !datasetsPresent)(
  !modelsBuilt
    ? 'face attributes on dlib example photos (skipped: models not built)'
    : datasetsPresent
      ? `face attributes on dlib example photos in ${dlibFaces}`
      : `face attributes on dlib example photos (skipped: ${dlibFaces} not found; set FACEKIT_DATASETS)`,
  () => {
    const photo = (name: string) => detailsOf(new Uint8Array(readFileSync(join(dlibFaces, name))));

    it('a child is younger than every one of a group of elderly people', async () => {
      const child = faceAt(await photo('2008_001009.jpg'), 0.51, 0.24);
      expect(child.AgeRange?.High).toBeLessThanOrEqual(22);
      const elderly = (await photo('2007_007763.jpg')).filter(confident);
      expect(elderly).toHaveLength(7);
      for (const d of elderly) {
        const { Low = 0, High = 0 } = d.AgeRange ?? {};
        expect(High).toBeGreaterThanOrEqual(60);
        expect((Low + High) / 2).toBeGreaterThanOrEqual(50);
        expect(Low).toBeGreaterThan(child.AgeRange?.High ?? 100);
      }
      const oldMan = faceAt(await photo('2008_001322.jpg'), 0.8, 0.53);
      expect(oldMan.AgeRange?.Low).toBeGreaterThanOrEqual(50);
    });

    const upsideDown = join(
      datasetsDir,
      'widerface-val-subset/data/WIDER_val/images/20--Family_Group/20_Family_Group_Family_Group_20_90.jpg',
    );
    it.skipIf(!existsSync(upsideDown))(
      'a toddler in a photo taken upside down (found by the turned search) is a small child',
      async () => {
        const faces = await detailsOf(new Uint8Array(readFileSync(upsideDown)));
        const toddler = faceAt(faces, 0.47, 0.78);
        expect(Math.abs(toddler.Pose?.Roll ?? 0)).toBeGreaterThan(150);
        expect(toddler.AgeRange?.High).toBeLessThanOrEqual(10);
      },
    );

    it('men are Male; a grimace is not a smile', async () => {
      const three = (await photo('2008_002506.jpg')).filter(confident);
      expect(three).toHaveLength(3);
      for (const d of three) {
        expect(d.Gender?.Value).toBe('Male');
        expect(d.Gender?.Confidence).toBeGreaterThanOrEqual(90);
      }
      const grimace = faceAt(three, 0.54, 0.37);
      expect(['ANGRY', 'DISGUSTED']).toContain(grimace.Emotions?.[0].Type);
      expect(grimace.Smile?.Value).toBe(false);
      const oldMan = faceAt(await photo('2008_001322.jpg'), 0.8, 0.53);
      expect(oldMan.Gender).toMatchObject({ Value: 'Male' });
    });
  },
);

describe.skipIf(!modelsBuilt)(
  modelsBuilt
    ? 'attributes through the AWS SDK over HTTP'
    : 'attributes through the AWS SDK (skipped: models not built)',
  () => {
    let close: () => Promise<void>;
    let call: (operation: OperationName, input: WireObject) => Promise<WireObject>;

    beforeAll(async () => {
      const { serve } = await import('@facekit/server-hono/node');
      const store = createMemoryFaceStore();
      const service = new FaceService({ store, analyzers: [getAnalyzer()] });
      const server = await serve({
        service,
        port: 0,
        hostname: '127.0.0.1',
        auth: sdkFrontendAuth('000000000000'),
      });
      const frontend = createSdkFrontend({ endpoint: server.url, region: 'us-east-1' });
      call = async (operation, input) => {
        const output = await frontend.call(operation, input);
        expect(validateShape(operations[operation].output, output, ''), operation).toEqual([]);
        return output;
      };
      close = async () => {
        frontend.client.destroy();
        await server.close();
        await store.close();
      };
    });
    afterAll(async () => {
      await close?.();
    });

    const image = (bytes: Uint8Array) => ({ Bytes: Buffer.from(bytes).toString('base64') });

    it('DetectFaces with ALL returns every attribute facekit computes, valid on the wire', async () => {
      const out = await call('DetectFaces', { Image: image(sample(1)), Attributes: ['ALL'] });
      const details = (out.FaceDetails as FaceDetail[]).filter(confident);
      expect(details).toHaveLength(3);
      for (const d of details) {
        for (const member of [
          'BoundingBox',
          'AgeRange',
          'Smile',
          'Gender',
          'EyesOpen',
          'MouthOpen',
          'Emotions',
          'Landmarks',
          'Pose',
          'Quality',
          'Confidence',
          'FaceOccluded',
          'EyeDirection',
        ]) {
          expect(d, member).toHaveProperty(member);
        }
        expect(d.Landmarks).toHaveLength(30);
        expect(d.Emotions).toHaveLength(8);
        expect(d).not.toHaveProperty('Beard');
      }
    }, 30_000);

    it('IndexFaces computes only the DetectionAttributes asked for', async () => {
      await call('CreateCollection', { CollectionId: 'attributes' });
      const index = async (DetectionAttributes?: Attribute[]) => {
        const out = await call('IndexFaces', {
          CollectionId: 'attributes',
          Image: image(sample(3)),
          ...(DetectionAttributes ? { DetectionAttributes } : {}),
        });
        const records = out.FaceRecords as { FaceDetail: FaceDetail }[];
        expect(records.length).toBeGreaterThanOrEqual(3);
        return records.map((r) => r.FaceDetail);
      };
      for (const d of await index()) {
        expect(Object.keys(d).sort()).toEqual(
          ['BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality'].sort(),
        );
      }
      for (const d of await index(['AGE_RANGE', 'EYES_OPEN'])) {
        expect(d).toHaveProperty('AgeRange');
        expect(d).toHaveProperty('EyesOpen');
        expect(d).not.toHaveProperty('Emotions');
        expect(d).not.toHaveProperty('Gender');
        expect(d.Landmarks).toHaveLength(5);
      }
    }, 30_000);
  },
);
