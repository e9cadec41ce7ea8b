import { describe, expect, it } from 'vitest';
import { blankImage, fillRect, pixel } from '../__fixtures__/synthetic.js';
import {
  ARCFACE_TEMPLATE_112,
  alignFace,
  applySimilarity,
  estimateSimilarity,
  invertSimilarity,
  warpSimilarity,
} from './align.js';

const src = [10, 20, 50, 22, 30, 45, 15, 70, 48, 71];

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const angle = 0.3;
    const scale = 1.7;
    const truth = {
      a: scale * Math.cos(angle),
      b: scale * Math.sin(angle),
      tx: -12.5,
      ty: 40,
    };
    const dst = [];
    for (let i = 0; i < 5; i++) dst.push(...applySimilarity(truth, src[i * 2], src[i * 2 + 1]));
    const t = estimateSimilarity(src, dst);
    expect(t.a).toBeCloseTo(truth.a, 10);
    expect(t.b).toBeCloseTo(truth.b, 10);
    expect(t.tx).toBeCloseTo(truth.tx, 10);
    expect(t.ty).toBeCloseTo(truth.ty, 10);
  });

  it('is the least-squares fit for noisy points (errors average out)', () => {
    const truth = { a: 0.8, b: -0.2, tx: 5, ty: 7 };
    const noise = [0.5, -0.5, -0.5, 0.5, 0.3, 0.2, -0.2, -0.3, -0.1, 0.1];
    const dst = [];
    for (let i = 0; i < 5; i++) dst.push(...applySimilarity(truth, src[i * 2], src[i * 2 + 1]));
    const t = estimateSimilarity(
      src,
      dst.map((v, i) => v + noise[i]),
    );
    expect(t.a).toBeCloseTo(0.8, 1);
    expect(t.b).toBeCloseTo(-0.2, 1);
  });

  it('never reflects and refuses degenerate input', () => {
    const mirrored = src.map((v, i) => (i % 2 === 0 ? -v : v));
    const t = estimateSimilarity(src, mirrored);
    expect(Math.hypot(t.a, t.b)).toBeLessThan(1); // the best rotation cannot reproduce a mirror
    expect(() => estimateSimilarity([1, 1, 1, 1], [0, 0, 1, 1])).toThrow(/coincide/);
    expect(() => estimateSimilarity([1, 1], [0, 0])).toThrow(/2 point/);
  });
});

describe('invertSimilarity', () => {
  it('undoes the transform', () => {
    const t = { a: 1.2, b: 0.4, tx: 3, ty: -8 };
    const [x, y] = applySimilarity(t, 17, -4);
    const back = applySimilarity(invertSimilarity(t), x, y);
    expect(back[0]).toBeCloseTo(17, 10);
    expect(back[1]).toBeCloseTo(-4, 10);
  });
});

describe('warpSimilarity', () => {
  it('moves a marked pixel where the transform sends it', () => {
    const image = blankImage(100, 100);
    fillRect(image, 60, 30, 1, 1, [255, 0, 0]);
    // Source → output: rotate 90° (x' = −y, y' = x) and shift by (99, 0).
    const forward = { a: 0, b: 1, tx: 99, ty: 0 };
    const out = warpSimilarity(image, invertSimilarity(forward), 100, 100);
    const [x, y] = applySimilarity(forward, 60, 30); // (69, 60)
    expect(pixel(out, x, y)).toEqual([255, 0, 0]);
    expect(pixel(out, 60, 30)).toEqual([0, 0, 0]);
  });

  it('fills outside the source', () => {
    const image = blankImage(10, 10, 200);
    const out = warpSimilarity(image, { a: 1, b: 0, tx: -50, ty: 0 }, 4, 4, [1, 2, 3]);
    expect(pixel(out, 0, 0)).toEqual([1, 2, 3]);
  });
});

describe('alignFace', () => {
  it('maps the 5 points onto the ArcFace template', () => {
    // A face twice the template's size, rotated 20°, somewhere in a larger image.
    const angle = (20 * Math.PI) / 180;
    const toImage = { a: 2 * Math.cos(angle), b: 2 * Math.sin(angle), tx: 150, ty: 80 };
    const points = [];
    for (let i = 0; i < 5; i++) {
      const [x, y] = applySimilarity(
        toImage,
        ARCFACE_TEMPLATE_112[i * 2],
        ARCFACE_TEMPLATE_112[i * 2 + 1],
      );
      points.push(x + 0.5, y + 0.5); // continuous coordinates
    }
    const image = blankImage(400, 400);
    // Mark the image pixel under the nose tip.
    const [nx, ny] = applySimilarity(toImage, 56, 72);
    fillRect(image, Math.round(nx) - 2, Math.round(ny) - 2, 5, 5, [0, 255, 0]);
    const { image: aligned, transform } = alignFace(image, points);
    expect(aligned.width).toBe(112);
    expect(aligned.height).toBe(112);
    const inverse = invertSimilarity(toImage);
    expect(transform.a).toBeCloseTo(inverse.a, 8);
    expect(transform.b).toBeCloseTo(inverse.b, 8);
    expect(pixel(aligned, 56, 72)).toEqual([0, 255, 0]);
    expect(pixel(aligned, 10, 10)).toEqual([0, 0, 0]);
  });

  it('scales the template to other crop sizes', () => {
    const points = ARCFACE_TEMPLATE_112.map((v) => v * 2 + 0.5);
    const { image, transform } = alignFace(blankImage(300, 300), points, {
      width: 224,
      height: 224,
    });
    expect(image.width).toBe(224);
    expect(transform.a).toBeCloseTo(1, 8);
    expect(transform.tx).toBeCloseTo(0, 6);
  });
});
