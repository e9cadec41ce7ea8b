import { piecewiseLinearSimilarityScale, type SimilarityScale } from '@facekit/core';

/**
 * Cosine → `Similarity` anchors of each embedding model, measured by `pnpm bench:accuracy
 * --calibrate` on the labelled pairs of ../shared/datasets (see README, "Similarity"):
 * - 50 at the cosine where the false accept rate on different-person pairs is 10%;
 * - 80 (Rekognition's default threshold) where it is 0.1%;
 * - 90 where no different-person pair scored as high (the highest one, plus a margin);
 * - 99 at the median cosine of same-person pairs of the same photo session.
 */
export const similarityAnchors: Record<string, readonly (readonly [number, number])[]> = {
  'faceplugin-embed-mobilefacenet512': [
    [0.25, 50],
    [0.4, 80],
    [0.5, 90],
    [0.8, 99],
  ],
};

export function similarityScaleFor(embedderId: string): SimilarityScale {
  const anchors = similarityAnchors[embedderId];
  if (!anchors) throw new Error(`No similarity calibration for ${embedderId}`);
  return piecewiseLinearSimilarityScale(anchors);
}
