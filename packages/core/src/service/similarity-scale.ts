/**
 * Maps an embedding's cosine similarity (-1..1) to Rekognition's `Similarity` percentage (0..100)
 * and back. Each face model calibrates its own; both directions must be monotonic.
 */
export interface SimilarityScale {
  toPercent(cosine: number): number;
  /** The lowest cosine whose percentage is >= `percent`. */
  toCosine(percent: number): number;
}

/** Cosine clamped at 0 and scaled to 0..100: the default until a face model brings its calibration. */
export const linearSimilarityScale: SimilarityScale = {
  toPercent: (cosine) => Math.min(100, Math.max(0, cosine * 100)),
  toCosine: (percent) => percent / 100,
};
