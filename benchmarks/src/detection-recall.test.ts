import { describe, expect, it } from 'vitest';
import { heightBand, recallByHeight } from './detection-recall.js';

describe('recall by face height', () => {
  it('bands heights with 32 and 96 in the middle band', () => {
    expect([31.9, 32, 96, 96.1].map(heightBand)).toEqual([0, 1, 1, 2]);
  });

  it('counts found boxes per band', () => {
    const rows = recallByHeight([
      {
        boxes: [
          [0, 0, 10, 20],
          [0, 0, 40, 50],
          [0, 0, 40, 60],
        ],
        found: [false, true, false],
      },
      { boxes: [[0, 0, 100, 120]], found: [true] },
    ]);
    expect(rows.map((r) => [r.found, r.total])).toEqual([
      [0, 1],
      [1, 2],
      [1, 1],
    ]);
    expect(rows[1].recall).toBe(0.5);
    expect(recallByHeight([])[0].recall).toBeNaN();
  });
});
