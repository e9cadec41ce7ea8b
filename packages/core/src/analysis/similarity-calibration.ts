import { checkFalseAcceptPoints, type FalseAcceptPoint } from './false-accept-rate.js';
import { piecewiseLinearSimilarityScale, type SimilarityScale } from './similarity-scale.js';

/**
 * Cosine → `Similarity` anchors of each embedding model, measured by `pnpm bench:accuracy
 * --calibrate` on the labelled pairs of ../shared/datasets (see README, "Similarity"):
 * - 50 at the cosine where the false accept rate on different-person pairs is 10%;
 * - 80 (Rekognition's default threshold) where it is 0.1%;
 * - 90 where no different-person pair scored as high (the highest one, plus a margin);
 * - 99 at the median cosine of same-person pairs of the same photo session.
 */
export const similarityAnchors: Record<string, readonly (readonly [number, number])[]> = {
  /*
   * Face model 1.0 (MobileFaceNet-512 on the ArcFace 112×112 alignment). Measured by
   * `pnpm bench:accuracy --calibrate` on deepface's labelled photos: 61 images, 13 identities
   * (union-find over the "Yes" pairs of face-recognition-pivot.csv and master.csv), 140
   * same-person pairs and 1,552 different-person pairs between identities a "No" label separates.
   * FAR 10% at cosine 0.1326; FAR 0.1% at 0.4078 (the highest different-person cosine; TAR 100%);
   * median same-person cosine 0.7209. In-sample: 13 people give only 71 pairs of people, so the
   * 0.1% point rests on the two highest negatives.
   */
  'faceplugin-embed-mobilefacenet512': [
    [0.133, 50],
    [0.408, 80],
    [0.458, 90],
    [0.721, 99],
  ],
  /*
   * dlib's ResNet as face model 2.0 (dlib chip from our 68 landmarks, L2-normalised). Measured on
   * deepface's pivot pairs (face-recognition-pivot.csv) widened through the identities its labels
   * imply: 140 same-person and 1,441 different-person pairs over 61 photos, enough to resolve
   * 0.1% FAR (the 280 listed pairs alone give 140 different-person pairs, max cosine 0.923).
   * Cosines are compressed: the raw descriptors share a large common component (the mean vector
   * has norm 1.39, the descriptors 1.4–1.6), so every pair lies in 0.75–0.99. FAR 10% at 0.8774,
   * FAR 0.1% at 0.9279 (TAR 99.3%), highest different-person cosine 0.9291, median same-person
   * 0.9691. The highest different-person cosine + 0.05 (0.979) lies above that median, so the 90
   * anchor is capped halfway between the 80 and 99 anchors, still 0.02 above every
   * different-person pair.
   */
  'dlib-resnet-128': [
    [0.878, 50],
    [0.928, 80],
    [0.949, 90],
    [0.97, 99],
  ],
};

/**
 * `[Similarity threshold, false accept rate]` of each embedding model through the anchors above:
 * the lowest `Similarity` at which at most that fraction of the 1,552 different-person pairs of
 * `pnpm bench:calibration` matched (deepface's labelled photos, 13 identities; in-sample, so an
 * order of magnitude rather than a guarantee). Matching by a target false accept rate
 * (`x-facekit-max-false-accept-rate`) interpolates between them and refuses rates outside.
 * Re-measure whenever the anchors change.
 */
export const falseAcceptRates: Record<string, readonly FalseAcceptPoint[]> = {
  'faceplugin-embed-mobilefacenet512': [
    [49.98, 0.1],
    [55.09, 0.05],
    [60.7, 0.02],
    [66.68, 0.01],
    [71.85, 0.005],
    [77.59, 0.002],
    [79.98, 0.001],
  ],
  'dlib-resnet-128': [
    [49.95, 0.1],
    [56.19, 0.05],
    [64.15, 0.02],
    [68.87, 0.01],
    [72.08, 0.005],
    [76.8, 0.002],
    [79.97, 0.001],
  ],
};

export function similarityScaleFor(embedderId: string): SimilarityScale {
  const anchors = similarityAnchors[embedderId];
  if (!anchors) throw new Error(`No similarity calibration for ${embedderId}`);
  const rates = falseAcceptRates[embedderId];
  if (rates) checkFalseAcceptPoints(rates);
  return {
    ...piecewiseLinearSimilarityScale(anchors),
    ...(rates ? { falseAcceptRates: rates } : {}),
  };
}
