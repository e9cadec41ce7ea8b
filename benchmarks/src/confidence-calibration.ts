/** A detection with its raw detector probability and whether it is a real face (ground truth). */
export interface LabelledDetection {
  /** Raw detector probability, 0–1. */
  score: number;
  face: boolean;
}

/** A run of detections, sorted by score, pooled into one precision. */
export interface ScoreBlock {
  /** Lowest and highest raw score in the block. */
  min: number;
  max: number;
  /** Mean logit of the scores, as a score (the block's centre where the calibration is linear). */
  centre: number;
  faces: number;
  count: number;
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Isotonic regression of `face` on `score` by pool-adjacent-violators, starting from `bins`
 * equal-count bins of the detections sorted by score (so no block is smaller than a bin: a
 * handful of detections does not make an anchor). Adjacent blocks whose precision does not
 * increase are pooled, so the blocks' precisions increase strictly.
 */
export function isotonicBlocks(detections: readonly LabelledDetection[], bins = 12): ScoreBlock[] {
  const sorted = [...detections].sort((a, b) => a.score - b.score);
  const n = sorted.length;
  const stack: (ScoreBlock & { logitSum: number })[] = [];
  for (let b = 0; b < Math.min(bins, n); b++) {
    const part = sorted.slice(Math.round((b * n) / bins), Math.round(((b + 1) * n) / bins));
    if (part.length === 0) continue;
    let block = {
      min: part[0].score,
      max: part[part.length - 1].score,
      centre: 0,
      faces: part.filter((d) => d.face).length,
      count: part.length,
      logitSum: part.reduce((s, d) => s + logit(d.score), 0),
    };
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.faces / top.count < block.faces / block.count) break;
      stack.pop();
      block = {
        min: top.min,
        max: block.max,
        centre: 0,
        faces: top.faces + block.faces,
        count: top.count + block.count,
        logitSum: top.logitSum + block.logitSum,
      };
    }
    stack.push(block);
  }
  return stack.map(({ logitSum, ...b }) => ({ ...b, centre: sigmoid(logitSum / b.count) }));
}

/**
 * `[score, percent]` anchors for `piecewiseLinearDetectionConfidence`: each isotonic block's
 * centre ↦ its precision, shrunk towards 50% by one face and one non-face ((faces + 1) /
 * (count + 2)), so a block that was always right still says less than 100%. Scores are rounded
 * to `digits` significant digits of their distance from 1, percentages to 0.1; an anchor that
 * would not increase strictly after rounding is left out.
 */
export function confidenceAnchors(blocks: readonly ScoreBlock[], digits = 2): [number, number][] {
  const anchors: [number, number][] = [];
  for (const b of blocks) {
    const gap = 1 - b.centre;
    const step = 10 ** (Math.floor(Math.log10(gap)) - digits + 1);
    const score = Number((1 - Math.round(gap / step) * step).toFixed(12));
    const percent = Math.round((1000 * (b.faces + 1)) / (b.count + 2)) / 10;
    const last = anchors[anchors.length - 1];
    if (score <= 0 || score >= 1 || percent <= 0 || percent >= 100) continue;
    if (last && !(score > last[0] && percent > last[1])) continue;
    anchors.push([score, percent]);
  }
  return anchors;
}

export interface ReliabilityRow {
  /** The bucket of reported `Confidence`, `[from, to)`. */
  from: number;
  to: number;
  count: number;
  /** Mean reported `Confidence` in the bucket, 0–100 (NaN when empty). */
  predicted: number;
  /** Share of the bucket's detections that are real faces, 0–1 (NaN when empty). */
  precision: number;
}

/** Reported `Confidence` bucket → measured precision, for a reliability table. */
export function reliability(
  detections: readonly { confidence: number; face: boolean }[],
  edges: readonly number[] = [0, 50, 70, 80, 90, 95, 99, 100.0001],
): ReliabilityRow[] {
  const rows: ReliabilityRow[] = [];
  for (let i = 1; i < edges.length; i++) {
    const inBucket = detections.filter(
      (d) => d.confidence >= edges[i - 1] && d.confidence < edges[i],
    );
    const count = inBucket.length;
    rows.push({
      from: edges[i - 1],
      to: edges[i],
      count,
      predicted: count ? inBucket.reduce((s, d) => s + d.confidence, 0) / count : Number.NaN,
      precision: count ? inBucket.filter((d) => d.face).length / count : Number.NaN,
    });
  }
  return rows;
}

/** Mean squared error of `confidence / 100` against the 0/1 truth (lower is better). */
export function brierScore(detections: readonly { confidence: number; face: boolean }[]): number {
  if (detections.length === 0) return Number.NaN;
  const sum = detections.reduce((s, d) => s + (d.confidence / 100 - (d.face ? 1 : 0)) ** 2, 0);
  return sum / detections.length;
}
