import type { Region } from '../input/resize.js';

/** Number of points of the iBUG 300-W markup the landmark model predicts. */
export const LANDMARK_COUNT = 68;

/** A face box in image pixels, as the detector gives it. */
export interface BoxCorners {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * Which part of the image around a detector box the landmark model sees. The model's points are
 * fractions of this crop (its input is the crop resized to 64×64, whatever the crop's aspect).
 */
export interface LandmarkCropOptions {
  /** Crop size relative to the box (1: the box itself). */
  scale: number;
  /** Square crop of side `max(w, h) * scale` instead of `w * scale` × `h * scale`. */
  square: boolean;
  /** Vertical shift of the crop centre, as a fraction of the box height (positive: down). */
  shiftY: number;
}

/**
 * The crop `fr_landmark.onnx` works best with around an UltraFace box: a square of the box's
 * larger side, centred 10% of the box height below the box centre. Measured on real faces: against dlib's 68-point markup of the
 * dlib example photos (43 faces) the mean error of the 5 alignment points was 2.8% of the
 * outer-eye-corner distance (all 68: 3.3%), against 4.0% (5.5%) for the box itself, which is
 * what the model's own package feeds it, and 3.5% (4.7%) for a centred 1.1× square; verification
 * on the deepface pivot pairs rose from 99.29% (box) to 99.64%.
 */
export const defaultLandmarkCrop: Readonly<LandmarkCropOptions> = {
  scale: 1,
  square: true,
  shiftY: 0.1,
};

/** The image region to resize into the landmark model's input for a detector box. */
export function landmarkCrop(box: BoxCorners, options: Partial<LandmarkCropOptions> = {}): Region {
  const { scale, square, shiftY } = { ...defaultLandmarkCrop, ...options };
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2 + shiftY * h;
  const cw = (square ? Math.max(w, h) : w) * scale;
  const ch = (square ? Math.max(w, h) : h) * scale;
  return { x: cx - cw / 2, y: cy - ch / 2, width: cw, height: ch };
}

/**
 * Maps the landmark model's output (68 `(x, y)` pairs as fractions of the crop) to image pixels.
 * @returns 136 numbers: `x0, y0, x1, y1, …` in continuous image coordinates (iBUG 300-W order).
 */
export function decodeLandmarks(
  output: ArrayLike<number>,
  crop: Region,
  out: Float32Array = new Float32Array(LANDMARK_COUNT * 2),
): Float32Array {
  if (output.length < LANDMARK_COUNT * 2) {
    throw new Error(`Landmark model gave ${output.length} values; 136 (68 points) expected.`);
  }
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    out[i * 2] = crop.x + output[i * 2] * crop.width;
    out[i * 2 + 1] = crop.y + output[i * 2 + 1] * crop.height;
  }
  return out;
}

/** Mean of the points `from..to` (inclusive) of a packed 68-point array, written to `out[at]`. */
function meanInto(
  points: ArrayLike<number>,
  from: number,
  to: number,
  out: Float32Array,
  at: number,
) {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += points[i * 2];
    y += points[i * 2 + 1];
  }
  out[at] = x / (to - from + 1);
  out[at + 1] = y / (to - from + 1);
}

/**
 * The 5 alignment points of the ArcFace template, in its order, from 68 iBUG points: the centre
 * of the image-left eye (mean of points 36–41), of the image-right eye (42–47), the nose tip
 * (30), the image-left mouth corner (48) and the image-right one (54).
 * @returns 10 numbers `x, y` per point.
 */
export function fivePoints(
  points: ArrayLike<number>,
  out: Float32Array = new Float32Array(10),
): Float32Array {
  meanInto(points, 36, 41, out, 0);
  meanInto(points, 42, 47, out, 2);
  meanInto(points, 30, 30, out, 4);
  meanInto(points, 48, 48, out, 6);
  meanInto(points, 54, 54, out, 8);
  return out;
}
