import type { RgbImage } from '../../image/raster.js';

/**
 * An axis-aligned rectangle in continuous image coordinates, in pixels: pixel `(i, j)` covers
 * `[i, i + 1) × [j, j + 1)`, so its centre is `(i + 0.5, j + 0.5)`. Every coordinate the
 * pipeline produces (boxes, landmarks) uses this convention; it may extend past the image.
 */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * `bilinear` samples the 4 nearest pixels (cheap; aliases when shrinking by more than 2×);
 * `area` averages the output pixel's footprint (as OpenCV's `INTER_AREA`; exact for integer
 * factors up to 4, approximated by 4×4 bilinear samples beyond, so its cost depends on the output
 * size only). `area` applies when shrinking on both axes; otherwise bilinear is used.
 */
export type ResizeFilter = 'bilinear' | 'area';

export interface ResizeOptions {
  /** RGB value (0–255) used for samples outside the source image; default black. */
  fill?: readonly [number, number, number];
  /** `clamp` repeats the edge pixels outside the image instead of using `fill`. */
  border?: 'fill' | 'clamp';
  /** Default `bilinear`. */
  filter?: ResizeFilter;
  /** Output buffer to reuse, `width * height * 3` bytes; allocated when absent. */
  out?: Uint8Array;
}

/**
 * Maps image pixels into a model input and back: `model = image * scale + offset` and
 * `image = (model - offset) / scale`, per axis, in continuous coordinates.
 */
export interface ScaleTransform {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

const BLACK: readonly [number, number, number] = [0, 0, 0];

/**
 * Resamples `region` of `image` to a `width × height` RGB image. Parts of the region outside the
 * image are filled with `options.fill`, blended smoothly at the border. No per-pixel allocation:
 * only a few small per-axis tables and the output.
 */
export function resizeRegion(
  image: RgbImage,
  region: Region,
  width: number,
  height: number,
  options: ResizeOptions = {},
): RgbImage {
  checkSize(width, height);
  const out = options.out ?? new Uint8Array(width * height * 3);
  if (out.length < width * height * 3) {
    throw new RangeError(`Output buffer holds ${out.length} bytes; ${width * height * 3} needed.`);
  }
  const job: Resampling = {
    src: image.data,
    srcW: image.width,
    srcH: image.height,
    region,
    width,
    height,
    stepX: region.width / width,
    stepY: region.height / height,
    fill: options.fill ?? BLACK,
    clamp: options.border === 'clamp',
    out,
  };
  if (options.filter === 'area' && job.stepX >= 1 && job.stepY >= 1) resizeArea(job);
  else resizeBilinear(job);
  return { width, height, data: out };
}

/**
 * Fits the whole image into a `width × height` model input, keeping its aspect ratio and
 * centring it; the rest is padded with `options.fill`.
 * @returns the model input and the transform between model and image coordinates.
 */
export function letterbox(
  image: RgbImage,
  width: number,
  height: number,
  options: ResizeOptions = {},
): { image: RgbImage; transform: ScaleTransform } {
  const transform = letterboxTransform(image.width, image.height, width, height);
  const resized = resizeRegion(
    image,
    transformRegion(transform, width, height),
    width,
    height,
    options,
  );
  return { image: resized, transform };
}

/** The transform {@link letterbox} uses for an image of `imageWidth × imageHeight`. */
export function letterboxTransform(
  imageWidth: number,
  imageHeight: number,
  width: number,
  height: number,
): ScaleTransform {
  const scale = Math.min(width / imageWidth, height / imageHeight);
  return {
    scale,
    offsetX: (width - imageWidth * scale) / 2,
    offsetY: (height - imageHeight * scale) / 2,
  };
}

/** The image region that a `width × height` model input covers under `transform`. */
export function transformRegion(transform: ScaleTransform, width: number, height: number): Region {
  const { scale, offsetX, offsetY } = transform;
  return { x: -offsetX / scale, y: -offsetY / scale, width: width / scale, height: height / scale };
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Invalid output size ${width}×${height}.`);
  }
}

/** One resampling: `region` of the source to `out`, `width × height`, `step` source pixels apart. */
interface Resampling {
  src: Uint8Array;
  srcW: number;
  srcH: number;
  region: Region;
  width: number;
  height: number;
  stepX: number;
  stepY: number;
  fill: readonly [number, number, number];
  clamp: boolean;
  out: Uint8Array;
}

/**
 * Bilinear resampling. Columns whose two taps are both inside the image (most of them) take a
 * loop without border checks; every sample is the same sum of the same products either way, so
 * the split changes no output value.
 */
function resizeBilinear(job: Resampling): void {
  const { src, srcW, srcH, region, width, height, stepX, stepY, clamp, out } = job;
  // Per-column tables: left tap index and weight of the right tap.
  const x0s = new Int32Array(width);
  const wxs = new Float32Array(width);
  // Columns [inFrom, inTo) have both taps inside the image (taps move right with u).
  let inFrom = width;
  let inTo = 0;
  for (let u = 0; u < width; u++) {
    let sx = region.x + (u + 0.5) * stepX - 0.5;
    if (clamp) sx = Math.min(Math.max(sx, 0), srcW - 1);
    const x0 = Math.floor(sx);
    x0s[u] = x0;
    wxs[u] = sx - x0;
    if (x0 >= 0 && x0 + 1 < srcW) {
      if (u < inFrom) inFrom = u;
      inTo = u + 1;
    }
  }
  const rowBytes = srcW * 3;
  for (let v = 0; v < height; v++) {
    let sy = region.y + (v + 0.5) * stepY - 0.5;
    if (clamp) sy = Math.min(Math.max(sy, 0), srcH - 1);
    const y0 = Math.floor(sy);
    const wy = sy - y0;
    const row0ok = y0 >= 0 && y0 < srcH;
    const row1ok = y0 + 1 >= 0 && y0 + 1 < srcH;
    const rowOut = v * width * 3;
    if (!(row0ok && row1ok)) {
      bilinearSpan(job, x0s, wxs, y0, wy, 0, width, rowOut);
      continue;
    }
    bilinearSpan(job, x0s, wxs, y0, wy, 0, inFrom, rowOut);
    const r0 = y0 * rowBytes;
    const r1 = r0 + rowBytes;
    const my = 1 - wy;
    for (let u = inFrom, o = rowOut + inFrom * 3; u < inTo; u++, o += 3) {
      const wx = wxs[u];
      const w00 = (1 - wx) * my;
      const w01 = wx * my;
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      const a = r0 + x0s[u] * 3;
      const b = r1 + x0s[u] * 3;
      out[o] = src[a] * w00 + src[a + 3] * w01 + src[b] * w10 + src[b + 3] * w11 + 0.5;
      out[o + 1] = src[a + 1] * w00 + src[a + 4] * w01 + src[b + 1] * w10 + src[b + 4] * w11 + 0.5;
      out[o + 2] = src[a + 2] * w00 + src[a + 5] * w01 + src[b + 2] * w10 + src[b + 5] * w11 + 0.5;
    }
    bilinearSpan(job, x0s, wxs, y0, wy, Math.max(inTo, inFrom), width, rowOut);
  }
}

/**
 * Columns `[from, to)` of the output row starting at byte `rowOut` (taps at rows `y0`, `y0 + 1`),
 * with border checks.
 */
function bilinearSpan(
  job: Resampling,
  x0s: Int32Array,
  wxs: Float32Array,
  y0: number,
  wy: number,
  from: number,
  to: number,
  rowOut: number,
): void {
  const { src, srcW, srcH, fill, out } = job;
  const y1 = y0 + 1;
  const row0ok = y0 >= 0 && y0 < srcH;
  const row1ok = y1 >= 0 && y1 < srcH;
  const r0 = y0 * srcW * 3;
  const r1 = y1 * srcW * 3;
  for (let u = from; u < to; u++) {
    const o = rowOut + u * 3;
    const x0 = x0s[u];
    const wx = wxs[u];
    const x1 = x0 + 1;
    const w00 = (1 - wx) * (1 - wy);
    const w01 = wx * (1 - wy);
    const w10 = (1 - wx) * wy;
    const w11 = wx * wy;
    if (row0ok && row1ok && x0 >= 0 && x1 < srcW) {
      const a = r0 + x0 * 3;
      const b = r1 + x0 * 3;
      out[o] = src[a] * w00 + src[a + 3] * w01 + src[b] * w10 + src[b + 3] * w11 + 0.5;
      out[o + 1] = src[a + 1] * w00 + src[a + 4] * w01 + src[b + 1] * w10 + src[b + 4] * w11 + 0.5;
      out[o + 2] = src[a + 2] * w00 + src[a + 5] * w01 + src[b + 2] * w10 + src[b + 5] * w11 + 0.5;
    } else {
      const c0ok = x0 >= 0 && x0 < srcW;
      const c1ok = x1 >= 0 && x1 < srcW;
      for (let c = 0; c < 3; c++) {
        const fc = fill[c];
        const p00 = row0ok && c0ok ? src[r0 + x0 * 3 + c] : fc;
        const p01 = row0ok && c1ok ? src[r0 + x1 * 3 + c] : fc;
        const p10 = row1ok && c0ok ? src[r1 + x0 * 3 + c] : fc;
        const p11 = row1ok && c1ok ? src[r1 + x1 * 3 + c] : fc;
        out[o + c] = p00 * w00 + p01 * w01 + p10 * w10 + p11 * w11 + 0.5;
      }
    }
  }
}

/** Most samples per axis the `area` filter averages for one output pixel. */
const MAX_SAMPLES = 4;

/**
 * Sample positions along one axis: output `u` averages `count` bilinear samples spread evenly
 * over its footprint, each given by its left tap `x0[u * count + k]` and right-tap weight `w`.
 */
function sampleTable(origin: number, step: number, size: number, count: number, clampTo: number) {
  const x0 = new Int32Array(size * count);
  const w = new Float32Array(size * count);
  for (let u = 0; u < size; u++) {
    for (let k = 0; k < count; k++) {
      let s = origin + u * step + ((k + 0.5) * step) / count - 0.5;
      if (clampTo > 0) s = Math.min(Math.max(s, 0), clampTo - 1);
      const i = Math.floor(s);
      x0[u * count + k] = i;
      w[u * count + k] = s - i;
    }
  }
  return { x0, w };
}

/**
 * Box filter: each output pixel averages `n × n` bilinear samples spread evenly over its
 * footprint, `n = min(ceil(step), 4)` per axis. With an integer step up to 4 the samples fall on
 * pixel centres and this is the exact area average; beyond, 16 samples (64 taps) approximate it
 * at a cost bounded by the output size, not the source size.
 */
function resizeArea(job: Resampling): void {
  const { src, srcW, srcH, region, width, height, stepX, stepY, fill, clamp, out } = job;
  const nx = Math.min(MAX_SAMPLES, Math.ceil(stepX - 1e-9));
  const ny = Math.min(MAX_SAMPLES, Math.ceil(stepY - 1e-9));
  const xs = sampleTable(region.x, stepX, width, nx, clamp ? srcW : 0);
  const ys = sampleTable(region.y, stepY, height, ny, clamp ? srcH : 0);
  const norm = 1 / (nx * ny);
  // Output pixels whose every tap is inside the image (most of them) take a loop without border
  // checks that adds the same products in the same order, so no output value changes.
  const x0s = xs.x0;
  const wxs = xs.w;
  const y0s = ys.x0;
  const wys = ys.w;
  const inside = (taps: Int32Array, from: number, count: number, size: number) => {
    for (let k = from; k < from + count; k++) if (taps[k] < 0 || taps[k] + 1 >= size) return false;
    return true;
  };
  const columnInside = new Uint8Array(width);
  for (let u = 0; u < width; u++) columnInside[u] = inside(x0s, u * nx, nx, srcW) ? 1 : 0;
  const rowBytes = srcW * 3;
  let o = 0;
  for (let v = 0; v < height; v++) {
    const rowInside = inside(y0s, v * ny, ny, srcH);
    for (let u = 0; u < width; u++, o += 3) {
      if (rowInside && columnInside[u] === 1) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let ky = v * ny; ky < (v + 1) * ny; ky++) {
          const wy = wys[ky];
          const row = y0s[ky] * rowBytes;
          for (let kx = u * nx; kx < (u + 1) * nx; kx++) {
            const wx = wxs[kx];
            const w00 = (1 - wx) * (1 - wy);
            const w01 = wx * (1 - wy);
            const w10 = (1 - wx) * wy;
            const w11 = wx * wy;
            const a = row + x0s[kx] * 3;
            const b = a + rowBytes;
            s0 += src[a] * w00 + src[a + 3] * w01 + src[b] * w10 + src[b + 3] * w11;
            s1 += src[a + 1] * w00 + src[a + 4] * w01 + src[b + 1] * w10 + src[b + 4] * w11;
            s2 += src[a + 2] * w00 + src[a + 5] * w01 + src[b + 2] * w10 + src[b + 5] * w11;
          }
        }
        out[o] = s0 * norm + 0.5;
        out[o + 1] = s1 * norm + 0.5;
        out[o + 2] = s2 * norm + 0.5;
        continue;
      }
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let ky = 0; ky < ny; ky++) {
        const y0 = ys.x0[v * ny + ky];
        const wy = ys.w[v * ny + ky];
        const row0ok = y0 >= 0 && y0 < srcH;
        const row1ok = y0 + 1 >= 0 && y0 + 1 < srcH;
        for (let kx = 0; kx < nx; kx++) {
          const x0 = xs.x0[u * nx + kx];
          const wx = xs.w[u * nx + kx];
          const w00 = (1 - wx) * (1 - wy);
          const w01 = wx * (1 - wy);
          const w10 = (1 - wx) * wy;
          const w11 = wx * wy;
          if (row0ok && row1ok && x0 >= 0 && x0 + 1 < srcW) {
            const a = (y0 * srcW + x0) * 3;
            const b = a + srcW * 3;
            s0 += src[a] * w00 + src[a + 3] * w01 + src[b] * w10 + src[b + 3] * w11;
            s1 += src[a + 1] * w00 + src[a + 4] * w01 + src[b + 1] * w10 + src[b + 4] * w11;
            s2 += src[a + 2] * w00 + src[a + 5] * w01 + src[b + 2] * w10 + src[b + 5] * w11;
          } else {
            const c0ok = x0 >= 0 && x0 < srcW;
            const c1ok = x0 + 1 >= 0 && x0 + 1 < srcW;
            const r0 = y0 * srcW * 3;
            const r1 = r0 + srcW * 3;
            const x0b = x0 * 3;
            const x1b = x0b + 3;
            s0 +=
              (row0ok && c0ok ? src[r0 + x0b] : fill[0]) * w00 +
              (row0ok && c1ok ? src[r0 + x1b] : fill[0]) * w01 +
              (row1ok && c0ok ? src[r1 + x0b] : fill[0]) * w10 +
              (row1ok && c1ok ? src[r1 + x1b] : fill[0]) * w11;
            s1 +=
              (row0ok && c0ok ? src[r0 + x0b + 1] : fill[1]) * w00 +
              (row0ok && c1ok ? src[r0 + x1b + 1] : fill[1]) * w01 +
              (row1ok && c0ok ? src[r1 + x0b + 1] : fill[1]) * w10 +
              (row1ok && c1ok ? src[r1 + x1b + 1] : fill[1]) * w11;
            s2 +=
              (row0ok && c0ok ? src[r0 + x0b + 2] : fill[2]) * w00 +
              (row0ok && c1ok ? src[r0 + x1b + 2] : fill[2]) * w01 +
              (row1ok && c0ok ? src[r1 + x0b + 2] : fill[2]) * w10 +
              (row1ok && c1ok ? src[r1 + x1b + 2] : fill[2]) * w11;
          }
        }
      }
      out[o] = s0 * norm + 0.5;
      out[o + 1] = s1 * norm + 0.5;
      out[o + 2] = s2 * norm + 0.5;
    }
  }
}
