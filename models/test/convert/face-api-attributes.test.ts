import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  convertFaceApiAgeGender,
  convertFaceApiExpression,
  faceApiAgeGenderRecipe,
} from '../../src/convert/face-api-attributes.js';
import { faceApiDir } from './face-api-reference.js';

const SIZE = 112;
const PLANE = SIZE * SIZE;
const read = async (path: string) => new Uint8Array(readFileSync(join(faceApiDir, path)));

// biome-ignore lint/suspicious/noExplicitAny: face-api's CommonJS build is loaded untyped.
let faceapi: any;
let ageGender: ort.InferenceSession;
let expression: ort.InferenceSession;

beforeAll(async () => {
  faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await faceapi.tf.setBackend('cpu');
  await faceapi.tf.ready();
  for (const [net, model] of [
    [faceapi.nets.ageGenderNet, 'age_gender_model'],
    [faceapi.nets.faceExpressionNet, 'face_expression_model'],
  ] as const) {
    const dir = join(faceApiDir, 'model');
    const [group] = JSON.parse(readFileSync(join(dir, `${model}-weights_manifest.json`), 'utf8'));
    const bytes = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    net.loadFromWeightMap(faceapi.tf.io.decodeWeights(buffer, group.weights));
  }
  const options = { executionProviders: ['cpu'], intraOpNumThreads: 1 };
  ageGender = await ort.InferenceSession.create(await convertFaceApiAgeGender(read), options);
  expression = await ort.InferenceSession.create(await convertFaceApiExpression(read), options);
}, 60_000);

/** 112×112 RGB pixels (0–255): a smooth pattern with some noise, deterministic. */
function pixels(seed: number): Float32Array {
  const out = new Float32Array(PLANE * 3);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const p = Math.floor(i / 3);
    out[i] = Math.min(255, 128 + 90 * Math.sin((p % SIZE) / (7 + seed) + (i % 3)) + (s % 40) - 20);
  }
  return out;
}

function toInput(nhwc: Float32Array): ort.Tensor {
  const { mean, std } = faceApiAgeGenderRecipe.input;
  const out = new Float32Array(3 * PLANE);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < PLANE; i++) out[c * PLANE + i] = (nhwc[i * 3 + c] - mean[c]) / std[c];
  }
  return new ort.Tensor('float32', out, [1, 3, SIZE, SIZE]);
}

describe('face-api attribute networks converted to ONNX', () => {
  it.each([1, 2, 3])('AgeGenderNet matches face-api in TF.js (input %i)', async (seed) => {
    const x = pixels(seed);
    const t = faceapi.tf.tensor3d(x, [SIZE, SIZE, 3]);
    const reference = await faceapi.nets.ageGenderNet.predictAgeAndGender(t);
    t.dispose();
    const out = await ageGender.run({ input: toInput(x) });
    const age = (out.age.data as Float32Array)[0];
    const male = (out.gender.data as Float32Array)[0];
    expect(Math.abs(age - reference.age)).toBeLessThan(1e-3);
    const refMale =
      reference.gender === 'male' ? reference.genderProbability : 1 - reference.genderProbability;
    expect(Math.abs(male - refMale)).toBeLessThan(1e-5);
  });

  it.each([1, 2, 3])('FaceExpressionNet matches face-api in TF.js (input %i)', async (seed) => {
    const x = pixels(seed);
    const t = faceapi.tf.tensor3d(x, [SIZE, SIZE, 3]);
    const reference = await faceapi.nets.faceExpressionNet.predictExpressions(t);
    t.dispose();
    const out = (await expression.run({ input: toInput(x) })).expressions.data as Float32Array;
    const labels = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
    labels.forEach((label, i) => {
      expect(Math.abs(out[i] - reference[label])).toBeLessThan(1e-5);
    });
  });
});
