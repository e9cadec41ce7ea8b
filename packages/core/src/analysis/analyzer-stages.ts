import { pointsToRaster, type RasterFrame, toRaster } from '../image/raster.js';
import type { InferenceSession } from '../inference/inference-backend.js';
import { decodeBlazeFace, verifierCrop, verifierScore } from '../pipeline/detect/blazeface.js';
import {
  type DetectionPass,
  type DetectionPlan,
  decodeUltraFace,
  type FaceBox,
  mergeDetections,
  planDetection,
  shouldRunTiles,
  type TilingOptions,
} from '../pipeline/detect/detection.js';
import { fuseDetections } from '../pipeline/detect/fuse-detections.js';
import { alignFace } from '../pipeline/embed/align.js';
import { extractFaceChip } from '../pipeline/embed/face-chip.js';
import { resizeRegion, transformRegion } from '../pipeline/input/resize.js';
import { inputSize, neutralFill, toTensor } from '../pipeline/input/to-tensor.js';
import {
  decodeLandmarks,
  fivePoints,
  type LandmarkCropOptions,
  landmarkCrop,
} from '../pipeline/landmarks/landmarks.js';
import { l2Normalize } from '../vector/vector-math.js';
import type { FaceDetectionOptions } from './face-detection-options.js';
import {
  checkChipSize,
  detectorOutputs,
  firstOutput,
  output,
  verifierOutputs,
} from './model-io.js';
import type { ModelSource } from './model-source.js';

/**
 * The analyzer's model stages, each built from its model source and settings: a function of a
 * loaded session and the image that runs one network and decodes its output. Boxes and points
 * are in full-size image coordinates; pixels come from a {@link RasterFrame}, which may hold the
 * image decoded at a reduced size (every crop is resampled to a model's input anyway).
 */

/**
 * An image to be decoded at the resolution a stage needs: its full size, and its pixels at
 * `minScale` raster pixels per image pixel or more (see `ScalableImage.frame`).
 */
export interface FrameSource {
  readonly width: number;
  readonly height: number;
  frame(minScale: number): Promise<RasterFrame>;
}

/** Detector: the letterboxed full image, then tiles where faces may be too small to see. */
export function createDetectorStage(
  source: ModelSource,
  detection: FaceDetectionOptions,
  tiling: false | TilingOptions,
) {
  const detectorInput = source.entry.input;
  const detectorSize = inputSize(detectorInput);
  const detectorFill = neutralFill(detectorInput);
  const [scoresName, boxesName] = detectorOutputs(source.entry);
  const passThreshold = (pass: DetectionPass) =>
    pass.kind === 'tile' ? detection.tileScoreThreshold : detection.scoreThreshold;

  /** A pass's candidates at least as likely as its own threshold or `supportThreshold`. */
  async function runPass(
    session: InferenceSession,
    frame: RasterFrame,
    plan: DetectionPlan,
    pass: DetectionPass,
  ): Promise<FaceBox[]> {
    const region = toRaster(
      frame,
      transformRegion(pass.transform, plan.modelWidth, plan.modelHeight),
    );
    const input = resizeRegion(frame.raster, region, plan.modelWidth, plan.modelHeight, {
      fill: detectorFill,
      filter: detection.filter,
    });
    const outputs = await session.run({ [detectorInput.name]: toTensor(input, detectorInput) });
    return decodeUltraFace(output(outputs, scoresName), output(outputs, boxesName), plan, pass, {
      scoreThreshold: Math.min(passThreshold(pass), detection.supportThreshold),
      tileMaxBoxFraction: detection.tileMaxBoxFraction,
    });
  }

  /**
   * The faces of `image`, from pixels decoded at the finest scale any planned pass needs (tiles
   * included, run or not: one decode serves them all, and usually the per-face stages too), so
   * every pass resamples down from its raster, as it would from the full-size image.
   */
  async function detect(session: InferenceSession, image: FrameSource): Promise<FaceBox[]> {
    const plan = planDetection(
      image.width,
      image.height,
      detectorSize.width,
      detectorSize.height,
      tiling,
    );
    const merge = {
      iouThreshold: detection.iouThreshold,
      minSize: detection.minFaceSize,
      containment: detection.containment,
    };
    const passes = [plan.full, ...plan.tiles];
    const frame = await image.frame(Math.max(...passes.map((p) => p.transform.scale)));
    const candidates = await runPass(session, frame, plan, plan.full);
    const full = candidates.filter((f) => f.score >= detection.scoreThreshold);
    if (!shouldRunTiles(plan, mergeDetections(full, merge), tiling || undefined)) {
      return mergeDetections(full, merge);
    }
    const tiles = await Promise.all(plan.tiles.map((t) => runPass(session, frame, plan, t)));
    return fuseDetections(
      passes.map((pass, i) => ({
        boxes: i === 0 ? candidates : tiles[i - 1],
        scoreThreshold: passThreshold(pass),
      })),
      { ...merge, supportThreshold: detection.supportThreshold },
    );
  }
  return detect;
}

/** BlazeFace verifier: whether it confirms a detected box (true for boxes above `verifyBelow`). */
export function createBoxVerifierStage(
  source: ModelSource | undefined,
  detection: FaceDetectionOptions,
) {
  const verifierInput = source?.entry.input;
  const verifierSize = verifierInput ? inputSize(verifierInput) : undefined;
  const verifierNames = source ? verifierOutputs(source.entry) : undefined;
  /** Whether the verifier confirms `box` (true for boxes above `verifyBelow`). */
  async function verify(session: InferenceSession, image: RasterFrame, box: FaceBox) {
    if (!verifierInput || !verifierSize || !verifierNames) return true;
    if (box.score >= detection.verifyBelow || box.y2 - box.y1 < detection.verifyMinHeight) {
      return true;
    }
    const crop = verifierCrop(box, detection.verifyCropScale);
    const region = toRaster(image, crop);
    const input = resizeRegion(image.raster, region, verifierSize.width, verifierSize.height, {
      fill: neutralFill(verifierInput),
      filter: 'area',
    });
    const outputs = await session.run({ [verifierInput.name]: toTensor(input, verifierInput) });
    const found = decodeBlazeFace(
      verifierNames.scores.map((n) => output(outputs, n).data),
      verifierNames.regressors.map((n) => output(outputs, n).data),
      { inputSize: verifierSize.width, scoreThreshold: detection.verifyThreshold },
    );
    return verifierScore(box, found, crop, detection.verifyIou) >= detection.verifyThreshold;
  }
  return verify;
}

/** Landmarker: the 68 points of a face, in image pixels. */
export function createLandmarkerStage(
  source: ModelSource,
  cropOptions: Partial<LandmarkCropOptions> | undefined,
) {
  const landmarkInput = source.entry.input;
  const landmarkSize = inputSize(landmarkInput);
  const landmarkFill = neutralFill(landmarkInput);
  async function locateLandmarks(
    session: InferenceSession,
    image: RasterFrame,
    box: FaceBox,
  ): Promise<Float32Array> {
    const crop = landmarkCrop(box, cropOptions);
    const region = toRaster(image, crop);
    const input = resizeRegion(image.raster, region, landmarkSize.width, landmarkSize.height, {
      fill: landmarkFill,
      filter: 'area',
    });
    const outputs = await session.run({ [landmarkInput.name]: toTensor(input, landmarkInput) });
    return decodeLandmarks(output(outputs, firstOutput(source.entry)).data, crop);
  }
  return locateLandmarks;
}

/** Embedder: the face aligned as its model was trained, then its L2-normalised vector. */
export function createEmbedderStage(source: ModelSource) {
  const embedderInput = source.entry.input;
  const embedderSize = inputSize(embedderInput);
  const alignment = source.alignment ?? { kind: 'arcface112' };
  if (alignment.kind === 'dlib-chip') checkChipSize(source.entry, alignment.size);
  async function embed(
    session: InferenceSession,
    image: RasterFrame,
    points: Float32Array,
  ): Promise<Float32Array> {
    const aligned =
      alignment.kind === 'dlib-chip'
        ? extractFaceChip(image.raster, pointsToRaster(image, points), {
            size: embedderSize.width,
            padding: alignment.padding,
          })
        : alignFace(image.raster, pointsToRaster(image, fivePoints(points)), {
            width: embedderSize.width,
            height: embedderSize.height,
          });
    const outputs = await session.run({
      [embedderInput.name]: toTensor(aligned.image, embedderInput),
    });
    return l2Normalize(output(outputs, firstOutput(source.entry)).data);
  }
  return embed;
}
