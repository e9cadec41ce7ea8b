import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../image/raster.js';
import { type QuarterTurns, rotateQuarterTurns, unturnPoint, unturnRoll } from './quarter-turns.js';

/** A 3×2 image whose red channel numbers the pixels row by row: 0 1 2 / 3 4 5. */
const image: RgbImage = {
  width: 3,
  height: 2,
  data: Uint8Array.from([0, 1, 2, 3, 4, 5].flatMap((v) => [v, 100 + v, 200 + v])),
};
const reds = (i: RgbImage) => Array.from({ length: i.width * i.height }, (_, k) => i.data[k * 3]);

describe('rotateQuarterTurns', () => {
  it('turns clockwise: 90°, 180°, 270°', () => {
    const quarter = rotateQuarterTurns(image, 1);
    expect([quarter.width, quarter.height]).toEqual([2, 3]);
    expect(reds(quarter)).toEqual([3, 0, 4, 1, 5, 2]);
    expect(reds(rotateQuarterTurns(image, 2))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(reds(rotateQuarterTurns(image, 3))).toEqual([2, 5, 1, 4, 0, 3]);
  });

  it('keeps every channel of a pixel together', () => {
    const turned = rotateQuarterTurns(image, 1);
    expect(Array.from(turned.data.subarray(0, 3))).toEqual([3, 103, 203]);
  });

  it('returns the image itself for no turn, and four turns come back to it', () => {
    expect(rotateQuarterTurns(image, 0)).toBe(image);
    let i = image;
    for (let k = 0; k < 4; k++) i = rotateQuarterTurns(i, 1);
    expect(i).toEqual(image);
  });
});

describe('unturnPoint', () => {
  it.each([1, 2, 3] as QuarterTurns[])(
    'maps the centre of every pixel back to where it came from (%i turns)',
    (turns) => {
      const turned = rotateQuarterTurns(image, turns);
      for (let y = 0; y < turned.height; y++) {
        for (let x = 0; x < turned.width; x++) {
          const [ox, oy] = unturnPoint(x + 0.5, y + 0.5, turns, image.width, image.height);
          const source = (Math.floor(oy) * image.width + Math.floor(ox)) * 3;
          expect(image.data[source]).toBe(turned.data[(y * turned.width + x) * 3]);
        }
      }
    },
  );
});

describe('unturnRoll', () => {
  it('subtracts the turn and wraps into (-180, 180]', () => {
    expect(unturnRoll(0, 0)).toBe(0);
    expect(unturnRoll(5, 1)).toBe(-85);
    expect(unturnRoll(-5, 3)).toBe(85);
    expect(unturnRoll(10, 2)).toBe(-170);
    expect(unturnRoll(-10, 2)).toBe(170);
  });
});
