import type { DecodeLimits, ImageDecoder } from '../image/image-decoder.js';
import { fullFrame, type RasterFrame, type RgbImage, scaledFrame } from '../image/raster.js';
import type {
  InferenceBackend,
  InferenceSession,
  SessionOptions,
} from '../inference/inference-backend.js';
import type { FaceDetail } from '../model/wire-types.generated.js';
import { verifyModelBytes } from '../onnx-models/model-manifest.js';
import { resolveAttributes } from '../pipeline/describe/face-attributes.js';
import { estimatePose } from '../pipeline/describe/pose.js';
import { measureQuality } from '../pipeline/describe/quality.js';
import { defaultTilingOptions, type FaceBox } from '../pipeline/detect/detection.js';
import {
  type DetectionConfidence,
  rawDetectionConfidence,
} from '../pipeline/detect/detection-confidence.js';
import type { DetectionVerifier, VerifiedFaceBox } from '../pipeline/detect/detection-verifier.js';
import type { LandmarkCropOptions } from '../pipeline/landmarks/landmarks.js';
import { toRekognitionLandmarks } from '../pipeline/landmarks/rekognition-landmarks.js';
import {
  type QuarterTurns,
  rotateQuarterTurns,
  unturnPoint,
  unturnRoll,
} from '../pipeline/turn/quarter-turns.js';
import {
  createBoxVerifierStage,
  createDetectorStage,
  createEmbedderStage,
  createLandmarkerStage,
  type FrameSource,
} from './analyzer-stages.js';
import {
  type AttributeEstimator,
  type AttributeEstimatorOptions,
  createAttributeEstimator,
  type FaceAttributes,
  withAttributes,
} from './attribute-estimator.js';
import type { AnalyzedFace, AnalyzeOptions, FaceAnalyzer, ImageAnalysis } from './face-analyzer.js';
import type { FaceDetectionOptions } from './face-detection-options.js';
import { defaultFaceDetectionOptions } from './face-detection-options.js';
import { checkTask } from './model-io.js';
import type { EmbedderAlignment, ModelSource } from './model-source.js';
import type { SimilarityScale } from './similarity-scale.js';

export {
  defaultFaceDetectionOptions,
  type FaceDetectionOptions,
} from './face-detection-options.js';
export type { EmbedderAlignment, ModelSource };

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
   * `pipeline/detect/detection-verifier.ts`); its session is loaded and released with the analyzer's.
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
  if (models.verifier) checkTask(models.verifier, 'detection');
  // The model stages (analyzer-stages.ts), each built from its model source.
  const detect = createDetectorStage(models.detector, detection, tiling);
  const verify = createBoxVerifierStage(models.verifier, detection);
  const locateLandmarks = createLandmarkerStage(models.landmarks, options.landmarkCrop);
  const embed = createEmbedderStage(models.embedder);
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

  /**
   * Detected boxes that pass the BlazeFace verifier and the detection verifier, if any, and the
   * frame the per-face stages read (fine enough for every box found).
   */
  async function findFaces(s: Sessions, image: FrameSource, minScore: number, fullSize: boolean) {
    let found = (await detect(s.detector, image)).filter((b) => b.score >= minScore);
    const frame = await image.frame(fullSize ? 1 : faceScale(found));
    if (s.verifier) {
      const verifier = s.verifier;
      const kept = await Promise.all(found.map((b) => verify(verifier, frame, b)));
      found = found.filter((_, i) => kept[i]);
    }
    const detected = found.length;
    // Detection verifier stage (pipeline/detect/detection-verifier.ts).
    if (options.detectionVerifier) found = await options.detectionVerifier.verify(frame, found);
    return { found, detected, frame };
  }

  /**
   * Detect, and turn: the faces upright, or, when nothing upright looked like a face, in the
   * quarter turn whose most likely face is most likely; the `maxFaces` largest, largest first.
   * `fullSize`: the per-face frame at full resolution (for the attribute models).
   */
  async function detectTurning(
    s: Sessions,
    original: FrameSource,
    fullSize: boolean,
    tryTurned: boolean,
  ) {
    let turns: QuarterTurns = 0;
    let { found, detected, frame } = await findFaces(s, original, 0, fullSize);
    // Upright boxes the detection verifier rejected (an animal, say) mean the photo is upright,
    // not that it is turned.
    if (tryTurned && detected === 0 && detection.turnedScoreThreshold < 1) {
      // One turn shows the faces upright, and the others at most texture that resembles a face.
      let best = 0;
      for (const t of [1, 3, 2] as const) {
        const turned = turnedSource(original, t);
        const faces = await findFaces(s, turned, detection.turnedScoreThreshold, fullSize);
        const top = Math.max(0, ...faces.found.map((f) => f.score));
        if (top > best) [best, frame, turns, found] = [top, faces.frame, t, faces.found];
      }
    }
    const area = (b: FaceBox) => (b.x2 - b.x1) * (b.y2 - b.y1);
    const boxes = found
      .sort((a, b) => area(b) - area(a) || b.score - a.score)
      .slice(0, detection.maxFaces);
    return { frame, turns, boxes };
  }

  /**
   * Raster pixels per image pixel the per-face stages need: each box at least
   * `faceRasterHeight` tall, so every face crop is still shrunk to its model's input.
   */
  function faceScale(boxes: readonly FaceBox[]): number {
    const heights = boxes.map((b) => b.y2 - b.y1).filter((h) => h > 0);
    return Math.min(1, Math.max(0, ...heights.map((h) => detection.faceRasterHeight / h)));
  }

  /** Describe: a face as a Rekognition `FaceDetail`, in the original image's frame. */
  function describe(
    frame: {
      original: { width: number; height: number };
      image: RasterFrame;
      turns: QuarterTurns;
      landmarkSet: 'all' | 'default';
    },
    turnedBox: FaceBox,
    points: Float32Array,
    attributes: FaceAttributes | undefined,
  ): AnalyzedFace {
    const { original, image, turns, landmarkSet } = frame;
    const { width, height } = original;
    const pose = estimatePose(points);
    const quality = measureQuality(image.raster, boxToRaster(image, turnedBox));
    const box = unturnBox(turnedBox, turns, width, height);
    const detail: FaceDetail = {
      BoundingBox: {
        Width: (box.x2 - box.x1) / width,
        Height: (box.y2 - box.y1) / height,
        Left: box.x1 / width,
        Top: box.y1 / height,
      },
      Landmarks: toRekognitionLandmarks(
        unturnPoints(points, turns, width, height),
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
    return {
      detail: attributes ? withAttributes(detail, attributes) : detail,
      heightPx: turnedBox.y2 - turnedBox.y1,
      detectionScore: box.score,
      faceProbability: (turnedBox as VerifiedFaceBox).faceProbability,
    };
  }

  /**
   * The image, checked, to be decoded at the sizes the stages need when the decoder can
   * (`ImageDecoder.open`, with `detection.scaledDecoding`), else decoded whole now.
   */
  async function openImage(bytes: Uint8Array): Promise<FrameSource> {
    if (decoder.open && detection.scaledDecoding) return decoder.open(bytes, options.decodeLimits);
    return wholeImage(await decoder.decode(bytes, options.decodeLimits));
  }

  /** Detect → landmarks → embed → describe on an opened image (a photo, a video frame). */
  async function analyzeSource(
    original: FrameSource,
    analyzeOptions: AnalyzeOptions & { tryTurned?: boolean },
  ): Promise<ImageAnalysis> {
    const s = await getSessions();
    // Attribute models run only for the attributes asked for (none for DEFAULT), in the frame
    // the faces were found in: every attribute is the same whichever way the photo is turned.
    const request = resolveAttributes(analyzeOptions.attributes);
    const withAttributeModels = request.attributes.size > 0;
    // `image` is the frame faces were found in: the original, or the original turned.
    const {
      frame: image,
      turns,
      boxes,
    } = await detectTurning(s, original, withAttributeModels, analyzeOptions.tryTurned ?? true);
    const points = await Promise.all(boxes.map((b) => locateLandmarks(s.landmarks, image, b)));
    const embedCount = Math.max(0, Math.min(boxes.length, analyzeOptions.embedLargest));
    const embeddings = await Promise.all(
      points.slice(0, embedCount).map((p) => embed(s.embedder, image, p)),
    );
    const attributes: FaceAttributes[] = withAttributeModels
      ? await Promise.all(
          boxes.map((b, i) => estimator.describe(image.raster, b, points[i], request)),
        )
      : [];
    const landmarkSet = analyzeOptions.attributes.includes('ALL') ? 'all' : 'default';
    const frame = { original, image, turns, landmarkSet } as const;
    const faces = boxes.map((box, i): AnalyzedFace => {
      const face = describe(frame, box, points[i], attributes[i]);
      if (i < embedCount) face.embedding = embeddings[i];
      return face;
    });
    return { width: original.width, height: original.height, faces };
  }

  /** The same on decoded pixels (a video frame). */
  async function analyzePixels(
    pixels: RgbImage,
    analyzeOptions: AnalyzeOptions & { tryTurned?: boolean },
  ): Promise<ImageAnalysis> {
    return analyzeSource(wholeImage(pixels), analyzeOptions);
  }

  return {
    specificationVersion: 'v1',
    faceModelVersion: options.faceModelVersion,
    similarity: options.similarity,

    async analyze(bytes: Uint8Array, analyzeOptions: AnalyzeOptions): Promise<ImageAnalysis> {
      return analyzeSource(await openImage(bytes), analyzeOptions);
    },

    analyzePixels,

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

/** `source` turned by `turns` quarter turns clockwise; each raster is turned once. */
function turnedSource(source: FrameSource, turns: QuarterTurns): FrameSource {
  const odd = turns % 2 === 1;
  const width = odd ? source.height : source.width;
  const height = odd ? source.width : source.height;
  const turned = new Map<RasterFrame, RasterFrame>();
  return {
    width,
    height,
    async frame(minScale) {
      const upright = await source.frame(minScale);
      let frame = turned.get(upright);
      if (!frame) {
        frame = scaledFrame(rotateQuarterTurns(upright.raster, turns), width, height);
        turned.set(upright, frame);
      }
      return frame;
    },
  };
}

/** Pixels decoded whole, as a source whose every frame is the full-size one. */
function wholeImage(image: RgbImage): FrameSource {
  const frame = fullFrame(image);
  return { width: image.width, height: image.height, frame: async () => frame };
}

/** A box of frame coordinates in raster coordinates. */
function boxToRaster(frame: RasterFrame, box: FaceBox): FaceBox {
  if (frame.scaleX === 1 && frame.scaleY === 1) return box;
  return {
    ...box,
    x1: box.x1 * frame.scaleX,
    y1: box.y1 * frame.scaleY,
    x2: box.x2 * frame.scaleX,
    y2: box.y2 * frame.scaleY,
  };
}
