import { describe, expect, it } from 'vitest';
import {
  brierScore,
  confidenceAnchors,
  isotonicBlocks,
  reliability,
} from './confidence-calibration.js';

/** `count` detections at `score`, `faces` of them real faces. */
const at = (score: number, count: number, faces: number) =>
  Array.from({ length: count }, (_, i) => ({ score, face: i < faces }));

describe('detection confidence calibration', () => {
  it('isotonic blocks: pools bins whose precision does not increase', () => {
    const detections = [...at(0.6, 10, 5), ...at(0.7, 10, 3), ...at(0.9, 10, 9)];
    const blocks = isotonicBlocks(detections, 3);
    expect(blocks.map((b) => [b.faces, b.count])).toEqual([
      [8, 20],
      [9, 10],
    ]);
    expect(blocks[0].min).toBe(0.6);
    expect(blocks[0].max).toBe(0.7);
    // The centre is the score at the block's mean logit: between its two scores.
    expect(blocks[0].centre).toBeGreaterThan(0.6);
    expect(blocks[0].centre).toBeLessThan(0.7);
    expect(blocks[1].centre).toBeCloseTo(0.9, 10);
  });

  it('isotonic blocks: precisions increase strictly, whatever the order of the input', () => {
    const detections = [...at(0.99, 30, 29), ...at(0.5, 30, 10), ...at(0.8, 30, 20)].reverse();
    const blocks = isotonicBlocks(detections, 6);
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i].faces / blocks[i].count).toBeGreaterThan(
        blocks[i - 1].faces / blocks[i - 1].count,
      );
    }
    expect(blocks.reduce((n, b) => n + b.count, 0)).toBe(90);
  });

  it('anchors: shrunk precisions, rounded scores, strictly increasing', () => {
    const anchors = confidenceAnchors([
      { min: 0.5, max: 0.8, centre: 0.7234, faces: 8, count: 18 },
      { min: 0.8, max: 0.99, centre: 0.98765, faces: 48, count: 50 },
      { min: 0.99, max: 1, centre: 0.999876, faces: 100, count: 100 },
    ]);
    expect(anchors).toEqual([
      [0.72, 45],
      [0.988, 94.2],
      [0.99988, 99],
    ]);
  });

  it('reliability: bucket counts, mean confidence and precision; Brier score', () => {
    const ds = [
      { confidence: 40, face: false },
      { confidence: 60, face: true },
      { confidence: 60, face: false },
      { confidence: 99.5, face: true },
    ];
    const rows = reliability(ds, [0, 50, 99, 100.0001]);
    expect(rows.map((r) => [r.count, r.predicted, r.precision])).toEqual([
      [1, 40, 0],
      [2, 60, 0.5],
      [1, 99.5, 1],
    ]);
    expect(brierScore(ds)).toBeCloseTo((0.16 + 0.16 + 0.36 + 0.000025) / 4, 10);
  });
});
