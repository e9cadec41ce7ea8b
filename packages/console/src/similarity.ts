import { h } from './dom.js';

/**
 * The `Similarity` from which a result counts as the same person. facekit's scores are
 * calibrated so that 80, Rekognition's default threshold, falls where each face model measured a
 * 0.1% false accept rate (README, "Thresholds and false accept rates";
 * `similarity-calibration.ts` in `@facekit/core`). The server reports no per-request threshold
 * (it applies 80 when none is given), so the console marks matches here: a lower threshold in
 * the form shows more candidates, but does not make them matches.
 */
export const MATCH_SIMILARITY = 80;

export const isMatch = (similarity: number | undefined) =>
  similarity !== undefined && similarity >= MATCH_SIMILARITY;

/** A similarity cell: green for a match, muted below {@link MATCH_SIMILARITY}. */
export function similarityCell(similarity: number | undefined) {
  const match = isMatch(similarity);
  return h(
    'td',
    {
      class: match ? 'similarity match' : 'similarity below',
      title: match
        ? `a match: at or above ${MATCH_SIMILARITY}%, where about 0.1% of different people score`
        : `not a match: below ${MATCH_SIMILARITY}%, the calibrated threshold`,
    },
    similarity === undefined ? '–' : `${similarity.toFixed(1)}%`,
  );
}

/** The legend under a list of scores that includes some below the match threshold. */
export function belowThresholdHint(below: number) {
  return (
    below > 0 &&
    h(
      'p',
      { class: 'hint', 'data-testid': 'below-threshold' },
      `${below} below ${MATCH_SIMILARITY}% shown muted: not matches. ${MATCH_SIMILARITY}% is the calibrated threshold where about 0.1% of pairs of different people score (README, "Thresholds and false accept rates").`,
    )
  );
}
