import { describe, expect, it } from 'vitest';
import { bestThreshold, iou, kFoldAccuracy, matchDetections, rocAuc, tarAtFar } from './metrics.js';

const pair = (score: number, same: boolean) => ({ score, same });

describe('verification metrics', () => {
  it('AUC is 1 for separable scores, 0.5 for ties, 0 for inverted', () => {
    expect(rocAuc([pair(0.9, true), pair(0.8, true), pair(0.1, false), pair(0.2, false)])).toBe(1);
    expect(rocAuc([pair(0.5, true), pair(0.5, false)])).toBe(0.5);
    expect(rocAuc([pair(0.1, true), pair(0.9, false)])).toBe(0);
    expect(rocAuc([pair(0.9, true), pair(0.3, true), pair(0.5, false)])).toBe(0.5);
  });

  it('finds the best threshold and cross-validates it', () => {
    const pairs = Array.from({ length: 100 }, (_, i) =>
      pair(i < 50 ? 0.6 + i / 1000 : 0.4 - i / 1000, i < 50),
    );
    expect(bestThreshold(pairs).accuracy).toBe(1);
    expect(kFoldAccuracy(pairs).mean).toBe(1);
    const noisy = [...pairs, pair(0.1, true), pair(0.95, false)];
    expect(bestThreshold(noisy).accuracy).toBeCloseTo(100 / 102, 6);
  });

  it('TAR at FAR counts positives above the allowed negatives', () => {
    const negatives = Array.from({ length: 1000 }, (_, i) => pair(i / 1000, false));
    const positives = [pair(0.9995, true), pair(0.9985, true), pair(0.5, true), pair(0.999, true)];
    const r = tarAtFar([...negatives, ...positives], 1e-3);
    // One negative (0.999) may lie above the threshold: positives >= just above 0.998 pass.
    expect(r.tar).toBe(0.75);
    expect(r.resolvable).toBe(true);
    expect(tarAtFar([pair(0.2, false), pair(0.9, true)], 1e-3).resolvable).toBe(false);
  });
});

describe('detection matching', () => {
  it('computes IoU and matches one-to-one', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150, 6);
    const { found, isFace, falsePositives } = matchDetections(
      [
        [0, 0, 10, 10],
        [100, 100, 20, 20],
      ],
      [
        [1, 1, 10, 10],
        [0, 0, 10, 10],
        [300, 300, 5, 5],
      ],
    );
    expect(found).toEqual([true, false]);
    expect(isFace).toEqual([false, true, false]);
    expect(falsePositives).toBe(2);
    const ignored = matchDetections([], [[50, 50, 4, 4]], 0.5, [[50, 50, 4, 4]]);
    expect(ignored.falsePositives).toBe(0);
    expect(ignored.isFace).toEqual([true]);
  });
});
