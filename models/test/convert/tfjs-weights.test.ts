import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeTfjsWeights,
  readTfjsWeights,
  type TfjsWeightSpec,
} from '../../src/convert/tfjs-weights.js';

// TF.js's own decoder, as the reference (its CommonJS build runs in Node as is).
const tf = createRequire(import.meta.url)('@tensorflow/tfjs');

const specs: TfjsWeightSpec[] = [
  {
    name: 'a/u8',
    shape: [2, 3],
    dtype: 'float32',
    quantization: { dtype: 'uint8', scale: 0.0005260649557207145, min: -0.07101876902229645 },
  },
  { name: 'b/f32', shape: [3], dtype: 'float32' },
  {
    name: 'c/u16',
    shape: [2],
    dtype: 'float32',
    quantization: { dtype: 'uint16', scale: 1.5e-5, min: -0.5 },
  },
  { name: 'd/f16', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
];

/** Shard bytes for `specs`, deliberately leaving the float32 weight unaligned (offset 6). */
function shardBytes(): Uint8Array {
  const bytes = new Uint8Array(6 + 12 + 4 + 8);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 1, 127, 128, 254, 255], 0);
  [1.5, -2.25, 3e-7].forEach((v, i) => {
    view.setFloat32(6 + i * 4, v, true);
  });
  [0, 65535].forEach((v, i) => {
    view.setUint16(18 + i * 2, v, true);
  });
  // float16: 1, −2, 0.5 + 2^−11 (smallest step above 0.5), 2^−24 (smallest subnormal).
  [0x3c00, 0xc000, 0x3801, 0x0001].forEach((v, i) => {
    view.setUint16(22 + i * 2, v, true);
  });
  return bytes;
}

describe('decodeTfjsWeights', () => {
  it('dequantises exactly as TF.js io.decodeWeights does', () => {
    const bytes = shardBytes();
    const ours = decodeTfjsWeights(specs, bytes);
    const theirs = tf.io.decodeWeights(bytes.slice().buffer, specs);
    for (const spec of specs) {
      const weight = ours.get(spec.name);
      expect(weight?.shape).toEqual(spec.shape);
      expect(Array.from(weight?.data ?? [])).toEqual(Array.from(theirs[spec.name].dataSync()));
    }
    expect(Array.from(ours.get('d/f16')?.data ?? [])).toEqual([1, -2, 0.5 + 2 ** -11, 2 ** -24]);
    expect(ours.get('a/u8')?.data[5]).toBeCloseTo(
      255 * 0.0005260649557207145 - 0.07101876902229645,
    );
  });

  it('refuses short or over-long shards and unsupported dtypes', () => {
    const bytes = shardBytes();
    expect(() => decodeTfjsWeights(specs, bytes.subarray(0, 20))).toThrow(/shards end before/);
    expect(() => decodeTfjsWeights(specs.slice(0, 3), bytes)).toThrow(/8 bytes left/);
    expect(() =>
      decodeTfjsWeights([{ name: 'i', shape: [1], dtype: 'int32' }], new Uint8Array(4)),
    ).toThrow(/int32 is not supported/);
  });
});

describe('readTfjsWeights', () => {
  it('reads a manifest and its shards, concatenated in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'facekit-tfjs-'));
    try {
      const bytes = shardBytes();
      writeFileSync(join(dir, 'm-shard1'), bytes.subarray(0, 10));
      writeFileSync(join(dir, 'm-shard2'), bytes.subarray(10));
      const manifest = [{ paths: ['m-shard1', 'm-shard2'], weights: specs }];
      writeFileSync(join(dir, 'm-weights_manifest.json'), JSON.stringify(manifest));
      const weights = readTfjsWeights(join(dir, 'm-weights_manifest.json'));
      expect([...weights.keys()]).toEqual(['a/u8', 'b/f32', 'c/u16', 'd/f16']);
      expect(Array.from(weights.get('b/f32')?.data ?? [])).toEqual([1.5, -2.25, Math.fround(3e-7)]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
