import type { RgbImage } from '../../image/raster.js';
import { resizeRegion } from '../input/resize.js';
import {
  estimateSimilarity,
  invertSimilarity,
  type SimilarityTransform,
  warpSimilarity,
} from './align.js';

/**
 * dlib's mean face shape: points 17–67 of the iBUG 300-W markup on the unit square, as `x, y`
 * pairs (`mean_face_shape_x/y` of `get_face_chip_details` in dlib's
 * `dlib/image_transforms/interpolation.h`). Index `i` of the 68-point markup is pair `i − 17`.
 */
export const DLIB_MEAN_FACE_SHAPE: readonly number[] = interleave(
  [
    0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991,
    0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217,
    0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428,
    0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395,
    0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096,
    0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
  ],
  [
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915,
    0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345,
    0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852,
    0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388,
    0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746,
    0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
  ],
);

/**
 * The 68-point indices dlib fits its chip to: nose, eyes and outer lips with the upper inner lip
 * (27–54, 60–64). Jaw, eyebrows and the lower lip are left out, as in dlib, because they move
 * with expression and are the least precise.
 */
export const DLIB_CHIP_POINTS: readonly number[] = [
  ...Array.from({ length: 28 }, (_, k) => 27 + k),
  60,
  61,
  62,
  63,
  64,
];

/**
 * dlib's template for its 5-point shape predictor, on the unit square, in that predictor's
 * order: image-right eye outer and inner corner, image-left eye outer and inner corner, base of
 * the nose (iBUG points 45, 42, 36, 39, 33).
 */
export const DLIB_FIVE_POINT_TEMPLATE: readonly number[] = [
  0.8595674595992, 0.2134981538014, 0.6460604764104, 0.2289674387677, 0.1205750620789,
  0.2137274526848, 0.3340850613712, 0.2290642403242, 0.4901123135679, 0.6277975316475,
];

export interface FaceChipOptions {
  /** Side of the square chip in pixels; default 150 (dlib's face recognition network). */
  size?: number;
  /** Border around the template as a fraction of its side; default 0.25 (dlib's). */
  padding?: number;
  /** RGB value outside the image; default black, as dlib's `extract_image_chip`. */
  fill?: readonly [number, number, number];
  /**
   * When the face is larger than the chip, first average the image down to the chip's scale
   * (box filter), so bilinear sampling does not alias. dlib does the same with an image
   * pyramid. Default true: on the deepface pivot pairs it raised dlib's 10-fold verification
   * accuracy from 98.93% to 99.29%, for about 3 ms per chip when the face is several times
   * larger than the chip.
   */
  antialias?: boolean;
}

/**
 * The template points in chip pixel-index coordinates (dlib's convention), `x, y` pairs: the
 * `DLIB_CHIP_POINTS` of the mean face for 68 points, or the 5-point template.
 */
export function faceChipTemplate(pointCount: 68 | 5, size = 150, padding = 0.25): Float64Array {
  const place = (v: number) => ((padding + v) / (2 * padding + 1)) * size;
  if (pointCount === 5) return Float64Array.from(DLIB_FIVE_POINT_TEMPLATE, place);
  const out = new Float64Array(DLIB_CHIP_POINTS.length * 2);
  DLIB_CHIP_POINTS.forEach((index, k) => {
    out[k * 2] = place(DLIB_MEAN_FACE_SHAPE[(index - 17) * 2]);
    out[k * 2 + 1] = place(DLIB_MEAN_FACE_SHAPE[(index - 17) * 2 + 1]);
  });
  return out;
}

/**
 * The least-squares similarity taking the chip template onto the face's landmarks
 * (chip → image, pixel-index coordinates), as dlib's `get_face_chip_details` fits it.
 * @param points 68 iBUG points (136 numbers) or dlib's 5 points (10 numbers, see
 * {@link DLIB_FIVE_POINT_TEMPLATE}), in continuous image coordinates (pixel centres at +0.5).
 * @throws {Error} for another number of points, or degenerate ones.
 */
export function fitFaceChip(
  points: ArrayLike<number>,
  size = 150,
  padding = 0.25,
): SimilarityTransform {
  const pointCount = points.length === 136 ? 68 : points.length === 10 ? 5 : 0;
  if (pointCount === 0) {
    throw new Error(`A face chip needs 68 or 5 landmarks; got ${points.length / 2}.`);
  }
  const template = faceChipTemplate(pointCount, size, padding);
  const indices = pointCount === 68 ? DLIB_CHIP_POINTS : [0, 1, 2, 3, 4];
  const image = new Float64Array(template.length);
  indices.forEach((index, k) => {
    image[k * 2] = points[index * 2] - 0.5;
    image[k * 2 + 1] = points[index * 2 + 1] - 0.5;
  });
  return estimateSimilarity(template, image);
}

/**
 * The chip → image map dlib's `extract_image_chip` actually samples with for a fitted transform:
 * it keeps the fit's angle and the image position of the chip's centre `(size/2, size/2)`, but
 * spreads the chip's corner pixels `0` and `size − 1` over the fitted side `size`, so the
 * sampling is `size / (size − 1)` coarser than the fit and centred half a pixel off it.
 */
export function dlibChipSampling(fit: SimilarityTransform, size: number): SimilarityTransform {
  const k = size / (size - 1);
  const a = fit.a * k;
  const b = fit.b * k;
  const half = size / 2;
  const cx = fit.a * half - fit.b * half + fit.tx;
  const cy = fit.b * half + fit.a * half + fit.ty;
  const m = (size - 1) / 2;
  return { a, b, tx: cx - (a * m - b * m), ty: cy - (b * m + a * m) };
}

/**
 * dlib's face chip (`get_face_chip_details` + `extract_image_chip`): a square crop, rotated and
 * scaled so the face's landmarks land on dlib's mean face shape, which fills the chip inside a
 * `padding` border; bilinear sampling, black outside the image. This is the input dlib's face
 * recognition ResNet was trained on; the ArcFace 112×112 alignment ruins its embeddings.
 * @param points 68 iBUG points or dlib's 5, in continuous image coordinates (see
 * `fitFaceChip`).
 * @returns the chip and the image → chip transform (pixel-index coordinates).
 */
export function extractFaceChip(
  image: RgbImage,
  points: ArrayLike<number>,
  options: FaceChipOptions = {},
): { image: RgbImage; transform: SimilarityTransform } {
  const size = options.size ?? 150;
  const padding = options.padding ?? 0.25;
  const fill = options.fill ?? [0, 0, 0];
  const sampling = dlibChipSampling(fitFaceChip(points, size, padding), size);
  const toChip = invertSimilarity(sampling);
  const scale = Math.hypot(sampling.a, sampling.b);
  if (options.antialias === false || scale <= 1.25) {
    return { image: warpSimilarity(image, sampling, size, size, fill), transform: toChip };
  }
  // Average the chip's footprint (its bounding box, with a margin) down to the chip's scale, then
  // warp from that smaller image with the residual rotation only.
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [
    [0, 0],
    [size - 1, 0],
    [0, size - 1],
    [size - 1, size - 1],
  ]) {
    xs.push(sampling.a * u - sampling.b * v + sampling.tx + 0.5);
    ys.push(sampling.b * u + sampling.a * v + sampling.ty + 0.5);
  }
  const margin = 2 * scale;
  const x = Math.floor(Math.min(...xs) - margin);
  const y = Math.floor(Math.min(...ys) - margin);
  const width = Math.max(1, Math.ceil((Math.max(...xs) + margin - x) / scale));
  const height = Math.max(1, Math.ceil((Math.max(...ys) + margin - y) / scale));
  const reduced = resizeRegion(
    image,
    { x, y, width: width * scale, height: height * scale },
    width,
    height,
    { filter: 'area', fill },
  );
  // Image pixel index p ↦ reduced pixel index (p + 0.5 − origin) / scale − 0.5.
  const residual: SimilarityTransform = {
    a: sampling.a / scale,
    b: sampling.b / scale,
    tx: (sampling.tx + 0.5 - x) / scale - 0.5,
    ty: (sampling.ty + 0.5 - y) / scale - 0.5,
  };
  return { image: warpSimilarity(reduced, residual, size, size, fill), transform: toChip };
}

function interleave(xs: readonly number[], ys: readonly number[]): number[] {
  return xs.flatMap((x, i) => [x, ys[i]]);
}
