import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeModel } from '../../src/build/describe-model.js';
import {
  convertDlibResnet,
  dlibResnetRecipe,
  faceApiPackage,
} from '../../src/convert/dlib-resnet.js';
import { decodeOnnxModel } from '../../src/convert/onnx-writer.js';
import type { RecipeContext } from '../../src/model-recipe.js';
import { faceApiDir, loadFaceApiReference } from './face-api-reference.js';

const SIZE = 150;
const PLANE = SIZE * SIZE;

// Real photographs, read-only, outside the repository: ../shared/datasets next to the repo root.
const datasets = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url));
const photosDir = join(datasets, 'face_recognition/examples/knn_examples/train');
const people: Record<string, [string, string]> = {
  biden: ['biden.jpg', 'biden2.jpg'],
  kit_harington: ['john1.jpeg', 'john2.jpeg'],
  obama: ['obama.jpg', 'obama2.jpg'],
  rose_leslie: ['img1.jpg', 'img2.jpg'],
};
const hasPhotos = existsSync(photosDir);

let model: Uint8Array;
let session: ort.InferenceSession;

beforeAll(async () => {
  const started = performance.now();
  model = convertDlibResnet(faceApiDir);
  const ms = performance.now() - started;
  console.info(`dlib ResNet: converted in ${ms.toFixed(0)} ms, ${model.byteLength} bytes`);
  session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
}, 60_000);

/**
 * NHWC pixels (0–255, RGB) → the model's NCHW input, normalised with the recipe's mean/std
 * (as the pipeline will do it from the manifest).
 */
function toModelInput(nhwc: Float32Array, batch: number): ort.Tensor {
  const { mean, std } = dlibResnetRecipe.input;
  const out = new Float32Array(batch * 3 * PLANE);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < PLANE; i++) {
        out[(n * 3 + c) * PLANE + i] = (nhwc[(n * PLANE + i) * 3 + c] - mean[c]) / std[c];
      }
    }
  }
  return new ort.Tensor('float32', out, [batch, 3, SIZE, SIZE]);
}

async function embed(nhwc: Float32Array, batch: number): Promise<Float32Array> {
  const result = await session.run({ input: toModelInput(nhwc, batch) });
  return result.embedding.data as Float32Array;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function euclidean(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

describe('dlib ResNet conversion from @vladmandic/face-api', () => {
  it('writes the graph its recipe describes', () => {
    const decoded = decodeOnnxModel(model);
    expect(decoded.opsetVersion).toBe(13);
    expect(decoded.inputs).toEqual([{ name: 'input', dims: ['N', 3, 150, 150] }]);
    expect(decoded.outputs).toEqual([{ name: 'embedding', dims: ['N', 128] }]);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['embedding']);
    expect(decoded.metadata).toMatchObject({
      id: 'dlib-resnet-128',
      layout: 'NCHW',
      channels: 'RGB',
      mean: '122.782,117.001,104.298',
      std: '255,255,255',
    });
    // 29 convolutions: the stem and two per residual block (14 blocks).
    expect(decoded.nodes.filter((op) => op === 'Conv')).toHaveLength(29);
    // 117 TF.js weights, as 4 initializers per conv layer and `fc`; plus 5 Pad amounts.
    expect(decoded.initializers).toHaveLength(29 * 4 + 1 + 5);
  });

  it('is deterministic, so its sha256 can be pinned', () => {
    expect(Buffer.from(convertDlibResnet(faceApiDir)).equals(Buffer.from(model))).toBe(true);
  });

  it('produces the same bytes through its recipe, which describes them', async () => {
    const context: RecipeContext = {
      packages: {
        async read(pkg, path) {
          expect(pkg).toBe(faceApiPackage);
          return new Uint8Array(readFileSync(join(faceApiDir, path)));
        },
      },
    };
    const bytes = await dlibResnetRecipe.produce(context);
    expect(Buffer.from(bytes).equals(Buffer.from(model))).toBe(true);
    const entry = await describeModel(dlibResnetRecipe, bytes);
    expect(entry).toMatchObject({
      id: 'dlib-resnet-128',
      task: 'embedding',
      source: {
        package: '@vladmandic/face-api@1.7.15',
        file: 'model/face_recognition_model-weights_manifest.json',
        method: 'converted',
      },
      input: { name: 'input', dims: [-1, 3, 150, 150], layout: 'NCHW', channels: 'RGB' },
      outputs: [{ name: 'embedding', dims: [-1, 128] }],
    });
  });

  it('refuses another version of the source package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'facekit-face-api-'));
    try {
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: '@vladmandic/face-api', version: '1.7.14' }),
      );
      expect(() => convertDlibResnet(dir)).toThrow(/@vladmandic\/face-api@1\.7\.15/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('matches face-api in TF.js on a batch of random pixels', async () => {
    const ref = await loadFaceApiReference();
    // Deterministic pseudo-random pixels 0–255 (a 32-bit LCG), two images in one batch.
    const pixels = new Float32Array(2 * PLANE * 3);
    let state = 12345;
    for (let i = 0; i < pixels.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      pixels[i] = state >>> 24;
    }
    const images = [0, 1].map((n) =>
      ref.tf.tensor3d(pixels.subarray(n * PLANE * 3, (n + 1) * PLANE * 3), [SIZE, SIZE, 3]),
    );
    const expected = await ref.describe(images);
    for (const image of images) image.dispose();
    const actual = await embed(pixels, 2);
    const diff = maxAbsDiff(actual, [...expected[0], ...expected[1]]);
    console.info(
      `dlib ResNet: random pixels, batch of 2: max |ONNX − TF.js| = ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});

describe.skipIf(!hasPhotos)(
  hasPhotos
    ? 'dlib ResNet on real face photos (../shared/datasets)'
    : 'dlib ResNet on real face photos (skipped: ../shared/datasets not found)',
  () => {
    interface Face {
      person: string;
      file: string;
      /** face-api's descriptor, in TF.js. */
      tfjs: Float32Array;
      /** The converted model's, in onnxruntime-node. */
      onnx: Float32Array;
      pixels: Float32Array;
    }
    const faces: Face[] = [];

    beforeAll(async () => {
      const ref = await loadFaceApiReference();
      for (const [person, files] of Object.entries(people)) {
        for (const file of files) {
          // face-api's own pipeline: tiny detector, 68 landmarks, aligned box, crop.
          const crop = await ref.largestFaceCrop(join(photosDir, person, file));
          const tfjs = await ref.describe(crop);
          const pixels = await ref.netInputPixels(crop);
          crop.dispose();
          faces.push({ person, file, tfjs, onnx: await embed(pixels, 1), pixels });
        }
      }
    }, 300_000);

    it('reproduces face-api descriptors (max abs difference ≤ 1e-4)', () => {
      const diffs = faces.map((f) => maxAbsDiff(f.onnx, f.tfjs));
      const max = Math.max(...diffs);
      console.info(
        `dlib ResNet: ${faces.length} real faces: max |ONNX − TF.js| = ${max.toExponential(2)}`,
      );
      expect(max).toBeLessThanOrEqual(1e-4);
    });

    it('puts two photos of the same person closer than photos of anyone else', () => {
      for (const a of faces) {
        const same = faces.find((b) => b.person === a.person && b !== a);
        if (same === undefined) throw new Error(`no second photo of ${a.person}`);
        const sameDistance = euclidean(a.onnx, same.onnx);
        const nearestOther = Math.min(
          ...faces.filter((b) => b.person !== a.person).map((b) => euclidean(a.onnx, b.onnx)),
        );
        expect(sameDistance, `${a.person}/${a.file}`).toBeLessThan(nearestOther);
        // dlib's documented threshold.
        expect(sameDistance, `${a.person}/${a.file}`).toBeLessThan(0.6);
        expect(nearestOther, `${a.person}/${a.file}`).toBeGreaterThan(0.6);
      }
    });

    it('runs one face in a few milliseconds in onnxruntime-node (1 thread)', async () => {
      const feeds = { input: toModelInput(faces[0].pixels, 1) };
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        await session.run(feeds);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const median = times[times.length >> 1];
      console.info(`dlib ResNet: ORT, 1 thread: median ${median.toFixed(1)} ms/face`);
      // A loose bound for a shared 2-core machine; the number above is the measurement.
      expect(median).toBeLessThan(200);
    });
  },
);
