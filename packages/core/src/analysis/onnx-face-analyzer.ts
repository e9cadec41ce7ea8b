import type { DecodeLimits, ImageDecoder } from '../image/image-decoder.js';
import type { RgbImage } from '../image/raster.js';
import type {
  InferenceBackend,
  InferenceSession,
  SessionOptions,
  Tensor,
} from '../inference/inference-backend.js';
import type { FaceDetail } from '../model/wire-types.generated.js';
import type { ModelManifestEntry } from '../onnx-models/model-manifest.js';
import { verifyModelBytes } from '../onnx-models/model-manifest.js';
import { alignFace } from '../pipeline/align.js';
import { decodeBlazeFace, verifierCrop, verifierScore } from '../pipeline/blazeface.js';
import {
  type DetectionPass,
  type DetectionPlan,
  decodeUltraFace,
  defaultMergeOptions,
  defaultTilingOptions,
  type FaceBox,
  mergeDetections,
  planDetection,
  renderPass,
  shouldRunTiles,
  type TilingOptions,
} from '../pipeline/detection.js';
import {
  type DetectionConfidence,
  rawDetectionConfidence,
} from '../pipeline/detection-confidence.js';
import type { DetectionVerifier, VerifiedFaceBox } from '../pipeline/detection-verifier.js';
import { resolveAttributes } from '../pipeline/face-attributes.js';
import { extractFaceChip } from '../pipeline/face-chip.js';
import { defaultFuseOptions, fuseDetections } from '../pipeline/fuse-detections.js';
import {
  decodeLandmarks,
  fivePoints,
  type LandmarkCropOptions,
  landmarkCrop,
} from '../pipeline/landmarks.js';
import { estimatePose } from '../pipeline/pose.js';
import { measureQuality } from '../pipeline/quality.js';
import {
  type QuarterTurns,
  rotateQuarterTurns,
  unturnPoint,
  unturnRoll,
} from '../pipeline/quarter-turns.js';
import { toRekognitionLandmarks } from '../pipeline/rekognition-landmarks.js';
import { type ResizeFilter, resizeRegion } from '../pipeline/resize.js';
import { inputSize, neutralFill, toTensor } from '../pipeline/to-tensor.js';
import { l2Normalize } from '../vector/vector-math.js';
import {
  type AttributeEstimator,
  type AttributeEstimatorOptions,
  createAttributeEstimator,
  type FaceAttributes,
  withAttributes,
} from './attribute-estimator.js';
import type { AnalyzedFace, AnalyzeOptions, FaceAnalyzer, ImageAnalysis } from './face-analyzer.js';
import type { EmbedderAlignment, ModelSource } from './model-source.js';
import type { SimilarityScale } from './similarity-scale.js';

export type { EmbedderAlignment, ModelSource };

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
};

export interface OnnxFaceAnalyzerOptions {
  backend: InferenceBackend;
  decoder: ImageDecoder;
  /**
   * UltraFace-style detector (`scores` `[1,N,2]` + decoded `boxes` `[1,N,4]`), 68-point landmark
   * model (points as fractions of its crop) and embedding model (aligned crop in, see
   * {@link ModelSource.alignment}; vector out). Input names, sizes, layouts, channel orders and
   * mean/std all come from the entries.
   */
  models: {
    detector: ModelSource;
    landmarks: ModelSource;
    embedder: ModelSource;
    /**
     * Optional second detector (MediaPipe BlazeFace: NHWC input, score logits `[1,N,1]` and
     * regressions `[1,N,16]` per anchor grid) that confirms each face; see
     * {@link FaceDetectionOptions.verifyThreshold}.
     */
    verifier?: ModelSource;
  };
  /** Reported as `FaceModelVersion`; identifies the embedding model. */
  faceModelVersion: string;
  /** Cosine ↔ percentage calibration of the embedder. */
  similarity: SimilarityScale;
  /**
   * Detector probability → `Confidence` (see `detectionConfidenceFor`); default the raw
   * probability × 100, which overstates precision (an uncalibrated detector's 0.85 is right about
   * half the time on WIDER FACE).
   */
  confidence?: DetectionConfidence;
  detection?: Partial<FaceDetectionOptions>;
  /** Crop convention of the landmark model; the default suits `fr_landmark.onnx`. */
  landmarkCrop?: Partial<LandmarkCropOptions>;
  /** Passed to the decoder (pixel bomb and minimum size checks). */
  decodeLimits?: DecodeLimits;
  /**
   * A face/non-face classifier that confirms each detected face before landmarks (see
   * `pipeline/detection-verifier.ts`); its session is loaded and released with the analyzer's.
   */
  detectionVerifier?: DetectionVerifier;
  /** Passed to `backend.loadModel` for every model (see {@link ModelSource.sessionOptions}). */
  sessionOptions?: SessionOptions;
  /**
   * Attribute models (age, gender, expression, eye state) and their settings. Without them only
   * the attributes computed from landmarks are returned (MouthOpen, FaceOccluded, EyeDirection).
   * Each model's session is created the first time a request asks for an attribute it computes,
   * or by `load()` with `load: 'startup'`.
   */
  attributes?: Omit<AttributeEstimatorOptions, 'backend' | 'sessionOptions'> & {
    /** `lazy` (default): on first use; `startup`: in {@link OnnxFaceAnalyzer.load}. */
    load?: 'lazy' | 'startup';
  };
}

/** A {@link FaceAnalyzer} that also frees its inference sessions. */
export interface OnnxFaceAnalyzer extends FaceAnalyzer {
  /**
   * Creates the detection, landmark and embedding sessions now, and the attribute models' with
   * `attributes.load: 'startup'`; otherwise they are created on first use.
   */
  load(): Promise<void>;
  /** Releases the sessions; a later `analyze` loads them again. */
  close(): Promise<void>;
}

interface Sessions {
  detector: InferenceSession;
  landmarks: InferenceSession;
  embedder: InferenceSession;
  verifier?: InferenceSession;
}

/**
 * The neural face pipeline behind the service: decode → detect (letterboxed full image plus
 * tiles) → the `maxFaces` largest faces → 68 landmarks each → Rekognition `FaceDetail`
 * (BoundingBox, Confidence = the detector probability through `options.confidence`, 5 or 30
 * Landmarks, Pose, Quality) →
 * for the `embedLargest` largest faces: the embedder's alignment (5-point ArcFace by default,
 * or dlib's face chip) → embedding → L2 normalisation.
 *
 * Sessions are created once, on first use, after each model's bytes pass their sha256 check;
 * concurrent `analyze` calls share them and nothing else (every buffer is per call).
 * Landmarks beyond the DEFAULT five are returned only for the `ALL` attribute; attributes
 * without a model here (age, emotions, …) are left out.
 */
export function createOnnxFaceAnalyzer(options: OnnxFaceAnalyzerOptions): OnnxFaceAnalyzer {
  const { backend, decoder, models } = options;
  const confidence = options.confidence ?? rawDetectionConfidence;
  const detection = { ...defaultFaceDetectionOptions, ...options.detection };
  const tiling =
    detection.tiling === false ? false : { ...defaultTilingOptions, ...detection.tiling };
  checkTask(models.detector, 'detection');
  checkTask(models.landmarks, 'landmarks');
  checkTask(models.embedder, 'embedding');
  const detectorInput = models.detector.entry.input;
  const detectorSize = inputSize(detectorInput);
  const detectorFill = neutralFill(detectorInput);
  const landmarkInput = models.landmarks.entry.input;
  const landmarkSize = inputSize(landmarkInput);
  const landmarkFill = neutralFill(landmarkInput);
  const embedderInput = models.embedder.entry.input;
  const embedderSize = inputSize(embedderInput);
  const alignment = models.embedder.alignment ?? { kind: 'arcface112' };
  if (alignment.kind === 'dlib-chip') checkChipSize(models.embedder.entry, alignment.size);
  const [scoresName, boxesName] = detectorOutputs(models.detector.entry);
  if (models.verifier) checkTask(models.verifier, 'detection');
  const verifierInput = models.verifier?.entry.input;
  const verifierSize = verifierInput ? inputSize(verifierInput) : undefined;
  const verifierNames = models.verifier ? verifierOutputs(models.verifier.entry) : undefined;
  const estimator: AttributeEstimator = createAttributeEstimator({
    models: {},
    ...options.attributes,
    backend,
    sessionOptions: options.sessionOptions,
  });

  let sessions: Promise<Sessions> | undefined;
  const getSessions = (): Promise<Sessions> => {
    sessions ??= loadSessions().catch((error: unknown) => {
      sessions = undefined;
      throw error;
    });
    return sessions;
  };
  async function loadSessions(): Promise<Sessions> {
    await Promise.all([
      verifyModelBytes(models.detector.entry, models.detector.bytes),
      verifyModelBytes(models.landmarks.entry, models.landmarks.bytes),
      verifyModelBytes(models.embedder.entry, models.embedder.bytes),
      models.verifier && verifyModelBytes(models.verifier.entry, models.verifier.bytes),
    ]);
    const load = (source: ModelSource) =>
      backend.loadModel(source.bytes, { ...options.sessionOptions, ...source.sessionOptions });
    const loaded = await Promise.allSettled([
      load(models.detector),
      load(models.landmarks),
      load(models.embedder),
      ...(models.verifier ? [load(models.verifier)] : []),
    ]);
    const failed = loaded.find((r) => r.status === 'rejected');
    if (failed) {
      // Free whatever did load before reporting the failure.
      await Promise.allSettled(
        loaded.map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)),
      );
      throw failed.reason;
    }
    const [detector, landmarks, embedder, verifier] = loaded.map(
      (r) => (r as PromiseFulfilledResult<InferenceSession>).value,
    );
    return { detector, landmarks, embedder, verifier };
  }

  const passThreshold = (pass: DetectionPass) =>
    pass.kind === 'tile' ? detection.tileScoreThreshold : detection.scoreThreshold;

  /** A pass's candidates at least as likely as its own threshold or `supportThreshold`. */
  async function runPass(
    session: InferenceSession,
    image: RgbImage,
    plan: DetectionPlan,
    pass: DetectionPass,
  ): Promise<FaceBox[]> {
    const input = renderPass(image, plan, pass, detectorFill, { filter: detection.filter });
    const outputs = await session.run({ [detectorInput.name]: toTensor(input, detectorInput) });
    return decodeUltraFace(output(outputs, scoresName), output(outputs, boxesName), plan, pass, {
      scoreThreshold: Math.min(passThreshold(pass), detection.supportThreshold),
      tileMaxBoxFraction: detection.tileMaxBoxFraction,
    });
  }

  async function detect(session: InferenceSession, image: RgbImage): Promise<FaceBox[]> {
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
    const candidates = await runPass(session, image, plan, plan.full);
    const full = candidates.filter((f) => f.score >= detection.scoreThreshold);
    if (!shouldRunTiles(plan, mergeDetections(full, merge), tiling || undefined)) {
      return mergeDetections(full, merge);
    }
    const tiles = await Promise.all(plan.tiles.map((t) => runPass(session, image, plan, t)));
    return fuseDetections(
      [plan.full, ...plan.tiles].map((pass, i) => ({
        boxes: i === 0 ? candidates : tiles[i - 1],
        scoreThreshold: passThreshold(pass),
      })),
      { ...merge, supportThreshold: detection.supportThreshold },
    );
  }

  /** Whether the verifier confirms `box` (true for boxes above `verifyBelow`). */
  async function verify(session: InferenceSession, image: RgbImage, box: FaceBox) {
    if (!verifierInput || !verifierSize || !verifierNames) return true;
    if (box.score >= detection.verifyBelow || box.y2 - box.y1 < detection.verifyMinHeight) {
      return true;
    }
    const crop = verifierCrop(box, detection.verifyCropScale);
    const input = resizeRegion(image, crop, verifierSize.width, verifierSize.height, {
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

  async function locateLandmarks(
    session: InferenceSession,
    image: RgbImage,
    box: FaceBox,
  ): Promise<Float32Array> {
    const crop = landmarkCrop(box, options.landmarkCrop);
    const input = resizeRegion(image, crop, landmarkSize.width, landmarkSize.height, {
      fill: landmarkFill,
      filter: 'area',
    });
    const outputs = await session.run({ [landmarkInput.name]: toTensor(input, landmarkInput) });
    return decodeLandmarks(output(outputs, firstOutput(models.landmarks.entry)).data, crop);
  }

  async function embed(
    session: InferenceSession,
    image: RgbImage,
    points: Float32Array,
  ): Promise<Float32Array> {
    const aligned =
      alignment.kind === 'dlib-chip'
        ? extractFaceChip(image, points, {
            size: embedderSize.width,
            padding: alignment.padding,
          })
        : alignFace(image, fivePoints(points), {
            width: embedderSize.width,
            height: embedderSize.height,
          });
    const outputs = await session.run({
      [embedderInput.name]: toTensor(aligned.image, embedderInput),
    });
    return l2Normalize(output(outputs, firstOutput(models.embedder.entry)).data);
  }

  return {
    specificationVersion: 'v1',
    faceModelVersion: options.faceModelVersion,
    similarity: options.similarity,

    async analyze(bytes: Uint8Array, analyzeOptions: AnalyzeOptions): Promise<ImageAnalysis> {
      const original = await decoder.decode(bytes, options.decodeLimits);
      const s = await getSessions();
      const area = (b: FaceBox) => (b.x2 - b.x1) * (b.y2 - b.y1);
      const findFaces = async (image: RgbImage, minScore: number) => {
        let found = (await detect(s.detector, image)).filter((b) => b.score >= minScore);
        if (s.verifier) {
          const verifier = s.verifier;
          const kept = await Promise.all(found.map((b) => verify(verifier, image, b)));
          found = found.filter((_, i) => kept[i]);
        }
        // Detection verifier stage (pipeline/detection-verifier.ts).
        detected = found.length;
        if (options.detectionVerifier) {
          found = await options.detectionVerifier.verify(image, found);
        }
        return found;
      };
      let detected = 0;
      // `image` is the frame faces were found in: the original, or the original turned.
      let image: RgbImage = original;
      let turns: QuarterTurns = 0;
      let found = await findFaces(original, 0);
      // Turned only when nothing upright looked like a face: upright boxes the detection
      // verifier rejected (an animal, say) mean the photo is upright, not that it is turned.
      if (detected === 0 && detection.turnedScoreThreshold < 1) {
        // The turn whose most likely face is most likely: one turn shows the faces upright, and
        // the others at most texture that resembles a face.
        let best = 0;
        for (const t of [1, 3, 2] as const) {
          const turned = rotateQuarterTurns(original, t);
          const faces = await findFaces(turned, detection.turnedScoreThreshold);
          const top = Math.max(0, ...faces.map((f) => f.score));
          if (top > best) [best, image, turns, found] = [top, turned, t, faces];
        }
      }
      const boxes = found
        .sort((a, b) => area(b) - area(a) || b.score - a.score)
        .slice(0, detection.maxFaces);
      const landmarkSet = analyzeOptions.attributes.includes('ALL') ? 'all' : 'default';
      const request = resolveAttributes(analyzeOptions.attributes);
      const points = await Promise.all(boxes.map((b) => locateLandmarks(s.landmarks, image, b)));
      const embedCount = Math.max(0, Math.min(boxes.length, analyzeOptions.embedLargest));
      const embeddings = await Promise.all(
        points.slice(0, embedCount).map((p) => embed(s.embedder, image, p)),
      );
      // Attribute models run only for the attributes asked for (none for DEFAULT), in the frame
      // the faces were found in: every attribute is the same whichever way the photo is turned.
      const attributes: FaceAttributes[] =
        request.attributes.size === 0
          ? []
          : await Promise.all(
              boxes.map((b, i) => estimator.describe(image, b, points[i], request)),
            );
      const { width, height } = original;
      const faces = boxes.map((turnedBox, i): AnalyzedFace => {
        const pose = estimatePose(points[i]);
        const quality = measureQuality(image, turnedBox);
        const box = unturnBox(turnedBox, turns, width, height);
        const detail: FaceDetail = {
          BoundingBox: {
            Width: (box.x2 - box.x1) / width,
            Height: (box.y2 - box.y1) / height,
            Left: box.x1 / width,
            Top: box.y1 / height,
          },
          Landmarks: toRekognitionLandmarks(
            unturnPoints(points[i], turns, width, height),
            width,
            height,
            landmarkSet,
          ),
          Pose: { Roll: unturnRoll(pose.roll, turns), Yaw: pose.yaw, Pitch: pose.pitch },
          Quality: { Brightness: quality.brightness, Sharpness: quality.sharpness },
          // Detection verifier stage: faces it doubts take its own Confidence scale.
          Confidence: (
            options.detectionVerifier?.confidenceFor(turnedBox, confidence) ?? confidence
          ).toPercent(box.score),
        };
        const face: AnalyzedFace = {
          detail: attributes[i] ? withAttributes(detail, attributes[i]) : detail,
          heightPx: turnedBox.y2 - turnedBox.y1,
          detectionScore: box.score,
          faceProbability: (turnedBox as VerifiedFaceBox).faceProbability,
        };
        if (i < embedCount) face.embedding = embeddings[i];
        return face;
      });
      return { width, height, faces };
    },

    async load(): Promise<void> {
      await Promise.all([
        getSessions(),
        options.detectionVerifier?.load(),
        options.attributes?.load === 'startup' ? estimator.load() : undefined,
      ]);
    },

    async close(): Promise<void> {
      await estimator.close();
      await options.detectionVerifier?.close();
      const pending = sessions;
      sessions = undefined;
      if (!pending) return;
      const s = await pending.catch(() => undefined);
      if (s) {
        await Promise.all([
          s.detector.release(),
          s.landmarks.release(),
          s.embedder.release(),
          s.verifier?.release(),
        ]);
      }
    },
  };
}

/** A box found in the image turned by `turns`, in the original `width` × `height` image. */
function unturnBox(box: FaceBox, turns: QuarterTurns, width: number, height: number): FaceBox {
  if (turns === 0) return box;
  const [ax, ay] = unturnPoint(box.x1, box.y1, turns, width, height);
  const [bx, by] = unturnPoint(box.x2, box.y2, turns, width, height);
  return {
    ...box,
    x1: Math.min(ax, bx),
    y1: Math.min(ay, by),
    x2: Math.max(ax, bx),
    y2: Math.max(ay, by),
  };
}

/** Interleaved x, y points found in the image turned by `turns`, in the original image. */
function unturnPoints(
  points: Float32Array,
  turns: QuarterTurns,
  width: number,
  height: number,
): Float32Array {
  if (turns === 0) return points;
  const out = new Float32Array(points.length);
  for (let k = 0; k < points.length; k += 2) {
    const [x, y] = unturnPoint(points[k], points[k + 1], turns, width, height);
    out[k] = x;
    out[k + 1] = y;
  }
  return out;
}

function checkTask(source: ModelSource, task: ModelManifestEntry['task']): void {
  if (source.entry.task !== task) {
    throw new Error(
      `Model ${source.entry.id} is a ${source.entry.task} model; the analyzer needs a ${task} model here.`,
    );
  }
}

function checkChipSize(entry: ModelManifestEntry, size: number | undefined): void {
  const { width, height } = inputSize(entry.input);
  if (width !== height || (size !== undefined && size !== width)) {
    const wanted = size === undefined ? 'a square chip' : `a ${size}×${size} chip`;
    throw new Error(
      `Embedder ${entry.id} takes ${width}×${height}; its dlib-chip alignment makes ${wanted}.`,
    );
  }
}

/** Names of the detector's score and box outputs, told apart by their last dimension. */
function detectorOutputs(entry: ModelManifestEntry): [scores: string, boxes: string] {
  const scores = entry.outputs.find((o) => o.dims[o.dims.length - 1] === 2)?.name;
  const boxes = entry.outputs.find((o) => o.dims[o.dims.length - 1] === 4)?.name;
  if (!scores || !boxes) {
    throw new Error(
      `Detector ${entry.id}: its manifest must list a scores output [1,N,2] and a boxes output [1,N,4].`,
    );
  }
  return [scores, boxes];
}

/** BlazeFace's score and regression outputs, each ordered by anchor count, largest grid first. */
function verifierOutputs(entry: ModelManifestEntry): { scores: string[]; regressors: string[] } {
  const pick = (last: number) =>
    entry.outputs
      .filter((o) => o.dims.length === 3 && o.dims[2] === last)
      .sort((a, b) => b.dims[1] - a.dims[1])
      .map((o) => o.name);
  const scores = pick(1);
  const regressors = pick(16);
  if (scores.length === 0 || scores.length !== regressors.length) {
    throw new Error(
      `Verifier ${entry.id}: its manifest must list score outputs [1,N,1] and regression outputs [1,N,16] per anchor grid.`,
    );
  }
  return { scores, regressors };
}

function firstOutput(entry: ModelManifestEntry): string {
  const name = entry.outputs[0]?.name;
  if (!name) throw new Error(`Model ${entry.id}: its manifest lists no outputs.`);
  return name;
}

function output(outputs: Record<string, Tensor>, name: string): Tensor {
  const tensor = outputs[name];
  if (!tensor) {
    throw new Error(
      `Model output ${name} is missing (got ${Object.keys(outputs).join(', ') || 'nothing'}).`,
    );
  }
  return tensor;
}
