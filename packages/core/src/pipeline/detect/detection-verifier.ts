import { asFrame, type RasterFrame, type RgbImage, toRaster } from '../../image/raster.js';
import type {
  InferenceBackend,
  InferenceSession,
  SessionOptions,
  Tensor,
} from '../../inference/inference-backend.js';
import { type ModelManifestEntry, verifyModelBytes } from '../../onnx-models/model-manifest.js';
import type { Region } from '../input/resize.js';
import { resizeRegion } from '../input/resize.js';
import { inputSize, neutralFill, toTensor } from '../input/to-tensor.js';
import type { FaceBox } from './detection.js';
import {
  type DetectionConfidence,
  piecewiseLinearDetectionConfidence,
} from './detection-confidence.js';

/**
 * A second opinion on detected faces: a face/non-face classifier (MTCNN's O-Net, task
 * `verification` in the model manifest) scores a square crop around each box. Boxes it finds
 * very unlikely are dropped; boxes it doubts are kept (on WIDER FACE many of them are real faces:
 * small, blurred, turned or covered) unless an optional confirming classifier (MTCNN's R-Net)
 * finds them very unlikely too. Faces below each of `confidenceBands` take a Confidence
 * calibrated on detections of that band alone, which is lower. The detector (UltraFace RFB-320)
 * takes animal faces, hands and clothing for faces with high probability; O-Net was trained on
 * hard negatives of its own cascade and costs about 1 ms per box.
 */
export interface DetectionVerifierOptions {
  /** Faces shorter than this (pixels) are neither checked nor dropped; default 24. */
  minHeight: number;
  /** A face shorter than `largeFaceHeight` is dropped below this face probability; default 0.05. */
  minFaceProbability: number;
  /** From this height (pixels) on, `largeFaceMinProbability` applies; default 128. */
  largeFaceHeight: number;
  /**
   * A face at least `largeFaceHeight` tall is dropped below this probability; default 0.3.
   * Large faces show the classifier enough detail: on WIDER it gave none of them less.
   */
  largeFaceMinProbability: number;
  /**
   * A kept face below this probability is doubted: the confirming classifier, when there is one,
   * must give it at least `confirmMinProbability`; default 0.5.
   */
  doubtBelow: number;
  /** A doubted face the confirming classifier gives less than this is dropped; default 0.05. */
  confirmMinProbability: number;
  /**
   * Confidence curves by face probability, ascending by `below`: a face whose probability is
   * under a band's `below` (the first such band) takes that band's `[detector score, Confidence]`
   * anchors (see `piecewiseLinearDetectionConfidence`); faces above every band, and faces not
   * checked, keep the detector's Confidence.
   */
  confidenceBands?: readonly ConfidenceBand[];
  /** Side of the square crop as a multiple of the box's longer side; default 1. */
  cropScale: number;
}

/** Faces whose probability is under `below` take the `confidence` curve. */
export interface ConfidenceBand {
  readonly below: number;
  readonly confidence: readonly (readonly [score: number, percent: number])[];
}

export const defaultDetectionVerifierOptions: Readonly<DetectionVerifierOptions> = {
  minHeight: 24,
  minFaceProbability: 0.05,
  largeFaceHeight: 128,
  largeFaceMinProbability: 0.3,
  doubtBelow: 0.5,
  confirmMinProbability: 0.05,
  cropScale: 1,
};

/**
 * A kept box with the classifier's face probability (absent: not checked) and, for a doubted
 * face, the confirming classifier's.
 */
export interface VerifiedFaceBox extends FaceBox {
  readonly faceProbability?: number;
  readonly confirmProbability?: number;
}

/** The square crop the classifier sees: `scale` times the box's longer side, same centre. */
export function verificationCrop(box: FaceBox, scale = 1): Region {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * scale;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/**
 * The name of the classifier's probability output: the one with 2 values per crop
 * (`[N, 2]`: non-face, face).
 * @throws {Error} when the manifest lists no such output.
 */
export function verificationOutput(entry: ModelManifestEntry): string {
  const found = entry.outputs.find((o) => o.dims.length === 2 && o.dims[1] === 2);
  if (!found) {
    throw new Error(
      `Verifier ${entry.id}: its manifest must list a face probability output [N, 2].`,
    );
  }
  return found.name;
}

/**
 * Face probability (0–1) of each box, from one batched classifier run (crops outside the image
 * are padded with the input's neutral value). Boxes are in the frame's coordinates; crops come
 * from its raster.
 */
export async function scoreFaceBoxes(
  session: InferenceSession,
  entry: ModelManifestEntry,
  image: RgbImage | RasterFrame,
  boxes: readonly FaceBox[],
  cropScale = defaultDetectionVerifierOptions.cropScale,
): Promise<number[]> {
  if (boxes.length === 0) return [];
  const { width, height, channels } = inputSize(entry.input);
  const per = width * height * channels;
  const data = new Float32Array(per * boxes.length);
  const fill = neutralFill(entry.input);
  const frame = asFrame(image);
  boxes.forEach((box, i) => {
    const region = toRaster(frame, verificationCrop(box, cropScale));
    const crop = resizeRegion(frame.raster, region, width, height, {
      fill,
      filter: 'area',
    });
    toTensor(crop, entry.input, data.subarray(i * per, (i + 1) * per));
  });
  const dims =
    entry.input.layout === 'NCHW'
      ? [boxes.length, channels, height, width]
      : [boxes.length, height, width, channels];
  const outputs = await session.run({ [entry.input.name]: { data, dims } satisfies Tensor });
  const name = verificationOutput(entry);
  const probabilities = outputs[name];
  if (!probabilities) throw new Error(`Verifier ${entry.id}: output ${name} is missing.`);
  return boxes.map((_, i) => probabilities.data[i * 2 + 1]);
}

/** Whether a box of this height with this face probability is kept. */
export function keepsFace(
  height: number,
  faceProbability: number,
  options: DetectionVerifierOptions,
): boolean {
  if (height < options.minHeight) return true;
  const min =
    height >= options.largeFaceHeight
      ? options.largeFaceMinProbability
      : options.minFaceProbability;
  return faceProbability >= min;
}

/** A classifier's session with its manifest entry. */
export interface ClassifierSession {
  readonly session: InferenceSession;
  readonly entry: ModelManifestEntry;
}

/**
 * The boxes the classifier keeps, in their order, each with its face probability (boxes under
 * `minHeight` are kept unchecked, without one). With `confirm`, the doubted ones (under
 * `doubtBelow`) are scored by it too and dropped under `confirmMinProbability`.
 */
export async function verifyFaceBoxes(
  session: InferenceSession,
  entry: ModelManifestEntry,
  image: RgbImage | RasterFrame,
  boxes: readonly FaceBox[],
  options: Partial<DetectionVerifierOptions> = {},
  confirm?: ClassifierSession,
): Promise<VerifiedFaceBox[]> {
  const o = { ...defaultDetectionVerifierOptions, ...options };
  const checked = boxes.filter((b) => b.y2 - b.y1 >= o.minHeight);
  const scores = await scoreFaceBoxes(session, entry, image, checked, o.cropScale);
  const probability = new Map(checked.map((b, i) => [b, scores[i]]));
  const doubted = checked.filter((b, i) => {
    const p = scores[i];
    return keepsFace(b.y2 - b.y1, p, o) && p < o.doubtBelow;
  });
  const confirmed = confirm
    ? await scoreFaceBoxes(confirm.session, confirm.entry, image, doubted, o.cropScale)
    : [];
  const second = new Map(doubted.map((b, i) => [b, confirmed[i]]));
  const out: VerifiedFaceBox[] = [];
  for (const box of boxes) {
    const p = probability.get(box);
    const q = second.get(box);
    if (p === undefined) out.push(box);
    else if (!keepsFace(box.y2 - box.y1, p, o)) continue;
    else if (q === undefined) out.push({ ...box, faceProbability: p });
    else if (q >= o.confirmMinProbability) {
      out.push({ ...box, faceProbability: p, confirmProbability: q });
    }
  }
  return out;
}

/** A verifier with its own inference session, created on first use. */
export interface DetectionVerifier {
  /** The boxes of `image` the classifier keeps (see {@link verifyFaceBoxes}). */
  verify(image: RgbImage | RasterFrame, boxes: readonly FaceBox[]): Promise<VerifiedFaceBox[]>;
  /**
   * The Confidence scale for `box`: the curve of the first `confidenceBands` band its face
   * probability is under, else `fallback`.
   */
  confidenceFor(box: FaceBox, fallback: DetectionConfidence): DetectionConfidence;
  /** Creates the session now (after the model's sha256 check). */
  load(): Promise<void>;
  /** Releases the session; a later `verify` creates it again. */
  close(): Promise<void>;
}

export interface DetectionVerifierModel {
  readonly entry: ModelManifestEntry;
  readonly bytes: Uint8Array;
  readonly sessionOptions?: SessionOptions;
}

/** @throws {Error} when `model` is not a verification model with an `[N, 2]` output. */
function checkVerificationModel(model: DetectionVerifierModel): void {
  if (model.entry.task !== 'verification') {
    throw new Error(
      `Model ${model.entry.id} is a ${model.entry.task} model; a detection verifier needs a verification model.`,
    );
  }
  verificationOutput(model.entry);
  inputSize(model.entry.input);
}

/**
 * A {@link DetectionVerifier} on `backend` for a `verification` model (a face/non-face classifier
 * with an `[N, 2]` probability output) and, optionally, a second one (`confirm`) for the faces
 * the first doubts.
 * @throws {Error} when a model is not a verification model or has no such output.
 */
export function createDetectionVerifier(options: {
  backend: InferenceBackend;
  model: DetectionVerifierModel;
  confirm?: DetectionVerifierModel;
  options?: Partial<DetectionVerifierOptions>;
  sessionOptions?: SessionOptions;
}): DetectionVerifier {
  const { backend, model, confirm } = options;
  checkVerificationModel(model);
  if (confirm) checkVerificationModel(confirm);
  const settings = { ...defaultDetectionVerifierOptions, ...options.options };
  const bands = [...(settings.confidenceBands ?? [])]
    .sort((a, b) => a.below - b.below)
    .map((band) => ({
      below: band.below,
      confidence: piecewiseLinearDetectionConfidence(band.confidence),
    }));
  type Sessions = { main: InferenceSession; confirm?: InferenceSession };
  const open = async (m: DetectionVerifierModel) => {
    await verifyModelBytes(m.entry, m.bytes);
    return backend.loadModel(m.bytes, { ...options.sessionOptions, ...m.sessionOptions });
  };
  let sessions: Promise<Sessions> | undefined;
  const getSessions = () => {
    sessions ??= Promise.allSettled([open(model), confirm ? open(confirm) : undefined]).then(
      async ([main, second]) => {
        if (main.status === 'fulfilled' && second.status === 'fulfilled') {
          return { main: main.value, confirm: second.value };
        }
        // Free whichever did load before reporting the failure.
        if (main.status === 'fulfilled') await main.value.release();
        if (second.status === 'fulfilled') await second.value?.release();
        sessions = undefined;
        throw main.status === 'rejected' ? main.reason : (second as PromiseRejectedResult).reason;
      },
    );
    return sessions;
  };
  return {
    async verify(image, boxes) {
      if (!boxes.some((b) => b.y2 - b.y1 >= settings.minHeight)) return [...boxes];
      const s = await getSessions();
      const second =
        s.confirm && confirm ? { session: s.confirm, entry: confirm.entry } : undefined;
      return verifyFaceBoxes(s.main, model.entry, image, boxes, settings, second);
    },
    confidenceFor(box, fallback) {
      const p = (box as VerifiedFaceBox).faceProbability;
      if (p === undefined) return fallback;
      return bands.find((band) => p < band.below)?.confidence ?? fallback;
    },
    async load() {
      await getSessions();
    },
    async close() {
      const pending = sessions;
      sessions = undefined;
      const s = await pending?.catch(() => undefined);
      await s?.main.release();
      await s?.confirm?.release();
    },
  };
}
