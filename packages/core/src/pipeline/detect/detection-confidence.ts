/**
 * Maps a detector's raw face probability (0–1) to the `Confidence` reported for a face (0–100).
 * A calibrated map makes `Confidence` the measured probability that the box is a real face, so
 * that thresholds on it (QualityFilter's `LOW_CONFIDENCE`) mean precisions.
 */
export interface DetectionConfidence {
  /** `Confidence` (0–100) of a detection with raw probability `score` (0–1); monotonic. */
  toPercent(score: number): number;
}

/** The raw probability × 100: what an uncalibrated detector reports. */
export const rawDetectionConfidence: DetectionConfidence = {
  toPercent: (score) => Math.min(100, Math.max(0, score * 100)),
};

/** Raw scores are clamped this far from 0 and 1 before taking their logit. */
const EPSILON = 1e-7;

const logit = (p: number) => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};

/**
 * A calibration through measured anchors `[score, percent]` (raw probability 0–1 ↦ precision in
 * percent), strictly increasing in both. Between anchors it is linear in the logit of the score
 * (detector probabilities crowd towards 1, where the logit spreads them out); below the first
 * anchor it falls linearly to 0 at score 0, and above the last it stays at the last anchor's
 * percentage: a measured precision is never 100%, however sure the detector (whose float32
 * softmax gives exactly 1 for many faces).
 */
export function piecewiseLinearDetectionConfidence(
  anchors: readonly (readonly [score: number, percent: number])[],
): DetectionConfidence {
  if (anchors.length === 0) throw new Error('detection confidence needs at least one anchor');
  for (let i = 0; i < anchors.length; i++) {
    const [s, p] = anchors[i];
    const ok =
      s > 0 &&
      s < 1 &&
      p > 0 &&
      p < 100 &&
      (i === 0 || (s > anchors[i - 1][0] && p > anchors[i - 1][1]));
    if (!ok) {
      throw new Error(
        `detection confidence anchors must lie in (0, 1) × (0, 100) and increase strictly: ${JSON.stringify(anchors)}`,
      );
    }
  }
  const xs = anchors.map(([s]) => logit(s));
  const [firstScore, firstPercent] = anchors[0];
  const [lastScore, lastPercent] = anchors[anchors.length - 1];
  return {
    toPercent(score: number): number {
      if (!(score > 0)) return 0;
      if (score <= firstScore) return (firstPercent * score) / firstScore;
      if (score >= lastScore) return lastPercent;
      const x = logit(score);
      let i = 1;
      while (x > xs[i]) i++;
      const t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
      return anchors[i - 1][1] + t * (anchors[i][1] - anchors[i - 1][1]);
    },
  };
}

/**
 * Measured calibrations of each detector (by model id), as `[raw score, precision %]` anchors.
 * Fitted by `pnpm bench:accuracy` (section "Detection confidence") on half of the WIDER FACE
 * validation subset and checked on the other half: see the comment on each entry.
 */
export const detectionConfidenceAnchors: Record<
  string,
  readonly (readonly [score: number, percent: number])[]
> = {
  /*
   * UltraFace RFB-320 (`fr_detect.onnx`) in the Node pipeline's detection settings (letterboxed
   * full pass, 2×2 and 3×3 tiles fused; see `@facekit/pipeline-node`). Fitted on the 176
   * even-numbered images of the WIDER FACE validation subset (1,587 detections, 80.5% of them
   * matching a WIDER face one-to-one at IoU ≥ 0.5): isotonic regression over 12 equal-count
   * score bins, pooled into 9 blocks; each anchor is a block's centre (mean logit) ↦ its precision
   * shrunk by (faces + 1) / (count + 2). On the 175 odd-numbered images (1,551 detections), the
   * Brier score falls from 0.142 (raw probability) to 0.108, and each Confidence bucket's mean
   * lies within a few points of its measured precision (README, "Detection confidence"). The raw
   * probability overstates: 0.85 was right half the time, 0.95 nine times in ten. By box height
   * (held out): under 32 px mean Confidence 68 for 73% faces, 32–96 px 89 for 86%, over 96 px 93
   * for 88%; the score alone carries no size term.
   */
  'faceplugin-detect-rfb320': [
    [0.67, 33.6],
    [0.77, 36.3],
    [0.85, 62.7],
    [0.91, 68.7],
    [0.952, 85.1],
    [0.975, 88.1],
    [0.988, 94],
    [0.99917, 98.9],
    [0.9999922, 99.3],
  ],
};

/** The calibration of detector `modelId`, or the raw probability × 100 when none is measured. */
export function detectionConfidenceFor(modelId: string): DetectionConfidence {
  const anchors = detectionConfidenceAnchors[modelId];
  return anchors ? piecewiseLinearDetectionConfidence(anchors) : rawDetectionConfidence;
}
