import type { RgbImage } from '../../image/raster.js';
import type { Tensor } from '../../inference/inference-backend.js';
import type { ModelInput } from '../../onnx-models/model-manifest.js';

/** Width, height and channel count of a model's image input, read from its manifest entry. */
export interface InputSize {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/**
 * Reads the spatial size of an image input from its `dims` and `layout`.
 * @throws {Error} when the dims are not a 4-d image shape with a fixed height and width, or the
 * channel count disagrees with `channels`.
 */
export function inputSize(input: ModelInput): InputSize {
  const { dims, layout } = input;
  if (dims.length !== 4) {
    throw new Error(`Model input ${input.name} has dims [${dims}]; a 4-d image input is expected.`);
  }
  const [c, h, w] = layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  const channels = input.channels === 'GRAY' ? 1 : 3;
  if (!(h > 0 && w > 0)) {
    throw new Error(`Model input ${input.name} has no fixed height and width: [${dims}].`);
  }
  if (c > 0 && c !== channels) {
    throw new Error(
      `Model input ${input.name} has ${c} channels, but ${input.channels} needs ${channels}.`,
    );
  }
  return { width: w, height: h, channels };
}

/** Rec. 601 luma weights, as OpenCV's `cvtColor(RGB2GRAY)` uses. */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

/**
 * Turns an RGB image into a model's input tensor: channel order (`RGB`, `BGR`, or `GRAY` as
 * Rec. 601 luma), `(value - mean[c]) / std[c]` per channel, in the `NCHW` or `NHWC` layout, all
 * from the manifest. The image must already have the input's size.
 * @param out reused as the tensor's data when given (`width * height * channels` floats).
 * @throws {Error} when the image size differs from the input's.
 */
export function toTensor(image: RgbImage, input: ModelInput, out?: Float32Array): Tensor {
  const { width, height, channels } = inputSize(input);
  if (image.width !== width || image.height !== height) {
    throw new Error(
      `Model input ${input.name} takes ${width}×${height}; the image is ${image.width}×${image.height}.`,
    );
  }
  const plane = width * height;
  const data = out ?? new Float32Array(plane * channels);
  if (data.length < plane * channels) {
    throw new RangeError(`Tensor buffer holds ${data.length} floats; ${plane * channels} needed.`);
  }
  const src = image.data;
  const mean = (c: number) => input.mean[input.mean.length === 1 ? 0 : c] ?? 0;
  const scale = (c: number) => 1 / (input.std[input.std.length === 1 ? 0 : c] ?? 1);
  const nchw = input.layout === 'NCHW';

  if (channels === 1) {
    const m = mean(0);
    const k = scale(0);
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      data[i] = (src[p] * LUMA_R + src[p + 1] * LUMA_G + src[p + 2] * LUMA_B - m) * k;
    }
  } else {
    // Which source byte (R=0, G=1, B=2) feeds model channel c.
    const bgr = input.channels === 'BGR';
    const s0 = bgr ? 2 : 0;
    const s2 = bgr ? 0 : 2;
    const m0 = mean(0);
    const m1 = mean(1);
    const m2 = mean(2);
    const k0 = scale(0);
    const k1 = scale(1);
    const k2 = scale(2);
    if (nchw) {
      for (let i = 0, p = 0; i < plane; i++, p += 3) {
        data[i] = (src[p + s0] - m0) * k0;
        data[plane + i] = (src[p + 1] - m1) * k1;
        data[2 * plane + i] = (src[p + s2] - m2) * k2;
      }
    } else {
      for (let i = 0, p = 0; i < plane; i++, p += 3) {
        data[p] = (src[p + s0] - m0) * k0;
        data[p + 1] = (src[p + 1] - m1) * k1;
        data[p + 2] = (src[p + s2] - m2) * k2;
      }
    }
  }
  const dims = nchw ? [1, channels, height, width] : [1, height, width, channels];
  return {
    data: data.length === plane * channels ? data : data.subarray(0, plane * channels),
    dims,
  };
}

/**
 * The RGB value that the input's normalisation maps to zero (`mean`, in source channel order):
 * the neutral padding for letterboxes and tiles, so padding carries no signal.
 */
export function neutralFill(input: ModelInput): [number, number, number] {
  const m = (c: number) => Math.round(input.mean[input.mean.length === 1 ? 0 : c] ?? 0);
  if (input.channels === 'GRAY') return [m(0), m(0), m(0)];
  return input.channels === 'BGR' ? [m(2), m(1), m(0)] : [m(0), m(1), m(2)];
}
