import type { RgbImage } from '../../image/raster.js';
import { resizeRegion } from '../input/resize.js';
import type { BoxCorners } from '../landmarks/landmarks.js';

/** Rekognition's `ImageQuality` of one face, both 0–100. */
export interface FaceQuality {
  readonly brightness: number;
  readonly sharpness: number;
}

export interface QualityOptions {
  /** Side of the normalised gray crop the measures are taken on; default 64. */
  size?: number;
  /** Fraction of the box (about its centre) measured, leaving out background at its edges. */
  inner?: number;
  /**
   * Normalised Laplacian energy at which Sharpness is 50 (see {@link measureQuality}).
   * Default 0.05, from real photos: in-focus faces measure 0.2–1.1 (Sharpness 80–96), the same
   * faces blurred by about one crop pixel 0.01–0.09, by two 0.002–0.014 (Sharpness under 25).
   */
  sharpnessMidpoint?: number;
}

/**
 * Brightness and sharpness of a face, measured on the inner part of its box resampled (area
 * average) to a `size × size` gray crop (Rec. 601 luma), so both are independent of face size.
 *
 * - Brightness = mean luma / 255 × 100 (0: black, 100: white).
 * - Sharpness: `e = var(∇²I) / (var(I) + 1)`, the energy of the 4-neighbour Laplacian relative to
 *   the crop's contrast (so neither exposure nor contrast changes it much), mapped monotonically
 *   to 0–100 by `100 · e / (e + midpoint)`. Blur lowers it; 50 means `e = midpoint`.
 *
 * The part of the box outside the image is left out.
 * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ImageQuality.html
 */
export function measureQuality(
  image: RgbImage,
  box: BoxCorners,
  options: QualityOptions = {},
): FaceQuality {
  const size = options.size ?? 64;
  const inner = options.inner ?? 0.8;
  const midpoint = options.sharpnessMidpoint ?? DEFAULT_SHARPNESS_MIDPOINT;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const hw = ((box.x2 - box.x1) * inner) / 2;
  const hh = ((box.y2 - box.y1) * inner) / 2;
  const x1 = Math.max(0, cx - hw);
  const y1 = Math.max(0, cy - hh);
  const x2 = Math.min(image.width, cx + hw);
  const y2 = Math.min(image.height, cy + hh);
  if (!(x2 - x1 >= 1 && y2 - y1 >= 1)) return { brightness: 0, sharpness: 0 };
  const crop = resizeRegion(image, { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, size, size, {
    filter: 'area',
    border: 'clamp',
  });
  const gray = new Float32Array(size * size);
  let sum = 0;
  for (let i = 0, p = 0; i < gray.length; i++, p += 3) {
    const g = crop.data[p] * 0.299 + crop.data[p + 1] * 0.587 + crop.data[p + 2] * 0.114;
    gray[i] = g;
    sum += g;
  }
  const mean = sum / gray.length;
  let variance = 0;
  for (let i = 0; i < gray.length; i++) variance += (gray[i] - mean) * (gray[i] - mean);
  variance /= gray.length;
  let lapSum = 0;
  let lapSq = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = gray[i - 1] + gray[i + 1] + gray[i - size] + gray[i + size] - 4 * gray[i];
      lapSum += l;
      lapSq += l * l;
    }
  }
  const count = (size - 2) * (size - 2);
  const lapVariance = lapSq / count - (lapSum / count) ** 2;
  const energy = lapVariance / (variance + 1);
  return {
    brightness: (mean / 255) * 100,
    sharpness: (100 * energy) / (energy + midpoint),
  };
}

const DEFAULT_SHARPNESS_MIDPOINT = 0.05;
