import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../image/raster.js';
import { blankImage, fillRect, pixel } from '../__fixtures__/synthetic.js';
import { applySimilarity, type SimilarityTransform } from './align.js';
import {
  DLIB_CHIP_POINTS,
  DLIB_FIVE_POINT_TEMPLATE,
  DLIB_MEAN_FACE_SHAPE,
  dlibChipSampling,
  extractFaceChip,
  faceChipTemplate,
  fitFaceChip,
} from './face-chip.js';

/** dlib's mean face (unit square) → chip pixel indices, for a chip of `size` with `padding`. */
const place = (v: number, size = 150, padding = 0.25) => ((padding + v) / (2 * padding + 1)) * size;

/** Template point of iBUG index `i` in chip pixel indices. */
function templatePoint(i: number): [number, number] {
  return [place(DLIB_MEAN_FACE_SHAPE[(i - 17) * 2]), place(DLIB_MEAN_FACE_SHAPE[(i - 17) * 2 + 1])];
}

/**
 * 68 landmarks (continuous image coordinates) of a face whose fitted points are exactly dlib's
 * template seen through `chipToImage`; the points dlib ignores (jaw, brows, lower lip) are
 * scattered, which must not matter.
 */
function faceThrough(chipToImage: SimilarityTransform): Float64Array {
  const points = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    const [u, v] = i >= 17 ? templatePoint(i) : [(i * 37) % 150, (i * 53) % 150];
    const scatter = DLIB_CHIP_POINTS.includes(i) ? 0 : 9;
    const [x, y] = applySimilarity(chipToImage, u + scatter, v - scatter);
    points[i * 2] = x + 0.5;
    points[i * 2 + 1] = y + 0.5;
  }
  return points;
}

const angle = (15 * Math.PI) / 180;
const truth: SimilarityTransform = {
  a: 2.4 * Math.cos(angle),
  b: 2.4 * Math.sin(angle),
  tx: 190,
  ty: 40,
};

/** Centroid of the pixels whose red channel exceeds 128, within columns `[from, to)`. */
function brightCentroid(image: RgbImage, from: number, to: number): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = from; x < to; x++) {
      if (pixel(image, x, y)[0] > 128) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return [sx / n, sy / n];
}

function eyeCentre(from: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < from + 6; i++) {
    const [u, v] = templatePoint(i);
    x += u / 6;
    y += v / 6;
  }
  return [x, y];
}

describe('dlib mean face shape', () => {
  it('has points 17–67, left–right symmetric about x = 0.49', () => {
    expect(DLIB_MEAN_FACE_SHAPE).toHaveLength(51 * 2);
    const x = (i: number) => DLIB_MEAN_FACE_SHAPE[(i - 17) * 2];
    const y = (i: number) => DLIB_MEAN_FACE_SHAPE[(i - 17) * 2 + 1];
    // Mirror pairs of the iBUG markup: outer eye corners, inner eye corners, mouth corners.
    for (const [l, r] of [
      [36, 45],
      [39, 42],
      [48, 54],
      [17, 26],
    ]) {
      expect(x(l) + x(r)).toBeCloseTo(0.98025, 4);
      expect(y(l)).toBeCloseTo(y(r), 5);
    }
    expect(DLIB_CHIP_POINTS).toHaveLength(33);
  });

  it('agrees with the 5-point template on the shared points', () => {
    const five = faceChipTemplate(5, 1, 0);
    // 5-point order: iBUG 45, 42, 36, 39, 33.
    [45, 42, 36, 39, 33].forEach((i, k) => {
      expect(five[k * 2]).toBeCloseTo(DLIB_MEAN_FACE_SHAPE[(i - 17) * 2], 1);
      expect(five[k * 2 + 1]).toBeCloseTo(DLIB_MEAN_FACE_SHAPE[(i - 17) * 2 + 1], 1);
    });
    expect(DLIB_FIVE_POINT_TEMPLATE).toHaveLength(10);
  });
});

describe('fitFaceChip', () => {
  it('recovers a known chip → image transform from 68 points, ignoring jaw, brows and lower lip', () => {
    const t = fitFaceChip(faceThrough(truth));
    expect(t.a).toBeCloseTo(truth.a, 9);
    expect(t.b).toBeCloseTo(truth.b, 9);
    expect(t.tx).toBeCloseTo(truth.tx, 7);
    expect(t.ty).toBeCloseTo(truth.ty, 7);
  });

  it('recovers it from dlib 5 points, at another size and padding', () => {
    const template = faceChipTemplate(5, 200, 0.1);
    const points: number[] = [];
    for (let k = 0; k < 5; k++) {
      const [x, y] = applySimilarity(truth, template[k * 2], template[k * 2 + 1]);
      points.push(x + 0.5, y + 0.5);
    }
    const t = fitFaceChip(points, 200, 0.1);
    expect(t.a).toBeCloseTo(truth.a, 9);
    expect(t.b).toBeCloseTo(truth.b, 9);
    expect(t.tx).toBeCloseTo(truth.tx, 7);
  });

  it('refuses other landmark counts', () => {
    expect(() => fitFaceChip(new Float32Array(12))).toThrow(/68 or 5/);
  });
});

describe('dlibChipSampling', () => {
  it('keeps the angle and the chip centre, and spreads size − 1 pixels over the fitted side', () => {
    const s = dlibChipSampling(truth, 150);
    expect(Math.atan2(s.b, s.a)).toBeCloseTo(angle, 12);
    expect(Math.hypot(s.a, s.b)).toBeCloseTo((2.4 * 150) / 149, 12);
    const [cx, cy] = applySimilarity(s, 74.5, 74.5);
    const [ex, ey] = applySimilarity(truth, 75, 75);
    expect(cx).toBeCloseTo(ex, 9);
    expect(cy).toBeCloseTo(ey, 9);
  });
});

describe('extractFaceChip', () => {
  // A synthetic face 2.4× the chip's scale, rotated 15°: bright discs where its eyes are.
  const image = blankImage(700, 600);
  for (const from of [36, 42]) {
    const [u, v] = eyeCentre(from);
    const [x, y] = applySimilarity(truth, u, v);
    for (let dy = -7; dy <= 7; dy++) {
      for (let dx = -7; dx <= 7; dx++) {
        if (dx * dx + dy * dy <= 49) {
          fillRect(image, Math.round(x) + dx, Math.round(y) + dy, 1, 1, [255, 255, 255]);
        }
      }
    }
  }
  const points = faceThrough(truth);

  for (const antialias of [true, false]) {
    it(`lands the eyes where the template puts them (antialias ${antialias})`, () => {
      const { image: chip, transform } = extractFaceChip(image, points, { antialias });
      expect(chip.width).toBe(150);
      expect(chip.height).toBe(150);
      const [lx, ly] = eyeCentre(36);
      const [rx, ry] = eyeCentre(42);
      // dlib samples the fitted chip with a (size − 1)/size spread about its centre.
      const k = 149 / 150;
      const expected = (u: number, v: number) => [74.5 + (u - 75) * k, 74.5 + (v - 75) * k];
      const [elx, ely] = expected(lx, ly);
      const [erx, ery] = expected(rx, ry);
      const left = brightCentroid(chip, 0, 75);
      const right = brightCentroid(chip, 75, 150);
      expect(Math.abs(left[0] - elx)).toBeLessThan(0.5);
      expect(Math.abs(left[1] - ely)).toBeLessThan(0.5);
      expect(Math.abs(right[0] - erx)).toBeLessThan(0.5);
      expect(Math.abs(right[1] - ery)).toBeLessThan(0.5);
      // Template eye centres: 35% of the chip apart, 31% from its top.
      expect((right[0] - left[0]) / 150).toBeCloseTo(0.35, 2);
      expect(left[1] / 150).toBeCloseTo(0.31, 2);
      // The returned transform maps the image's eye to the same chip position.
      const [ix, iy] = applySimilarity(truth, lx, ly);
      const [tx, ty] = applySimilarity(transform, ix, iy);
      expect(tx).toBeCloseTo(elx, 6);
      expect(ty).toBeCloseTo(ely, 6);
    });
  }

  it('blurs rather than aliases when shrinking', () => {
    // One-pixel stripes average to grey (within ±25 levels at this 2.4× scale) with the box
    // prefilter; bilinear sampling alone lands on whole stripes.
    const stripes = blankImage(700, 600);
    for (let x = 0; x < 700; x += 2) fillRect(stripes, x, 0, 1, 600);
    const spread = (chip: RgbImage) => {
      let min = 255;
      let max = 0;
      for (let y = 60; y < 90; y++) {
        for (let x = 60; x < 90; x++) {
          const v = pixel(chip, x, y)[0];
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      return max - min;
    };
    expect(spread(extractFaceChip(stripes, points).image)).toBeLessThan(64);
    expect(spread(extractFaceChip(stripes, points, { antialias: false }).image)).toBeGreaterThan(
      150,
    );
  });

  it('fills what lies outside the image with black', () => {
    const grey = blankImage(120, 120, 128);
    const corner = faceThrough({ a: 1, b: 0, tx: -60, ty: -60 });
    const { image: chip } = extractFaceChip(grey, corner);
    expect(pixel(chip, 5, 5)).toEqual([0, 0, 0]);
    expect(pixel(chip, 140, 140)).toEqual([128, 128, 128]);
  });
});
