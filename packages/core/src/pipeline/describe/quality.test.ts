import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../image/raster.js';
import { blankImage } from '../__fixtures__/synthetic.js';
import { measureQuality } from './quality.js';

/** A textured "face": smooth shading plus fine detail, deterministic. */
function texture(width: number, height: number): RgbImage {
  const image = blankImage(width, height);
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 110 + 40 * Math.sin(x / 9) * Math.cos(y / 13) + 40 * (random() - 0.5);
      image.data.fill(
        Math.max(0, Math.min(255, Math.round(v))),
        (y * width + x) * 3,
        (y * width + x) * 3 + 3,
      );
    }
  }
  return image;
}

/** Separable box blur of the given radius, applied twice (close to a Gaussian). */
function blur(image: RgbImage, radius: number): RgbImage {
  let src = image.data;
  const { width, height } = image;
  for (let pass = 0; pass < 4; pass++) {
    const horizontal = pass % 2 === 0;
    const out = new Uint8Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++) {
            const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
            const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
            sum += src[(yy * width + xx) * 3 + c];
          }
          out[(y * width + x) * 3 + c] = Math.round(sum / (2 * radius + 1));
        }
      }
    }
    src = out;
  }
  return { width, height, data: src };
}

const box = { x1: 20, y1: 20, x2: 180, y2: 180 };

describe('measureQuality', () => {
  it('maps mean luma linearly to brightness', () => {
    expect(measureQuality(blankImage(200, 200, 0), box).brightness).toBe(0);
    expect(measureQuality(blankImage(200, 200, 255), box).brightness).toBeCloseTo(100);
    expect(measureQuality(blankImage(200, 200, 128), box).brightness).toBeCloseTo(50.2, 1);
  });

  it('scores a blurred copy lower than the sharp one, and more blur lower still', () => {
    const sharp = texture(200, 200);
    const s0 = measureQuality(sharp, box).sharpness;
    const s1 = measureQuality(blur(sharp, 2), box).sharpness;
    const s2 = measureQuality(blur(sharp, 5), box).sharpness;
    expect(s0).toBeGreaterThan(80);
    expect(s1).toBeLessThan(s0);
    expect(s2).toBeLessThan(s1);
    expect(s2).toBeLessThan(30);
    expect(measureQuality(blankImage(200, 200, 90), box).sharpness).toBe(0);
  });

  it('is about the same for the same face at another size', () => {
    const sharp = texture(200, 200);
    const small = measureQuality(sharp, box).sharpness;
    const other = measureQuality(sharp, { x1: 10, y1: 10, x2: 190, y2: 190 }).sharpness;
    expect(Math.abs(small - other)).toBeLessThan(5);
  });

  it('ignores the part of the box outside the image and handles boxes wholly outside', () => {
    const image = blankImage(100, 100, 200);
    expect(measureQuality(image, { x1: -50, y1: -50, x2: 50, y2: 50 }).brightness).toBeCloseTo(
      (200 / 255) * 100,
    );
    expect(measureQuality(image, { x1: 300, y1: 300, x2: 400, y2: 400 })).toEqual({
      brightness: 0,
      sharpness: 0,
    });
  });
});
