import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../image/raster.js';
import { blankImage, fillRect, pixel } from '../__fixtures__/synthetic.js';
import { letterbox, letterboxTransform, resizeRegion, transformRegion } from './resize.js';

function gradient(width: number, height: number): RgbImage {
  const image = blankImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      image.data[p] = x * 10;
      image.data[p + 1] = y * 10;
      image.data[p + 2] = 100;
    }
  }
  return image;
}

describe('resizeRegion', () => {
  it('is the identity for the whole image at its own size', () => {
    const image = gradient(7, 5);
    for (const filter of ['bilinear', 'area'] as const) {
      const out = resizeRegion(image, { x: 0, y: 0, width: 7, height: 5 }, 7, 5, { filter });
      expect(Array.from(out.data)).toEqual(Array.from(image.data));
    }
  });

  it('crops an integer region exactly', () => {
    const image = gradient(10, 10);
    const out = resizeRegion(image, { x: 3, y: 2, width: 4, height: 5 }, 4, 5);
    expect(pixel(out, 0, 0)).toEqual(pixel(image, 3, 2));
    expect(pixel(out, 3, 4)).toEqual(pixel(image, 6, 6));
  });

  it('interpolates linearly between pixel centres', () => {
    const image = gradient(4, 1);
    // Upsampling 2×: output centres fall at 0.25, 0.75, … source pixels from the left edge.
    const out = resizeRegion(image, { x: 0, y: 0, width: 4, height: 1 }, 8, 1);
    expect(pixel(out, 2, 0)[0]).toBe(8); // between x=0.75 and x=1.25 → 10 * 0.75 = 7.5 → 8
    expect(pixel(out, 3, 0)[0]).toBe(13); // 10 * 1.25 = 12.5 → 13
  });

  it('averages whole blocks with the area filter (exact for integer factors)', () => {
    const image = blankImage(4, 4);
    fillRect(image, 0, 0, 1, 1, [200, 200, 200]); // one bright pixel in the top-left 2×2 block
    fillRect(image, 2, 2, 2, 2, [100, 0, 40]);
    const out = resizeRegion(image, { x: 0, y: 0, width: 4, height: 4 }, 2, 2, { filter: 'area' });
    expect(pixel(out, 0, 0)).toEqual([50, 50, 50]);
    expect(pixel(out, 1, 1)).toEqual([100, 0, 40]);
    expect(pixel(out, 1, 0)).toEqual([0, 0, 0]);
  });

  it('does not alias a fine pattern with the area filter, where bilinear does', () => {
    const image = blankImage(63, 63);
    for (let x = 0; x < 63; x += 2) fillRect(image, x, 0, 1, 63); // 1-px stripes
    const region = { x: 0, y: 0, width: 63, height: 63 };
    // Shrinking 7×: each output pixel covers 3 or 4 white columns of 7 (109 or 146 exactly); the
    // 4-sample approximation stays well inside (0, 255).
    const area = resizeRegion(image, region, 9, 9, { filter: 'area' });
    for (const value of area.data) expect(value > 50 && value < 205).toBe(true);
    // Bilinear lands on single source columns: pure black or white.
    const bilinear = resizeRegion(image, region, 9, 9);
    for (const value of bilinear.data) expect([0, 255]).toContain(value);
  });

  it('fills outside the image and blends at its border', () => {
    const image = blankImage(4, 4, 200);
    const out = resizeRegion(image, { x: -4, y: 0, width: 8, height: 4 }, 8, 4, {
      fill: [10, 20, 30],
    });
    expect(pixel(out, 0, 1)).toEqual([10, 20, 30]);
    expect(pixel(out, 7, 1)).toEqual([200, 200, 200]);
    const area = resizeRegion(image, { x: -4, y: 0, width: 8, height: 4 }, 4, 2, {
      fill: [0, 0, 0],
      filter: 'area',
    });
    expect(pixel(area, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(area, 3, 0)).toEqual([200, 200, 200]);
  });

  it('writes into a given buffer and rejects a short one', () => {
    const image = gradient(4, 4);
    const buffer = new Uint8Array(2 * 2 * 3);
    const out = resizeRegion(image, { x: 0, y: 0, width: 4, height: 4 }, 2, 2, { out: buffer });
    expect(out.data).toBe(buffer);
    expect(() =>
      resizeRegion(image, { x: 0, y: 0, width: 4, height: 4 }, 3, 3, { out: buffer }),
    ).toThrow(RangeError);
    expect(() => resizeRegion(image, { x: 0, y: 0, width: 4, height: 4 }, 0, 3)).toThrow(
      RangeError,
    );
  });
});

describe('letterbox', () => {
  it('keeps the aspect ratio, centres the image and pads with the fill', () => {
    const image = blankImage(640, 240, 255);
    const { image: out, transform } = letterbox(image, 320, 240, { fill: [127, 127, 127] });
    expect(transform).toEqual({ scale: 0.5, offsetX: 0, offsetY: 60 });
    expect(pixel(out, 160, 10)).toEqual([127, 127, 127]);
    expect(pixel(out, 160, 120)).toEqual([255, 255, 255]);
    expect(pixel(out, 160, 229)).toEqual([127, 127, 127]);
  });

  it('maps model coordinates back to image pixels', () => {
    const image = blankImage(200, 400);
    fillRect(image, 100, 300, 20, 20); // a white square at (100..120, 300..320)
    const { image: out, transform } = letterbox(image, 320, 240);
    expect(transform.scale).toBeCloseTo(0.6);
    expect(transform.offsetX).toBeCloseTo(100);
    expect(transform.offsetY).toBe(0);
    // Find the square in the model input and map its centre back.
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 320; x++) {
        if (pixel(out, x, y)[0] > 127) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    const cx = (sx / n - transform.offsetX) / transform.scale;
    const cy = (sy / n - transform.offsetY) / transform.scale;
    expect(cx).toBeCloseTo(110, 0);
    expect(cy).toBeCloseTo(310, 0);
  });

  it('covers exactly the model input with its region', () => {
    const t = letterboxTransform(1000, 500, 320, 240);
    const region = transformRegion(t, 320, 240);
    expect(region.x).toBeCloseTo(0);
    expect(region.width).toBeCloseTo(1000);
    expect(region.y + region.height / 2).toBeCloseTo(250);
    expect(region.height).toBeCloseTo(750);
  });
});

describe('resizeRegion border', () => {
  it('repeats edge pixels with border clamp', () => {
    const image = blankImage(4, 4, 200);
    for (const filter of ['bilinear', 'area'] as const) {
      const out = resizeRegion(image, { x: -4, y: -4, width: 12, height: 12 }, 3, 3, {
        filter,
        border: 'clamp',
      });
      expect(new Set(out.data)).toEqual(new Set([200]));
    }
    const up = resizeRegion(image, { x: 0, y: 0, width: 4, height: 4 }, 9, 9, { border: 'clamp' });
    expect(new Set(up.data)).toEqual(new Set([200]));
  });
});

/**
 * Every output byte from the plain per-sample formula (each tap checked against the image), so
 * the loops without border checks are held to the same value, bit for bit, in and out of the
 * image.
 */
function referenceResize(
  image: RgbImage,
  region: { x: number; y: number; width: number; height: number },
  width: number,
  height: number,
  filter: 'bilinear' | 'area',
  fill: readonly [number, number, number],
  clamp: boolean,
): Uint8Array {
  const { width: w, height: h, data } = image;
  const stepX = region.width / width;
  const stepY = region.height / height;
  const area = filter === 'area' && stepX >= 1 && stepY >= 1;
  const nx = area ? Math.min(4, Math.ceil(stepX - 1e-9)) : 1;
  const ny = area ? Math.min(4, Math.ceil(stepY - 1e-9)) : 1;
  // Sample positions as the resampler computes them: column weights and area weights are
  // tabulated as float32, bilinear row weights stay float64.
  const position = (
    origin: number,
    step: number,
    i: number,
    k: number,
    n: number,
    size: number,
  ) => {
    let s = area
      ? origin + i * step + ((k + 0.5) * step) / n - 0.5
      : origin + (i + 0.5) * step - 0.5;
    if (clamp) s = Math.min(Math.max(s, 0), size - 1);
    return { i0: Math.floor(s), w: s - Math.floor(s) };
  };
  const out = new Uint8Array(width * height * 3);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      for (let c = 0; c < 3; c++) {
        const tap = (x: number, y: number) =>
          x >= 0 && y >= 0 && x < w && y < h ? data[(y * w + x) * 3 + c] : fill[c];
        let sum = 0;
        for (let ky = 0; ky < ny; ky++) {
          const py = position(region.y, stepY, v, ky, ny, h);
          const wy = area ? Math.fround(py.w) : py.w;
          for (let kx = 0; kx < nx; kx++) {
            const px = position(region.x, stepX, u, kx, nx, w);
            const x0 = px.i0;
            const wx = Math.fround(px.w);
            sum +=
              tap(x0, py.i0) * ((1 - wx) * (1 - wy)) +
              tap(x0 + 1, py.i0) * (wx * (1 - wy)) +
              tap(x0, py.i0 + 1) * ((1 - wx) * wy) +
              tap(x0 + 1, py.i0 + 1) * (wx * wy);
          }
        }
        out[(v * width + u) * 3 + c] = area ? sum * (1 / (nx * ny)) + 0.5 : sum + 0.5;
      }
    }
  }
  return out;
}

describe('resizeRegion against the per-sample formula', () => {
  it('gives the same bytes inside, across and outside the image, for both filters', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 150; trial++) {
      const w = 3 + Math.floor(random() * 60);
      const h = 3 + Math.floor(random() * 60);
      const image = blankImage(w, h);
      for (let i = 0; i < image.data.length; i++) image.data[i] = Math.floor(random() * 256);
      const region = {
        x: (random() - 0.3) * w,
        y: (random() - 0.3) * h,
        width: 0.5 + random() * w * 1.5,
        height: 0.5 + random() * h * 1.5,
      };
      const width = 1 + Math.floor(random() * 40);
      const height = 1 + Math.floor(random() * 40);
      const filter = random() < 0.5 ? 'area' : 'bilinear';
      const clamp = random() < 0.3;
      const fill = [Math.floor(random() * 256), 7, 200] as const;
      const out = resizeRegion(image, region, width, height, {
        filter,
        fill,
        border: clamp ? 'clamp' : 'fill',
      });
      const expected = referenceResize(image, region, width, height, filter, fill, clamp);
      expect({ trial, bytes: Array.from(out.data) }).toEqual({
        trial,
        bytes: Array.from(expected),
      });
    }
  });
});
