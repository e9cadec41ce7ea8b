import { describe, expect, it } from 'vitest';
import { createOnnxNodeBackend } from '../src/node.js';
import { zeroTinyWeights } from '../src/zero-tiny-weights.js';
import { maxAbsDiff } from './__fixtures__/random.js';
import { TINY_B, TINY_IN, TINY_W, tinyModel, tinyReference } from './__fixtures__/tiny-model.js';

// TINY_W with three of its weights made tiny: one subnormal, two normal but negligible.
const tinyW = TINY_W.slice();
tinyW[1] = 1e-40;
tinyW[5] = -3e-20;
tinyW[7] = 2e-13;
const kept = TINY_W.slice();
kept[1] = 0;
kept[5] = 0;
kept[7] = 0;

/** The float32 values of initializer `raw_data` in `model`, found by their known bytes. */
function floatsAt(model: Uint8Array, values: Float32Array): Float32Array | undefined {
  const needle = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  outer: for (let at = 0; at + needle.length <= model.length; at++) {
    for (let i = 0; i < needle.length; i++) if (model[at + i] !== needle[i]) continue outer;
    return new Float32Array(model.slice(at, at + needle.length).buffer);
  }
  return undefined;
}

describe('zeroTinyWeights', () => {
  it('zeroes float weights below the bound in a copy, same length, and counts them', () => {
    const model = tinyModel(tinyW);
    const original = model.slice();
    const { bytes, zeroed } = zeroTinyWeights(model, 1e-12);
    expect(zeroed).toBe(3);
    expect(bytes.length).toBe(model.length);
    expect(model).toEqual(original); // the verified bytes are left alone
    expect(floatsAt(bytes, kept)).toEqual(kept);
    expect(floatsAt(bytes, TINY_B)).toEqual(TINY_B);
  });

  it('keeps weights at or above the bound, and exact zeros', () => {
    const { bytes, zeroed } = zeroTinyWeights(tinyModel(tinyW), 1e-41);
    expect(zeroed).toBe(0);
    expect(bytes).toEqual(tinyModel(tinyW));
    // 0.1875 and 0.0625 of TINY_W, 0.125 and -0.1875 of TINY_B: biases are weights too.
    expect(zeroTinyWeights(tinyModel(), 0.2).zeroed).toBe(4);
  });

  it('rejects bytes that are not a protobuf message', () => {
    expect(() => zeroTinyWeights(Uint8Array.of(0x3a, 0x7f, 0x01), 1e-12)).toThrow(/not an ONNX/);
    expect(() => zeroTinyWeights(Uint8Array.of(0x0b), 1e-12)).toThrow(/wire type 3/);
  });
});

// Both backends share loadOnnxModel, where the weights are zeroed; the node one is quick to load.
describe('loadModel({ zeroWeightsBelow })', () => {
  it('runs the model with its tiny weights as zeros', async () => {
    const create = createOnnxNodeBackend;
    const input = Float32Array.from({ length: 2 * TINY_IN }, (_, i) => (i - 3) / 8);
    const session = await create().loadModel(tinyModel(tinyW), { zeroWeightsBelow: 1e-12 });
    const out = await session.run({ X: { data: input, dims: [2, TINY_IN] } });
    // The reference with those weights exactly 0 (TINY_W's other values keep every sum exact).
    const reference = tinyReference(input, kept);
    expect(maxAbsDiff(out.H.data, reference.h)).toBe(0);
    await session.release();
  });
});
