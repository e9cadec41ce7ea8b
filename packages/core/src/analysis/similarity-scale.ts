import type { FalseAcceptPoint } from './false-accept-rate.js';

/**
 * Maps an embedding's cosine similarity (-1..1) to Rekognition's `Similarity` percentage (0..100)
 * and back. Each face model calibrates its own; both directions must be monotonic.
 */
export interface SimilarityScale {
  toPercent(cosine: number): number;
  /** The lowest cosine whose percentage is >= `percent`. */
  toCosine(percent: number): number;
  /**
   * Measured false accept rates at `Similarity` thresholds on labelled pairs, when the model has
   * been measured: what lets a caller ask for a false accept rate instead of a threshold.
   */
  readonly falseAcceptRates?: readonly FalseAcceptPoint[];
}

/** Cosine clamped at 0 and scaled to 0..100: the default until a face model brings its calibration. */
export const linearSimilarityScale: SimilarityScale = {
  toPercent: (cosine) => Math.min(100, Math.max(0, cosine * 100)),
  toCosine: (percent) => percent / 100,
};

/**
 * A piecewise-linear calibration through measured anchor points `[cosine, percent]`, sorted by
 * cosine and strictly increasing in both. Below the first anchor the percentage falls linearly
 * to 0 at cosine −1; above the last it rises linearly to 100 at cosine 1. Anchors come from the
 * benchmark on labelled pairs (e.g. "cosine at FAR 1e-3 ↦ 80"), so thresholds mean error rates.
 */
export function piecewiseLinearSimilarityScale(
  anchors: readonly (readonly [cosine: number, percent: number])[],
): SimilarityScale {
  const points: [number, number][] = [
    [-1, 0],
    ...anchors.map(([c, p]): [number, number] => [c, p]),
    [1, 100],
  ];
  for (let i = 1; i < points.length; i++) {
    if (!(points[i][0] > points[i - 1][0] && points[i][1] > points[i - 1][1])) {
      throw new Error(`similarity anchors must increase strictly: ${JSON.stringify(anchors)}`);
    }
  }
  const interpolate = (x: number, from: 0 | 1): number => {
    const to = from === 0 ? 1 : 0;
    if (x <= points[0][from]) return points[0][to];
    for (let i = 1; i < points.length; i++) {
      if (x <= points[i][from]) {
        const [a, b] = [points[i - 1], points[i]];
        return a[to] + ((x - a[from]) * (b[to] - a[to])) / (b[from] - a[from]);
      }
    }
    return points[points.length - 1][to];
  };
  return {
    toPercent: (cosine) => interpolate(cosine, 0),
    toCosine: (percent) => interpolate(percent, 1),
  };
}
