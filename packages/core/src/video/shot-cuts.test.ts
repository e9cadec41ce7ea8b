import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image/raster.js';
import { colourHistogram, histogramDistance, isCut } from './shot-cuts.js';

/** A 64×64 image: the left `split` columns one colour, the rest another. */
function image(left: number[], right: number[], split = 32): RgbImage {
  const data = new Uint8Array(64 * 64 * 3);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) data.set(x < split ? left : right, (y * 64 + x) * 3);
  }
  return { width: 64, height: 64, data };
}

describe('shot cuts', () => {
  it('sees a cut between different pictures, not a small move of the same one', () => {
    const a = colourHistogram(image([200, 40, 40], [20, 20, 20]));
    const moved = colourHistogram(image([200, 40, 40], [20, 20, 20], 36));
    const other = colourHistogram(image([30, 160, 220], [240, 240, 240]));
    expect(histogramDistance(a, a)).toBe(0);
    expect(isCut(a, moved)).toBe(false);
    expect(isCut(a, other)).toBe(true);
    expect(histogramDistance(a, other)).toBeGreaterThan(0.5);
  });
});
