import { describe, expect, it } from 'vitest';
import type { ModelInput } from '../../onnx-models/model-manifest.js';
import { blankImage, fillRect } from '../__fixtures__/synthetic.js';
import { inputSize, neutralFill, toTensor } from './to-tensor.js';

const rgb: ModelInput = {
  name: 'input',
  dims: [1, 3, 2, 3],
  layout: 'NCHW',
  channels: 'RGB',
  mean: [127, 127, 127],
  std: [128, 128, 128],
};

function image() {
  // 3×2: pixel (0,0) = (255, 0, 127), the rest (10, 20, 30).
  const img = blankImage(3, 2);
  fillRect(img, 0, 0, 3, 2, [10, 20, 30]);
  fillRect(img, 0, 0, 1, 1, [255, 0, 127]);
  return img;
}

describe('inputSize', () => {
  it('reads width, height and channels for both layouts', () => {
    expect(inputSize(rgb)).toEqual({ width: 3, height: 2, channels: 3 });
    expect(inputSize({ ...rgb, layout: 'NHWC', dims: [1, 2, 3, 3] })).toEqual({
      width: 3,
      height: 2,
      channels: 3,
    });
    expect(inputSize({ ...rgb, channels: 'GRAY', dims: [1, 1, 64, 64] }).channels).toBe(1);
  });

  it('refuses shapes it cannot use', () => {
    expect(() => inputSize({ ...rgb, dims: [1, 3, 2] })).toThrow(/4-d/);
    expect(() => inputSize({ ...rgb, dims: [1, 3, -1, -1] })).toThrow(/fixed/);
    expect(() => inputSize({ ...rgb, dims: [1, 1, 2, 3] })).toThrow(/channels/);
  });
});

describe('toTensor', () => {
  it('writes planar RGB with per-channel mean and std (NCHW)', () => {
    const t = toTensor(image(), rgb);
    expect(t.dims).toEqual([1, 3, 2, 3]);
    expect(t.data.length).toBe(18);
    expect(t.data[0]).toBeCloseTo(1); // R of (0,0): (255 − 127) / 128
    expect(t.data[6]).toBeCloseTo(-127 / 128); // G plane starts at 6
    expect(t.data[12]).toBeCloseTo(0); // B of (0,0)
    expect(t.data[1]).toBeCloseTo((10 - 127) / 128);
  });

  it('honours per-channel values, BGR order and NHWC', () => {
    const input: ModelInput = {
      ...rgb,
      dims: [1, 2, 3, 3],
      layout: 'NHWC',
      channels: 'BGR',
      mean: [1, 2, 3],
      std: [2, 4, 8],
    };
    const t = toTensor(image(), input);
    expect(t.dims).toEqual([1, 2, 3, 3]);
    // First pixel, channels B, G, R with their own mean/std.
    expect(Array.from(t.data.slice(0, 3))).toEqual([(127 - 1) / 2, (0 - 2) / 4, (255 - 3) / 8]);
  });

  it('turns RGB into Rec. 601 luma for GRAY inputs', () => {
    const gray: ModelInput = {
      ...rgb,
      dims: [1, 1, 2, 3],
      channels: 'GRAY',
      mean: [0],
      std: [256],
    };
    const t = toTensor(image(), gray);
    expect(t.dims).toEqual([1, 1, 2, 3]);
    expect(t.data[0]).toBeCloseTo((255 * 0.299 + 127 * 0.114) / 256, 5);
    expect(t.data[5]).toBeCloseTo((10 * 0.299 + 20 * 0.587 + 30 * 0.114) / 256, 5);
  });

  it('reuses a buffer and checks the image size', () => {
    const buffer = new Float32Array(18);
    expect(toTensor(image(), rgb, buffer).data).toBe(buffer);
    expect(() => toTensor(blankImage(4, 2), rgb)).toThrow(/3×2/);
  });
});

describe('neutralFill', () => {
  it('is the mean, in RGB order', () => {
    expect(neutralFill(rgb)).toEqual([127, 127, 127]);
    expect(neutralFill({ ...rgb, channels: 'BGR', mean: [104, 117, 123] })).toEqual([
      123, 117, 104,
    ]);
    expect(neutralFill({ ...rgb, channels: 'GRAY', mean: [0] })).toEqual([0, 0, 0]);
  });
});
