import { checkFalseAcceptPoints } from '@facekit/core/analyzer';
import { describe, expect, it } from 'vitest';
import { falseAcceptPoints, thresholdTable } from './false-accept-table.js';

describe('thresholdTable', () => {
  it('counts pairs at or above each threshold', () => {
    const rows = thresholdTable([10, 40, 60, 85], [70, 80, 90, 99], [50, 80]);
    expect(rows[0]).toEqual({
      similarity: 50,
      falseAccepts: 2,
      falseAcceptRate: 0.5,
      trueAccepts: 4,
      trueAcceptRate: 1,
    });
    expect(rows[1]).toMatchObject({ falseAccepts: 1, trueAccepts: 3, trueAcceptRate: 0.75 });
  });
});

describe('falseAcceptPoints', () => {
  const negatives = Array.from({ length: 1000 }, (_, i) => i / 20); // 0 .. 49.95

  it('puts each rate just above the negative it must exclude', () => {
    const points = falseAcceptPoints(negatives, [0.1, 0.01, 0.001]);
    // 10% of 1000 = 100 may match: above the 101st highest (44.95); 1%: above 49.45; 0.1%: 49.9.
    expect(points).toEqual([
      [44.96, 0.1],
      [49.46, 0.01],
      [49.91, 0.001],
    ]);
    for (const [similarity, rate] of points) {
      expect(
        negatives.filter((s) => s >= similarity).length / negatives.length,
      ).toBeLessThanOrEqual(rate);
    }
    checkFalseAcceptPoints(points);
  });

  it('leaves out rates the negatives cannot resolve', () => {
    expect(falseAcceptPoints(negatives, [0.0001, 0.01]).map(([, rate]) => rate)).toEqual([0.01]);
  });
});
