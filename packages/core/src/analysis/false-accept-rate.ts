import { InvalidParameterException } from '../errors/exceptions.js';

/**
 * A measured point of a face model's calibration: at `Similarity` ≥ `similarity` percent, the
 * fraction `falseAcceptRate` (0..1) of different-person pairs in the labelled set matched.
 */
export type FalseAcceptPoint = readonly [similarity: number, falseAcceptRate: number];

/**
 * The `Similarity` threshold (percent) whose measured false accept rate is `falseAcceptRate`,
 * interpolated between the measured points linearly in log(FAR) (error rates fall roughly
 * exponentially with the threshold). Only the measured range is answered: outside it the data
 * says nothing, so the request is refused rather than extrapolated.
 * @param points measured points, in any order; similarity increasing means FAR decreasing.
 * @throws {InvalidParameterException} when the rate is not a number in the measured range, or the
 *   model has no measured points.
 */
export function similarityForFalseAcceptRate(
  points: readonly FalseAcceptPoint[] | undefined,
  falseAcceptRate: number,
  faceModelVersion: string,
): number {
  if (!points || points.length < 2) {
    throw new InvalidParameterException(
      `Face model ${faceModelVersion} has no measured false accept rates: give FaceMatchThreshold/SimilarityThreshold instead of a maximum false accept rate.`,
    );
  }
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const highest = sorted[0][1];
  const lowest = sorted[sorted.length - 1][1];
  if (!Number.isFinite(falseAcceptRate) || falseAcceptRate < lowest || falseAcceptRate > highest) {
    throw new InvalidParameterException(
      `The maximum false accept rate ${falseAcceptRate} is outside what face model ${faceModelVersion} was measured at: ${lowest} to ${highest} (a fraction of different-person pairs, e.g. 0.001 for 0.1%). For stricter matching give a FaceMatchThreshold/SimilarityThreshold above ${round(sorted[sorted.length - 1][0])} directly.`,
    );
  }
  for (let i = 1; i < sorted.length; i++) {
    const [s0, f0] = sorted[i - 1];
    const [s1, f1] = sorted[i];
    if (falseAcceptRate <= f0 && falseAcceptRate >= f1) {
      if (f0 === f1) return s0;
      const t = (Math.log(f0) - Math.log(falseAcceptRate)) / (Math.log(f0) - Math.log(f1));
      return round(s0 + t * (s1 - s0));
    }
  }
  return sorted[sorted.length - 1][0];
}

/** Rounded up to 0.01 percent, so the threshold never lets in more than the measured rate. */
function round(percent: number): number {
  return Math.ceil(percent * 100 - 1e-9) / 100;
}

/**
 * Checks measured points: similarity strictly increasing, FAR strictly decreasing and in (0, 1].
 * @throws {Error} naming the offending point.
 */
export function checkFalseAcceptPoints(points: readonly FalseAcceptPoint[]): void {
  for (let i = 0; i < points.length; i++) {
    const [s, f] = points[i];
    if (!(f > 0 && f <= 1) || !(s >= 0 && s <= 100)) {
      throw new Error(`false accept point ${JSON.stringify(points[i])} is out of range`);
    }
    if (i > 0 && !(s > points[i - 1][0] && f < points[i - 1][1])) {
      throw new Error(
        `false accept points must rise in similarity and fall in rate: ${JSON.stringify(points)}`,
      );
    }
  }
}

/**
 * The false accept rate a face model measured at `Similarity` ≥ `similarity`: the inverse of
 * {@link similarityForFalseAcceptRate}, interpolated in log(FAR) between the measured points.
 * Outside the measured range the data only bounds it: above the highest measured threshold the
 * rate is at most the lowest measured one (`AT_MOST`), below the lowest at least the highest
 * (`AT_LEAST`). Undefined when the model has no measured points.
 * @param similarity percent, 0..100.
 */
export function falseAcceptRateAt(
  points: readonly FalseAcceptPoint[] | undefined,
  similarity: number,
): FalseAcceptRateEstimate | undefined {
  if (!points || points.length < 2 || !Number.isFinite(similarity)) return undefined;
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const [lowS, highRate] = sorted[0];
  const [highS, lowRate] = sorted[sorted.length - 1];
  if (similarity >= highS) return { Rate: lowRate, Bound: 'AT_MOST' };
  if (similarity < lowS) return { Rate: highRate, Bound: 'AT_LEAST' };
  for (let i = 1; i < sorted.length; i++) {
    const [s0, f0] = sorted[i - 1];
    const [s1, f1] = sorted[i];
    if (similarity <= s1) {
      const t = s1 === s0 ? 0 : (similarity - s0) / (s1 - s0);
      const rate = Math.exp(Math.log(f0) + t * (Math.log(f1) - Math.log(f0)));
      return { Rate: Number(rate.toPrecision(3)), Bound: 'INTERPOLATED' };
    }
  }
  return { Rate: lowRate, Bound: 'AT_MOST' };
}

/**
 * A false accept rate (0..1, the fraction of different-person pairs that score at least this
 * `Similarity`) and how it was read off the face model's measurements: `INTERPOLATED` between
 * measured points, or only bounded (`AT_MOST`, `AT_LEAST`) outside the measured range.
 */
export interface FalseAcceptRateEstimate {
  Rate: number;
  Bound: 'INTERPOLATED' | 'AT_MOST' | 'AT_LEAST';
}
