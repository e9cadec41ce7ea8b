/** A scored pair: higher `score` means "more likely the same person". */
export interface ScoredPair {
  score: number;
  same: boolean;
}

/** Area under the ROC curve (probability a random positive outscores a random negative; ties count half). */
export function rocAuc(pairs: readonly ScoredPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  let positives = 0;
  let negatives = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (sorted[k].same) {
        positives++;
        rankSum += averageRank;
      } else negatives++;
    }
    i = j;
  }
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The threshold (score >= t means same) with the best accuracy on `pairs`, and that accuracy. */
export function bestThreshold(pairs: readonly ScoredPair[]): {
  threshold: number;
  accuracy: number;
} {
  const scores = [...new Set(pairs.map((p) => p.score))].sort((a, b) => a - b);
  const candidates = [
    Number.NEGATIVE_INFINITY,
    ...scores.map((s, i) => (i + 1 < scores.length ? (s + scores[i + 1]) / 2 : s + 1e-9)),
  ];
  let best = { threshold: 0, accuracy: -1 };
  for (const threshold of candidates) {
    const accuracy = accuracyAt(pairs, threshold);
    if (accuracy > best.accuracy) best = { threshold, accuracy };
  }
  return best;
}

export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if (p.score >= threshold === p.same) correct++;
  return correct / pairs.length;
}

/**
 * k-fold cross-validated verification accuracy, as LFW reports it: the threshold is chosen on
 * k−1 folds and applied to the held-out one. Folds are interleaved (pair i goes to fold i mod k)
 * so each gets a share of positives and negatives.
 */
export function kFoldAccuracy(pairs: readonly ScoredPair[], k = 10): { mean: number; std: number } {
  const accuracies: number[] = [];
  for (let fold = 0; fold < k; fold++) {
    const test = pairs.filter((_, i) => i % k === fold);
    const train = pairs.filter((_, i) => i % k !== fold);
    if (test.length === 0) continue;
    accuracies.push(accuracyAt(test, bestThreshold(train).threshold));
  }
  const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
  const variance = accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * True accept rate at a false accept rate: the threshold is the lowest score that keeps the
 * fraction of negatives at or above it <= `far`. With N negatives, FARs below 1/N cannot be
 * resolved: `resolvable` says whether the estimate means anything.
 */
export function tarAtFar(
  pairs: readonly ScoredPair[],
  far: number,
): { tar: number; threshold: number; negatives: number; resolvable: boolean } {
  const negatives = pairs
    .filter((p) => !p.same)
    .map((p) => p.score)
    .sort((a, b) => b - a);
  const positives = pairs.filter((p) => p.same).map((p) => p.score);
  const allowed = Math.floor(far * negatives.length);
  // Threshold just above the (allowed+1)-th highest negative.
  const threshold =
    allowed < negatives.length ? nextUp(negatives[allowed]) : Number.NEGATIVE_INFINITY;
  const tar = positives.filter((s) => s >= threshold).length / positives.length;
  return { tar, threshold, negatives: negatives.length, resolvable: far * negatives.length >= 1 };
}

function nextUp(x: number): number {
  return x + Math.max(Math.abs(x) * 1e-12, 1e-12);
}

/** Intersection over union of two boxes given as [x, y, width, height]. */
export function iou(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy one-to-one matching of detections to ground-truth boxes at IoU >= `minIou`, highest
 * IoU first. Returns, for each ground-truth box, whether it was found; for each detection,
 * whether it is a face (matched, or on a box marked "ignore"); and the number of detections that
 * are not.
 */
export function matchDetections(
  truth: readonly (readonly number[])[],
  detections: readonly (readonly number[])[],
  minIou = 0.5,
  ignore: readonly (readonly number[])[] = [],
): { found: boolean[]; isFace: boolean[]; falsePositives: number } {
  const candidates: { t: number; d: number; overlap: number }[] = [];
  truth.forEach((t, ti) => {
    detections.forEach((d, di) => {
      const overlap = iou(t, d);
      if (overlap >= minIou) candidates.push({ t: ti, d: di, overlap });
    });
  });
  candidates.sort((a, b) => b.overlap - a.overlap);
  const found = truth.map(() => false);
  const used = detections.map(() => false);
  for (const c of candidates) {
    if (found[c.t] || used[c.d]) continue;
    found[c.t] = true;
    used[c.d] = true;
  }
  // Detections on boxes marked "ignore" (e.g. WIDER's invalid or tiny faces) are not false positives.
  const isFace = detections.map((d, di) => used[di] || ignore.some((g) => iou(g, d) >= minIou));
  const falsePositives = isFace.filter((face) => !face).length;
  return { found, isFace, falsePositives };
}
