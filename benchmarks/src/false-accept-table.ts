/** One row of a face model's threshold table, measured on labelled pairs. */
export interface ThresholdRow {
  /** `Similarity` threshold in percent: a pair matches at or above it. */
  similarity: number;
  /** Different-person pairs at or above the threshold, and their fraction. */
  falseAccepts: number;
  falseAcceptRate: number;
  /** Same-person pairs at or above the threshold, and their fraction. */
  trueAccepts: number;
  trueAcceptRate: number;
}

/** FAR and TAR at each `Similarity` threshold, from the similarities of labelled pairs. */
export function thresholdTable(
  negatives: readonly number[],
  positives: readonly number[],
  thresholds: readonly number[],
): ThresholdRow[] {
  if (negatives.length === 0 || positives.length === 0) {
    throw new Error('thresholdTable needs both different-person and same-person pairs');
  }
  return thresholds.map((similarity) => {
    const falseAccepts = negatives.filter((s) => s >= similarity).length;
    const trueAccepts = positives.filter((s) => s >= similarity).length;
    return {
      similarity,
      falseAccepts,
      falseAcceptRate: falseAccepts / negatives.length,
      trueAccepts,
      trueAcceptRate: trueAccepts / positives.length,
    };
  });
}

/**
 * For each target false accept rate, the lowest `Similarity` (rounded up to 0.01) at which at
 * most that fraction of `negatives` matches: the points `similarityForFalseAcceptRate` of core
 * interpolates. Rates below 1/negatives cannot be resolved and are left out; so is a rate whose
 * threshold equals the previous one's (the data cannot tell them apart).
 */
export function falseAcceptPoints(
  negatives: readonly number[],
  rates: readonly number[],
): [similarity: number, falseAcceptRate: number][] {
  const sorted = [...negatives].sort((a, b) => b - a);
  const points: [number, number][] = [];
  for (const rate of [...rates].sort((a, b) => b - a)) {
    if (rate * sorted.length < 1) continue;
    const allowed = Math.floor(rate * sorted.length);
    // Just above the (allowed+1)-th highest negative, rounded up to 0.01.
    const above = sorted[allowed];
    let similarity = Math.ceil(above * 100 + 1e-6) / 100;
    if (similarity <= above) similarity += 0.01;
    similarity = Number(similarity.toFixed(2));
    const previous = points[points.length - 1];
    if (previous && similarity <= previous[0]) continue;
    points.push([similarity, rate]);
  }
  return points;
}
