import type { RgbImage } from '../../image/raster.js';

/**
 * The standard 5-point ArcFace template for a 112×112 crop (insightface `arcface_dst`), in
 * OpenCV pixel-index coordinates (pixel centres on integers): image-left eye centre, image-right
 * eye centre, nose tip, image-left and image-right mouth corners, as `x, y` pairs.
 */
export const ARCFACE_TEMPLATE_112: readonly number[] = [
  38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
];

/**
 * A 2-D similarity transform (rotation, uniform scale, translation; no reflection):
 * `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`. Scale is `√(a² + b²)`, angle `atan2(b, a)`.
 */
export interface SimilarityTransform {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/**
 * Least-squares similarity transform taking the points `src` onto `dst` (Umeyama 1991, which in
 * 2-D has this closed form: with both sets centred, `a = Σ(s·d)/Σ|s|²` and
 * `b = Σ(s × d)/Σ|s|²`). Exact when such a transform exists.
 * @param src packed `x, y` pairs.
 * @param dst packed `x, y` pairs, as many as `src`.
 * @throws {Error} for fewer than 2 points or coincident source points.
 */
export function estimateSimilarity(
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
): SimilarityTransform {
  const n = Math.floor(src.length / 2);
  if (n < 2 || dst.length < n * 2) {
    throw new Error('estimateSimilarity needs at least 2 point pairs.');
  }
  let msx = 0;
  let msy = 0;
  let mdx = 0;
  let mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i * 2];
    msy += src[i * 2 + 1];
    mdx += dst[i * 2];
    mdy += dst[i * 2 + 1];
  }
  msx /= n;
  msy /= n;
  mdx /= n;
  mdy /= n;
  let variance = 0;
  let dotSum = 0;
  let crossSum = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i * 2] - msx;
    const sy = src[i * 2 + 1] - msy;
    const dx = dst[i * 2] - mdx;
    const dy = dst[i * 2 + 1] - mdy;
    variance += sx * sx + sy * sy;
    dotSum += sx * dx + sy * dy;
    crossSum += sx * dy - sy * dx;
  }
  if (!(variance > 0)) throw new Error('estimateSimilarity: the source points coincide.');
  const a = dotSum / variance;
  const b = crossSum / variance;
  return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

/** The inverse transform. */
export function invertSimilarity(t: SimilarityTransform): SimilarityTransform {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Applies `t` to the point `(x, y)`. */
export function applySimilarity(t: SimilarityTransform, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/**
 * Warps `image` into a `width × height` image: output pixel `(u, v)` takes the bilinear sample of
 * the source at `outputToSource(u, v)`, both in pixel-index coordinates (as OpenCV's
 * `warpAffine` with `WARP_INVERSE_MAP`). Samples outside the image blend with `fill`.
 */
export function warpSimilarity(
  image: RgbImage,
  outputToSource: SimilarityTransform,
  width: number,
  height: number,
  fill: readonly [number, number, number] = [0, 0, 0],
  out: Uint8Array = new Uint8Array(width * height * 3),
): RgbImage {
  const src = image.data;
  const srcW = image.width;
  const srcH = image.height;
  const { a, b, tx, ty } = outputToSource;
  let o = 0;
  for (let v = 0; v < height; v++) {
    // Source position of (0, v), advanced by (a, b) per output column.
    let sx = -b * v + tx;
    let sy = a * v + ty;
    for (let u = 0; u < width; u++, sx += a, sy += b, o += 3) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const wx = sx - x0;
      const wy = sy - y0;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < srcW && y0 + 1 < srcH) {
        const p = (y0 * srcW + x0) * 3;
        const q = p + srcW * 3;
        out[o] = src[p] * w00 + src[p + 3] * w01 + src[q] * w10 + src[q + 3] * w11 + 0.5;
        out[o + 1] =
          src[p + 1] * w00 + src[p + 4] * w01 + src[q + 1] * w10 + src[q + 4] * w11 + 0.5;
        out[o + 2] =
          src[p + 2] * w00 + src[p + 5] * w01 + src[q + 2] * w10 + src[q + 5] * w11 + 0.5;
      } else {
        for (let c = 0; c < 3; c++) {
          const tap = (x: number, y: number) =>
            x >= 0 && y >= 0 && x < srcW && y < srcH ? src[(y * srcW + x) * 3 + c] : fill[c];
          out[o + c] =
            tap(x0, y0) * w00 +
            tap(x0 + 1, y0) * w01 +
            tap(x0, y0 + 1) * w10 +
            tap(x0 + 1, y0 + 1) * w11 +
            0.5;
        }
      }
    }
  }
  return { width, height, data: out };
}

export interface AlignOptions {
  /** Output size; the template is scaled from 112×112 to it. Default 112×112. */
  width?: number;
  height?: number;
  /** Template points for a 112×112 crop, pixel-index coordinates; default ArcFace's. */
  template?: readonly number[];
  /** Value outside the image; default black, as insightface's `warpAffine`. */
  fill?: readonly [number, number, number];
}

/**
 * Aligns a face to the ArcFace template: the least-squares similarity taking the 5 points (see
 * `fivePoints`, continuous image coordinates) onto the template, then an inverse-mapped bilinear
 * warp.
 * @returns the aligned crop and the image → crop transform (pixel-index coordinates).
 */
export function alignFace(
  image: RgbImage,
  points5: ArrayLike<number>,
  options: AlignOptions = {},
): { image: RgbImage; transform: SimilarityTransform } {
  const width = options.width ?? 112;
  const height = options.height ?? 112;
  const template = options.template ?? ARCFACE_TEMPLATE_112;
  const sx = width / 112;
  const sy = height / 112;
  const src = new Float64Array(10);
  const dst = new Float64Array(10);
  for (let i = 0; i < 5; i++) {
    // Continuous coordinates put pixel centres at +0.5; the template's are on integers.
    src[i * 2] = points5[i * 2] - 0.5;
    src[i * 2 + 1] = points5[i * 2 + 1] - 0.5;
    dst[i * 2] = template[i * 2] * sx;
    dst[i * 2 + 1] = template[i * 2 + 1] * sy;
  }
  const transform = estimateSimilarity(src, dst);
  const aligned = warpSimilarity(image, invertSimilarity(transform), width, height, options.fill);
  return { image: aligned, transform };
}
