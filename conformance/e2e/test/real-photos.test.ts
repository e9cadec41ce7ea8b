import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ApiCallError,
  type ApiHarness,
  createSdkFrontend,
  createServiceFrontend,
  isFrontendLimitation,
  type WireObject,
} from '@facekit/conformance/api';
import {
  type FaceAnalyzer,
  FaceService,
  type OperationName,
  operations,
  validateShape,
} from '@facekit/core';
import { createNodeFaceAnalyzer, faceModels } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { Transformer } from '@napi-rs/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFrontend } from './cli-frontend.js';
import { sdkFrontendAuth } from './harnesses.js';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * The real pipeline (ONNX detector, landmarks, embedder) behind the real service, reached through
 * the AWS SDK over HTTP and in-process, on real photographs. The face-api sample photos come from
 * an npm devDependency of `models`, so this runs on a fresh clone once the models are built.
 */

const modelsDist = join(repoRoot, 'models/dist');
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(modelsDist, `${id}.onnx`)),
);
const samplesDir = faceApiSamplesDir;
const datasetsDir = process.env.FACEKIT_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const datasetsPresent = existsSync(join(datasetsDir, 'deepface/tests/unit/dataset'));

const DEFAULT_LANDMARKS = ['eyeLeft', 'eyeRight', 'mouthLeft', 'mouthRight', 'nose'];

type Box = { Width: number; Height: number; Left: number; Top: number };
type Landmark = { Type: string; X: number; Y: number };

const sample = (n: number) => new Uint8Array(readFileSync(join(samplesDir, `sample${n}.jpg`)));
const image = (bytes: Uint8Array) => ({ Bytes: Buffer.from(bytes).toString('base64') });

function iou(a: Box, b: Box): number {
  const w = Math.min(a.Left + a.Width, b.Left + b.Width) - Math.max(a.Left, b.Left);
  const h = Math.min(a.Top + a.Height, b.Top + b.Height) - Math.max(a.Top, b.Top);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.Width * a.Height + b.Width * b.Height - inter);
}

/** A horizontal-and-vertical RGB gradient: no face anywhere. */
function gradient(width: number, height: number): Transformer {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = Math.round((255 * x) / width);
      rgba[i + 1] = Math.round((255 * y) / height);
      rgba[i + 2] = 128;
      rgba[i + 3] = 255;
    }
  }
  return Transformer.fromRgbaPixels(rgba, width, height);
}

/** A service with the real analyzer, reached through one frontend. */
type HarnessFactory = (analyzer: FaceAnalyzer) => Promise<ApiHarness>;

const harnesses: [string, HarnessFactory][] = [
  [
    'AWS SDK over HTTP',
    async (analyzer) => {
      const { serve } = await import('@facekit/server-hono/node');
      const store = createMemoryFaceStore();
      const service = new FaceService({
        store,
        analyzers: [analyzer],
        region: 'us-west-2',
        accountId: '210987654321',
      });
      const server = await serve({
        service,
        port: 0,
        hostname: '127.0.0.1',
        auth: sdkFrontendAuth('210987654321'),
      });
      const frontend = createSdkFrontend({ endpoint: server.url, region: 'us-west-2' });
      return {
        frontend,
        store,
        region: 'us-west-2',
        accountId: '210987654321',
        async close() {
          frontend.client.destroy();
          await server.close();
          await store.close();
        },
      };
    },
  ],
  [
    'facekit CLI --endpoint (through the AWS SDK)',
    async (analyzer) => {
      const { serve } = await import('@facekit/server-hono/node');
      const store = createMemoryFaceStore();
      const service = new FaceService({
        store,
        analyzers: [analyzer],
        region: 'us-west-2',
        accountId: '210987654321',
      });
      const server = await serve({
        service,
        port: 0,
        hostname: '127.0.0.1',
        auth: sdkFrontendAuth('210987654321'),
      });
      const frontend = createCliFrontend({
        name: 'facekit CLI (--endpoint)',
        env: {
          FACEKIT_ENDPOINT: server.url,
          AWS_REGION: 'us-west-2',
          AWS_ACCESS_KEY_ID: 'AKIDFACEKITTEST',
          AWS_SECRET_ACCESS_KEY: 'facekit-test-secret',
        },
        tokensOutliveRuns: true,
      });
      return {
        frontend,
        store,
        region: 'us-west-2',
        accountId: '210987654321',
        async close() {
          frontend.close();
          await server.close();
          await store.close();
        },
      };
    },
  ],
  [
    'core service',
    async (analyzer) => {
      const store = createMemoryFaceStore();
      const service = new FaceService({
        store,
        analyzers: [analyzer],
        region: 'eu-west-1',
        accountId: '123456789012',
      });
      return {
        frontend: createServiceFrontend(service),
        store,
        region: 'eu-west-1',
        accountId: '123456789012',
        close: () => store.close(),
      };
    },
  ],
];

/** Calls through the harness and checks every success against the API model's output shape. */
function caller(get: () => ApiHarness) {
  async function call(operation: OperationName, input: WireObject): Promise<WireObject> {
    const output = await get().frontend.call(operation, input);
    expect(validateShape(operations[operation].output, output, ''), operation).toEqual([]);
    return output;
  }
  async function expectError(operation: OperationName, input: WireObject, name: string) {
    const error = await get()
      .frontend.call(operation, input)
      .then(
        (output) => {
          throw new Error(`${operation} succeeded unexpectedly: ${JSON.stringify(output)}`);
        },
        (e: ApiCallError) => e,
      );
    // A request the frontend cannot send (the CLI takes images as files, not S3 objects).
    if (isFrontendLimitation(error)) return error;
    expect(`${error.name}: ${error.message}`).toMatch(new RegExp(`^${name}: `));
    if (error.httpStatus !== undefined) expect(error.httpStatus).toBe(400);
    return error;
  }
  return { call, expectError };
}

let analyzer: (FaceAnalyzer & { close(): Promise<void> }) | undefined;
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

describe.skipIf(!modelsBuilt)(
  modelsBuilt
    ? 'real photos through the real pipeline'
    : 'real photos (skipped: models/dist/*.onnx not built; run pnpm build)',
  // Each image operation runs real networks; on a busy 2-core machine the first (which loads the
  // attribute models) has taken over 5 s.
  { timeout: 30_000 },
  () => {
    const photo1 = sample(1);
    /** Set in beforeAll: the derived crop of photo1's largest confident face. */
    let derived: Uint8Array;
    let derivedBox: Box;
    let noFaceJpeg: Uint8Array;
    let noFacePng: Uint8Array;
    let noFaceWebp: Uint8Array;
    let tinyJpeg: Uint8Array;

    beforeAll(async () => {
      const analysis = await getAnalyzer().analyze(photo1, { attributes: [], embedLargest: 0 });
      // The largest *confident* face: the detector's largest box in sample1 is not a face.
      const face = analysis.faces
        .filter((f) => (f.detail.Confidence ?? 0) >= 99)
        .sort((a, b) => b.heightPx - a.heightPx)[0];
      expect(face).toBeDefined();
      derivedBox = face.detail.BoundingBox as Box;
      const { width, height } = analysis;
      const bw = derivedBox.Width * width;
      const bh = derivedBox.Height * height;
      const left = Math.max(0, Math.round(derivedBox.Left * width - 0.6 * bw));
      const top = Math.max(0, Math.round(derivedBox.Top * height - 0.6 * bh));
      const cropW = Math.min(width - left, Math.round(2.2 * bw));
      const cropH = Math.min(height - top, Math.round(2.2 * bh));
      const outW = Math.round(cropW * 0.8);
      const outH = Math.round(cropH * 0.8);
      expect(Math.min(outW, outH)).toBeGreaterThanOrEqual(80);
      // Two passes: one Transformer resizes before it crops, whatever the call order.
      const cropped = await new Transformer(photo1).crop(left, top, cropW, cropH).png();
      derived = new Uint8Array(await new Transformer(cropped).resize(outW, outH).jpeg(88));
      const meta = await new Transformer(derived).metadata();
      expect(meta.width).toBe(outW);
      expect(meta.height).toBe(outH);

      noFaceJpeg = new Uint8Array(await gradient(200, 150).jpeg(90));
      noFacePng = new Uint8Array(await gradient(200, 150).png());
      noFaceWebp = new Uint8Array(await gradient(200, 150).webp(90));
      tinyJpeg = new Uint8Array(await gradient(60, 60).jpeg(90));
    }, 20_000);

    describe.each(harnesses)('%s', (_name, factory) => {
      let harness: ApiHarness;
      const { call, expectError } = caller(() => harness);
      /** IndexFaces of sample1.jpg into collection `photos`, once per frontend. */
      let indexed: WireObject;
      let targetFaceId: string;

      beforeAll(async () => {
        harness = await factory(getAnalyzer());
        await call('CreateCollection', { CollectionId: 'photos' });
        indexed = await call('IndexFaces', {
          CollectionId: 'photos',
          ExternalImageId: 'sample1.jpg',
          Image: image(photo1),
        });
        const records = indexed.FaceRecords as { Face: { FaceId: string; BoundingBox: Box } }[];
        const target = records.find((r) => iou(r.Face.BoundingBox, derivedBox) > 0.9);
        expect(target, 'the derived face was indexed').toBeDefined();
        targetFaceId = target?.Face.FaceId ?? '';
      }, 20_000);
      afterAll(async () => {
        await harness?.close();
      });

      it('DetectFaces finds the faces of sample1.jpg with DEFAULT and ALL details', async () => {
        const out = await call('DetectFaces', { Image: image(photo1) });
        const details = out.FaceDetails as WireObject[];
        expect(details.length).toBeGreaterThanOrEqual(2);
        for (const detail of details) {
          const box = detail.BoundingBox as Box;
          for (const v of [box.Left, box.Top, box.Left + box.Width, box.Top + box.Height]) {
            expect(v).toBeGreaterThanOrEqual(-0.1);
            expect(v).toBeLessThanOrEqual(1.1);
          }
          expect(box.Width).toBeGreaterThan(0);
          expect(box.Height).toBeGreaterThan(0);
          expect(detail.Confidence).toBeGreaterThanOrEqual(0);
          expect(detail.Confidence).toBeLessThanOrEqual(100);
          const types = (detail.Landmarks as Landmark[]).map((l) => l.Type).sort();
          expect(types).toEqual(DEFAULT_LANDMARKS);
          expect(detail.Pose).toEqual({
            Roll: expect.any(Number),
            Yaw: expect.any(Number),
            Pitch: expect.any(Number),
          });
          expect(detail.Quality).toEqual({
            Brightness: expect.any(Number),
            Sharpness: expect.any(Number),
          });
        }

        const all = await call('DetectFaces', { Image: image(photo1), Attributes: ['ALL'] });
        const allDetails = all.FaceDetails as WireObject[];
        expect(allDetails.length).toBe(details.length);
        for (const detail of allDetails) {
          const types = new Set((detail.Landmarks as Landmark[]).map((l) => l.Type));
          expect(types.size).toBe(30);
          for (const t of [...DEFAULT_LANDMARKS, 'leftPupil', 'chinBottom', 'upperJawlineRight']) {
            expect(types).toContain(t);
          }
        }
      });

      it('IndexFaces stores each face of an image once; ListFaces agrees', async () => {
        expect(indexed.FaceModelVersion).toBe('1.0');
        const records = indexed.FaceRecords as { Face: WireObject; FaceDetail: WireObject }[];
        expect(records.length).toBeGreaterThanOrEqual(2);
        for (const record of records) {
          expect(record.Face).toMatchObject({
            FaceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            ImageId: expect.any(String),
            ExternalImageId: 'sample1.jpg',
            IndexFacesModelVersion: '1.0',
          });
          expect(record.FaceDetail.BoundingBox).toEqual(record.Face.BoundingBox);
        }
        const ids = records.map((r) => r.Face.FaceId).sort();
        const listed = await call('ListFaces', { CollectionId: 'photos' });
        expect((listed.Faces as WireObject[]).map((f) => f.FaceId).sort()).toEqual(ids);

        const before = await call('DescribeCollection', { CollectionId: 'photos' });
        expect(before.FaceCount).toBe(ids.length);
        await call('IndexFaces', {
          CollectionId: 'photos',
          ExternalImageId: 'sample1.jpg',
          Image: image(photo1),
        });
        const after = await call('DescribeCollection', { CollectionId: 'photos' });
        expect(after.FaceCount).toBe(before.FaceCount);
      });

      it('SearchFacesByImage: the derived crop finds its own face and no other', async () => {
        const out = await call('SearchFacesByImage', {
          CollectionId: 'photos',
          Image: image(derived),
        });
        const matches = out.FaceMatches as { Similarity: number; Face: WireObject }[];
        expect(matches.length).toBeGreaterThanOrEqual(1);
        expect(matches[0].Face.FaceId).toBe(targetFaceId);
        expect(matches[0].Similarity).toBeGreaterThanOrEqual(90);
        // The other people in sample1.jpg are indexed too, and are different people.
        expect(matches.map((m) => m.Face.FaceId)).toEqual([targetFaceId]);
        expect(out.FaceModelVersion).toBe('1.0');
      });

      it('CompareFaces: the crop matches its own face in sample1.jpg, no other', async () => {
        const detected = await call('DetectFaces', { Image: image(photo1) });
        const out = await call('CompareFaces', {
          SourceImage: image(derived),
          TargetImage: image(photo1),
        });
        const matches = out.FaceMatches as { Similarity: number; Face: { BoundingBox: Box } }[];
        expect(matches).toHaveLength(1);
        expect(matches[0].Similarity).toBeGreaterThanOrEqual(90);
        expect(iou(matches[0].Face.BoundingBox, derivedBox)).toBeGreaterThan(0.5);
        expect((out.UnmatchedFaces as WireObject[]).length).toBe(
          (detected.FaceDetails as WireObject[]).length - 1,
        );
      });

      it('SearchUsersByImage finds the user the face is associated with', async () => {
        await call('CreateUser', { CollectionId: 'photos', UserId: 'right-woman' });
        await call('AssociateFaces', {
          CollectionId: 'photos',
          UserId: 'right-woman',
          FaceIds: [targetFaceId],
        });
        const out = await call('SearchUsersByImage', {
          CollectionId: 'photos',
          Image: image(derived),
        });
        const matches = out.UserMatches as { Similarity: number; User: { UserId: string } }[];
        expect(matches.map((m) => m.User.UserId)).toEqual(['right-woman']);
        expect(matches[0].Similarity).toBeGreaterThanOrEqual(90);
      });

      it('an image without a face: no details, no search face, no users', async () => {
        expect(await call('DetectFaces', { Image: image(noFaceJpeg) })).toMatchObject({
          FaceDetails: [],
        });
        expect(await call('DetectFaces', { Image: image(noFacePng) })).toMatchObject({
          FaceDetails: [],
        });
        await expectError(
          'SearchFacesByImage',
          { CollectionId: 'photos', Image: image(noFaceJpeg) },
          'InvalidParameterException',
        );
        const users = await call('SearchUsersByImage', {
          CollectionId: 'photos',
          Image: image(noFaceJpeg),
        });
        expect(users.UserMatches).toEqual([]);
      });

      it('refuses WebP, random bytes, tiny images and S3 objects', async () => {
        await expectError(
          'DetectFaces',
          { Image: image(noFaceWebp) },
          'InvalidImageFormatException',
        );
        const random = new Uint8Array(4096);
        crypto.getRandomValues(random);
        await expectError('DetectFaces', { Image: image(random) }, 'InvalidImageFormatException');
        await expectError('DetectFaces', { Image: image(tinyJpeg) }, 'InvalidParameterException');
        await expectError(
          'DetectFaces',
          { Image: { S3Object: { Bucket: 'photos', Name: 'sample1.jpg' } } },
          'InvalidS3ObjectException',
        );
      });
    });
  },
);

const datasetFile = (path: string) => new Uint8Array(readFileSync(join(datasetsDir, path)));
const isWebp = (bytes: Uint8Array) =>
  new TextDecoder().decode(bytes.subarray(0, 4)) === 'RIFF' &&
  new TextDecoder().decode(bytes.subarray(8, 12)) === 'WEBP';

describe.skipIf(!modelsBuilt || !datasetsPresent)(
  !modelsBuilt
    ? 'labelled datasets (skipped: models/dist/*.onnx not built)'
    : datasetsPresent
      ? `labelled datasets in ${datasetsDir} (AWS SDK over HTTP)`
      : 'labelled datasets (skipped: ../shared/datasets not found)',
  { timeout: 30_000 },
  () => {
    const deepface = 'deepface/tests/unit/dataset';
    let harness: ApiHarness;
    const { call, expectError } = caller(() => harness);

    beforeAll(async () => {
      harness = await harnesses[0][1](getAnalyzer());
    });
    afterAll(async () => {
      await harness?.close();
    });

    /** The first `n` pivot pairs with this decision whose files are both JPEG or PNG. */
    function pivotPairs(decision: 'Yes' | 'No', n: number): [string, string][] {
      const csv = readFileSync(join(datasetsDir, deepface, 'face-recognition-pivot.csv'), 'utf8');
      return csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .filter((cols) => cols[2] === decision)
        .map((cols): [string, string] => [
          join(deepface, cols[0].replace('deepface/tests/dataset/', '')),
          join(deepface, cols[1].replace('deepface/tests/dataset/', '')),
        ])
        .filter((pair) => pair.every((p) => !isWebp(datasetFile(p))))
        .slice(0, n);
    }

    async function compare(x: string, y: string) {
      const out = await call('CompareFaces', {
        SourceImage: image(datasetFile(x)),
        TargetImage: image(datasetFile(y)),
        SimilarityThreshold: 0,
      });
      const similarities = (out.FaceMatches as { Similarity: number }[]).map((m) => m.Similarity);
      return Math.max(0, ...similarities);
    }

    it('the same person matches at ≥ 80 (first 5 "Yes" pivot pairs)', async () => {
      const pairs = pivotPairs('Yes', 5);
      expect(pairs).toHaveLength(5);
      for (const [x, y] of pairs)
        expect(await compare(x, y), `${x} ~ ${y}`).toBeGreaterThanOrEqual(80);
    }, 30_000);

    it('different people do not match at 80 (first 5 "No" pivot pairs)', async () => {
      const pairs = pivotPairs('No', 5);
      expect(pairs).toHaveLength(5);
      for (const [x, y] of pairs) expect(await compare(x, y), `${x} ≁ ${y}`).toBeLessThan(80);
    }, 30_000);

    it('applies EXIF orientation: the rotated Obama photo gives an upright face', async () => {
      const out = await call('DetectFaces', {
        Image: image(datasetFile('misc/derived/obama_exif_orient6_derived.jpg')),
      });
      const details = out.FaceDetails as { Landmarks: Landmark[] }[];
      expect(details.length).toBeGreaterThanOrEqual(1);
      const y = (type: string) => details[0].Landmarks.find((l) => l.Type === type)?.Y ?? NaN;
      for (const eye of ['eyeLeft', 'eyeRight']) {
        for (const mouth of ['mouthLeft', 'mouthRight']) expect(y(eye)).toBeLessThan(y(mouth));
      }
    });

    it('finds a face in a grayscale JPEG and in a PNG', async () => {
      const gray = await call('DetectFaces', {
        Image: image(datasetFile('misc/derived/obama2_grayscale_derived.jpg')),
      });
      expect((gray.FaceDetails as WireObject[]).length).toBeGreaterThanOrEqual(1);
      const astronaut = await call('DetectFaces', {
        Image: image(datasetFile('misc/debian-skimage/astronaut.png')),
      });
      expect(astronaut.FaceDetails as WireObject[]).toHaveLength(1);
    });

    it('a WebP named .jpg is InvalidImageFormatException; a coffee cup has no face', async () => {
      await expectError(
        'DetectFaces',
        { Image: image(datasetFile(`${deepface}/img47.jpg`)) },
        'InvalidImageFormatException',
      );
      const coffee = await call('DetectFaces', {
        Image: image(datasetFile('misc/debian-skimage/coffee.png')),
      });
      expect(coffee.FaceDetails).toEqual([]);
    });
  },
);
