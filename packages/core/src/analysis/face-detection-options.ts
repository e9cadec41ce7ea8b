import {
  defaultMergeOptions,
  defaultTilingOptions,
  type TilingOptions,
} from '../pipeline/detect/detection.js';
import { defaultFuseOptions } from '../pipeline/detect/fuse-detections.js';
import type { ResizeFilter } from '../pipeline/input/resize.js';

/** How faces are found: thresholds and the multi-scale plan. */
export interface FaceDetectionOptions {
  /** Minimum detector probability (0–1) for a face in the full-image pass; default 0.7. */
  scoreThreshold: number;
  /**
   * Minimum probability in the tiles; default 0.8. Tiles see more, smaller candidates, so a
   * stricter cut keeps false positives down: on the WIDER FACE subset, 0.7 found 82% of faces
   * 32–96 px tall with about 0.6 unmatched boxes per image, 0.8 found 81% with 0.35.
   */
  tileScoreThreshold: number;
  /**
   * When tiles run, a face under its pass's threshold is still kept when two passes (scales or
   * tiles) found it with at least this probability each (see `fuseDetections`); default 0.5.
   * Agreement across scales is rare for texture, so this adds recall at little cost: on the WIDER
   * FACE subset, 84% of faces 32–96 px tall instead of 83%. 1 disables.
   */
  supportThreshold: number;
  /**
   * In tiles, boxes taller or wider than this fraction of the detector input are dropped (see
   * `DecodeOptions.tileMaxBoxFraction`); default 0.4. Removes hair and clothing that the finest
   * tiles took for large faces in group photos.
   */
  tileMaxBoxFraction: number;
  /** IoU above which overlapping boxes (within and across passes) are merged; default 0.4. */
  iouThreshold: number;
  /** Smallest face side in image pixels; default 8. */
  minFaceSize: number;
  /** Boxes this much inside a larger face are dropped (1 disables); default 0.8. */
  containment: number;
  /** At most this many faces, largest first; default 100, as Rekognition. */
  maxFaces: number;
  /** Higher-resolution tiles for small faces, or `false` for the full-image pass only. */
  tiling: Partial<TilingOptions> | false;
  /** Resampling of detector inputs; default `bilinear` (what the detector was trained with). */
  filter: ResizeFilter;
  /**
   * With a verifier model (`models.verifier`, BlazeFace), a detected face is kept only if the
   * verifier, run on a square crop around it, finds a face overlapping it (IoU ≥ `verifyIou`)
   * at least this likely; default 0.5. Ignored without a verifier.
   */
  verifyThreshold: number;
  /** Faces the detector gives at least this probability skip the verifier; default 1 (none). */
  verifyBelow: number;
  /**
   * Faces shorter than this (image pixels) skip the verifier; default 0 (none skip). BlazeFace
   * misses many small faces that the detector finds, while the animals the detector takes for
   * faces are mostly large.
   */
  verifyMinHeight: number;
  /** IoU between the detector's and the verifier's boxes that counts as agreement; default 0.3. */
  verifyIou: number;
  /** Side of the verifier's crop as a multiple of the face's longer side; default 2. */
  verifyCropScale: number;
  /**
   * When no upright face is found, the image is searched again turned by 90°, 270° and 180°
   * (photos taken sideways or upside down whose file has no EXIF orientation), keeping faces at
   * least this likely in the turn whose most likely face is most likely; boxes, landmarks and
   * `Pose.Roll` are reported in the image as given. 1 disables; default 0.97.
   */
  turnedScoreThreshold: number;
  /**
   * Decode at the resolution each stage needs when the decoder can (`ImageDecoder.open`: JPEG at
   * 1/2, 1/4 or 1/8 scale): the detector's full pass from pixels about as fine as it sees, the
   * tiles (when they run) from finer ones, and the per-face stages from pixels where every face
   * is at least `faceRasterHeight` tall. Default true; false decodes every image at full size.
   */
  scaledDecoding: boolean;
  /**
   * Smallest face height (raster pixels) the per-face stages (verifiers, landmarks, alignment,
   * quality) read a face at, with `scaledDecoding`; default 160, so every crop is still shrunk
   * to its model's input (the 112 px aligned face included). Faces shorter than this in the
   * full-size image are read at full size. On 12 MP photos (faces 1000–2000 px) the embeddings
   * keep a cosine of 0.96–0.9995 with the full-size path's.
   */
  faceRasterHeight: number;
}

export const defaultFaceDetectionOptions: Readonly<FaceDetectionOptions> = {
  scoreThreshold: 0.7,
  tileScoreThreshold: 0.8,
  supportThreshold: defaultFuseOptions.supportThreshold,
  tileMaxBoxFraction: 0.4,
  iouThreshold: defaultMergeOptions.iouThreshold,
  minFaceSize: defaultMergeOptions.minSize,
  containment: defaultMergeOptions.containment,
  maxFaces: 100,
  tiling: defaultTilingOptions,
  filter: 'bilinear',
  verifyThreshold: 0.5,
  verifyBelow: 1,
  verifyMinHeight: 0,
  verifyIou: 0.3,
  verifyCropScale: 2,
  turnedScoreThreshold: 0.97,
  scaledDecoding: true,
  faceRasterHeight: 160,
};
