import { describe, expect, it } from 'vitest';
import { BestPerRow } from './best-per-row.js';
import { dotProducts, dotProductsInJs, dotRows } from './dot-products.js';

function rows(count: number, dim: number, seed: number): Float32Array {
  let a = seed;
  return Float32Array.from({ length: count * dim }, () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648 - 0.5;
  });
}

describe('dotProducts', () => {
  // Odd counts and widths exercise the padding around the SIMD kernel (even `a` rows, `b` rows
  // in fours, widths in fours) and the JavaScript kernel's leftover rows.
  for (const [aCount, bCount, dim] of [
    [1, 1, 1],
    [3, 5, 7],
    [2, 4, 48],
    [17, 13, 512],
    [130, 70, 48],
  ]) {
    it(`matches one dot product at a time (${aCount} × ${bCount} rows of ${dim})`, () => {
      const a = rows(aCount + 3, dim, 1);
      const b = rows(bCount + 2, dim, 2);
      const want = new Float32Array(aCount * bCount);
      for (let x = 0; x < aCount; x++) {
        for (let y = 0; y < bCount; y++) {
          want[x * bCount + y] = dotRows(a, (3 + x) * dim, b, (2 + y) * dim, dim);
        }
      }
      for (const kernel of [dotProducts, dotProductsInJs]) {
        const out = new Float32Array(aCount * bCount).fill(Number.NaN);
        kernel(a, 3, aCount, b, 2, bCount, dim, out);
        let worst = 0;
        for (let e = 0; e < want.length; e++) worst = Math.max(worst, Math.abs(out[e] - want[e]));
        expect(worst).toBeLessThan(1e-4);
      }
    });
  }

  it('grows its memory for large blocks and still agrees', () => {
    const dim = 512;
    const a = rows(300, dim, 3);
    const out = new Float32Array(300 * 300);
    dotProducts(a, 0, 300, a, 0, 300, dim, out);
    for (const [x, y] of [
      [0, 0],
      [299, 17],
      [150, 299],
    ]) {
      expect(out[x * 300 + y]).toBeCloseTo(dotRows(a, x * dim, a, y * dim, dim), 4);
    }
  });
});

describe('BestPerRow', () => {
  it('keeps each row’s best distinct ids, best first, ties by id', () => {
    const best = new BestPerRow(2, 3);
    for (const [id, score] of [
      [5, 0.1],
      [1, 0.9],
      [2, 0.5],
      [1, 0.9],
      [7, 0.5],
      [3, 0.7],
      [4, 0.2],
    ]) {
      best.push(1, id, score);
    }
    best.push(0, 9, 1);
    const ids = new Int32Array(3);
    const scores = new Float32Array(3);
    expect(best.writeSorted(1, ids, scores, 0)).toBe(3);
    expect(Array.from(ids)).toEqual([1, 3, 2]);
    expect(best.has(1, 7)).toBe(false);
    expect(best.writeSorted(0, ids, scores, 0)).toBe(1);
    expect(ids[0]).toBe(9);
  });
});
