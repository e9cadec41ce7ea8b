import { tarAtFar } from './metrics.js';

/** What {@link proposeAnchors} measured and the anchors it derived. */
export interface AnchorProposal {
  /** `[cosine, percent]`, strictly increasing in both, for `piecewiseLinearSimilarityScale`. */
  anchors: [number, number][];
  /** The measured cosine behind each anchor, before rounding and adjustment. */
  measured: { far10: number; far001: number; maxNegative: number; medianPositive: number };
  /** Whether 0.1% FAR is resolvable with this many negatives (at least 1,000). */
  far001Resolvable: boolean;
  /** Every adjustment made to keep the anchors strictly increasing, in words. */
  notes: string[];
}

export interface AnchorOptions {
  /** Added to the highest different-person cosine for the 90 anchor; default 0.05. */
  margin?: number;
  /** Anchors are rounded up to this step (conservative: FAR never grows); default 0.001. */
  step?: number;
}

/**
 * The cosine → `Similarity` anchors of `calibration.ts` from measured cosines:
 * - 50 at the cosine where the false accept rate on `negatives` is 10%;
 * - 80 where it is 0.1%;
 * - 90 at the highest negative cosine plus `margin`;
 * - 99 at the median of `positives`.
 * Each is rounded up to `step`. When the highest negative plus `margin` is not below the median
 * positive (the two distributions nearly touch), the margin gives way: 90 goes halfway between
 * the 80 anchor (or the highest negative, if above it) and 99, which keeps its meaning. Any anchor
 * still not above the previous one moves to one `step` above it. `notes` explains every change.
 */
export function proposeAnchors(
  negatives: readonly number[],
  positives: readonly number[],
  options: AnchorOptions = {},
): AnchorProposal {
  const margin = options.margin ?? 0.05;
  const step = options.step ?? 0.001;
  if (negatives.length === 0 || positives.length === 0) {
    throw new Error('proposeAnchors needs both different-person and same-person cosines');
  }
  const pairs = [
    ...negatives.map((score) => ({ score, same: false })),
    ...positives.map((score) => ({ score, same: true })),
  ];
  const sortedPositives = [...positives].sort((a, b) => a - b);
  const mid = sortedPositives.length >> 1;
  const measured = {
    far10: tarAtFar(pairs, 0.1).threshold,
    far001: tarAtFar(pairs, 0.001).threshold,
    maxNegative: Math.max(...negatives),
    medianPositive:
      sortedPositives.length % 2 === 1
        ? sortedPositives[mid]
        : (sortedPositives[mid - 1] + sortedPositives[mid]) / 2,
  };
  const roundUp = (x: number) => Number((Math.ceil(x / step - 1e-9) * step).toFixed(6));
  const notes: string[] = [];
  const a50 = roundUp(measured.far10);
  const a80 = roundUp(measured.far001);
  let a90 = roundUp(measured.maxNegative + margin);
  const a99 = roundUp(measured.medianPositive);
  const floor90 = Math.max(a80, roundUp(measured.maxNegative));
  if (a90 >= a99 && a99 - floor90 >= 2 * step) {
    const moved = roundUp((floor90 + a99) / 2);
    notes.push(
      `90 (highest negative ${measured.maxNegative.toFixed(4)} + ${margin} = ${(measured.maxNegative + margin).toFixed(4)}) is not below 99 (median same-person ${measured.medianPositive.toFixed(4)}): 90 moved halfway between ${floor90} and ${a99}, to ${moved}, still ${(moved - measured.maxNegative).toFixed(3)} above every negative.`,
    );
    a90 = moved;
  }
  const anchors: [number, number][] = [];
  for (const [cosine, percent] of [
    [a50, 50],
    [a80, 80],
    [a90, 90],
    [a99, 99],
  ]) {
    let c = cosine;
    const previous = anchors[anchors.length - 1];
    if (previous && c <= previous[0]) {
      c = roundUp(previous[0] + step);
      notes.push(
        `${percent} at cosine ${cosine} is not above the ${previous[1]} anchor (${previous[0]}): moved to ${c}.`,
      );
    }
    if (c >= 1 || c <= -1) {
      throw new Error(`anchor ${percent} at cosine ${c} is outside (-1, 1): cannot calibrate`);
    }
    anchors.push([c, percent]);
  }
  return { anchors, measured, far001Resolvable: negatives.length >= 1000, notes };
}
