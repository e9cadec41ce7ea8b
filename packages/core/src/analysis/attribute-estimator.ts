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
import {
  type AttributeRequest,
  ageRange,
  booleanAttribute,
  emotions,
  eyeCrops,
  eyeDirection,
  eyesOpenProbability,
  eyeWidth,
  type FaceAttribute,
  mouthOpenProbability,
  mouthOpenRatio,
  occlusionProbability,
  paddedFaceCrop,
  smile,
  softmax,
  truncatedShare,
} from '../pipeline/describe/face-attributes.js';
import { type Region, resizeRegion } from '../pipeline/input/resize.js';
import { inputSize, neutralFill, toTensor } from '../pipeline/input/to-tensor.js';
import type { BoxCorners } from '../pipeline/landmarks/landmarks.js';
import type { ModelSource } from './model-source.js';

/** A model given now, or a function that reads it when it is first needed. */
export type AttributeModelSource = ModelSource | (() => Promise<ModelSource>);

/**
 * The attribute networks, each optional: an attribute whose model is absent is left out of the
 * `FaceDetail` (never guessed). Entries are checked against their task when loaded.
 */
export interface AttributeModels {
  /**
   * Age and gender (`task: 'age'`), face-api's AgeGenderNet convention: a square face crop in,
   * outputs `age` (years, `[N, 1]`) and `gender` (`[N, 2]` probabilities, male first).
   */
  ageGender?: AttributeModelSource;
  /**
   * Expression (`task: 'expression'`), face-api's FaceExpressionNet convention: a square face crop
   * in, 7 probabilities out in {@link FACE_API_EXPRESSIONS} order. Emotions and Smile.
   */
  expression?: AttributeModelSource;
  /** 2-class open/closed eye classifier on gray eye crops (`task: 'eyes'`): EyesOpen. */
  eyes?: AttributeModelSource;
}

/** Which attribute model computes an attribute: a key of {@link AttributeModels}. */
export type ModelKey = keyof AttributeModels;

const TASKS: Record<ModelKey, ModelManifestEntry['task']> = {
  ageGender: 'age',
  expression: 'expression',
  eyes: 'eyes',
};

/** Which model each attribute runs; attributes without one are computed from the landmarks. */
export const ATTRIBUTE_MODEL: Readonly<Record<FaceAttribute, ModelKey | undefined>> = {
  AGE_RANGE: 'ageGender',
  GENDER: 'ageGender',
  EMOTIONS: 'expression',
  SMILE: 'expression',
  EYES_OPEN: 'eyes',
  MOUTH_OPEN: undefined,
  FACE_OCCLUDED: undefined,
  EYE_DIRECTION: undefined,
};

export interface AttributeEstimatorOptions {
  backend: InferenceBackend;
  models: AttributeModels;
  /** Passed to `backend.loadModel` under each source's own `sessionOptions`. */
  sessionOptions?: SessionOptions;
  /**
   * Which class of the eye model means "open"; default 1. Its package does not say; measured on
   * real photos (closed eyes give class 0; see the real-photo tests).
   */
  eyeOpenClass?: 0 | 1;
}

/** The part of a `FaceDetail` beyond DEFAULT, for one face. */
export type FaceAttributes = Pick<
  FaceDetail,
  | 'AgeRange'
  | 'Smile'
  | 'Gender'
  | 'EyesOpen'
  | 'MouthOpen'
  | 'Emotions'
  | 'FaceOccluded'
  | 'EyeDirection'
>;

export interface AttributeEstimator {
  /** Which of the requested attributes this estimator can compute with its models. */
  supported(request: AttributeRequest): Set<FaceAttribute>;
  /**
   * Computes the requested attributes of one face. Runs only the models those attributes need;
   * each model's session is created on first use (after its sha256 check) and then shared.
   * @param points the face's 68 landmarks in image pixels.
   */
  describe(
    image: RgbImage,
    box: BoxCorners,
    points: Float32Array,
    request: AttributeRequest,
  ): Promise<FaceAttributes>;
  /** Creates every model's session now (startup loading instead of on first use). */
  load(): Promise<void>;
  /** Releases the sessions; later calls create them again. */
  close(): Promise<void>;
}

/**
 * Face attributes beyond DEFAULT: AgeRange and Gender, Emotions and Smile, EyesOpen from
 * networks; MouthOpen, FaceOccluded and EyeDirection from the 68 landmarks and the pixels
 * around them (see `face-attributes.ts` for each computation and its limits).
 */
export function createAttributeEstimator(options: AttributeEstimatorOptions): AttributeEstimator {
  const { backend, models } = options;
  const eyeOpenClass = options.eyeOpenClass ?? 1;
  const sessions = new Map<ModelKey, Promise<{ source: ModelSource; session: InferenceSession }>>();

  function session(key: ModelKey) {
    let pending = sessions.get(key);
    if (!pending) {
      pending = open(key);
      sessions.set(key, pending);
      pending.catch(() => sessions.delete(key));
    }
    return pending;
  }

  async function open(key: ModelKey) {
    const given = models[key];
    if (!given) throw new Error(`No ${key} model was configured.`);
    const source = typeof given === 'function' ? await given() : given;
    if (source.entry.task !== TASKS[key]) {
      throw new Error(
        `Model ${source.entry.id} is a ${source.entry.task} model; the ${key} attributes need a ${TASKS[key]} model.`,
      );
    }
    await verifyModelBytes(source.entry, source.bytes);
    const s = await backend.loadModel(source.bytes, {
      ...options.sessionOptions,
      ...source.sessionOptions,
    });
    return { source, session: s };
  }

  /** Runs a model on a crop made by `crop` at the model's input size. */
  async function run(
    key: ModelKey,
    crop: (width: number, height: number, fill: [number, number, number]) => RgbImage,
  ) {
    const { source, session: s } = await session(key);
    const input = source.entry.input;
    const size = inputSize(input);
    const outputs = await s.run({
      [input.name]: toTensor(crop(size.width, size.height, neutralFill(input)), input),
    });
    return { entry: source.entry, outputs };
  }

  const faceCrop = (image: RgbImage, box: BoxCorners) => (w: number, h: number) =>
    paddedFaceCrop(image, box, w, h);
  const regionCrop =
    (image: RgbImage, region: Region) => (w: number, h: number, fill: [number, number, number]) =>
      resizeRegion(image, region, w, h, { fill, filter: 'area' });

  const supported = (request: AttributeRequest) =>
    new Set(
      [...request.attributes].filter((a) => {
        const key = ATTRIBUTE_MODEL[a];
        return key === undefined || models[key] !== undefined;
      }),
    );

  return {
    supported,

    async describe(image, box, points, request) {
      const want = supported(request);
      const [ageGender, expression, eyes] = await Promise.all([
        want.has('AGE_RANGE') || want.has('GENDER')
          ? run('ageGender', faceCrop(image, box)).then(({ entry, outputs }) => ({
              age: named(entry, outputs, 'age').data[0],
              male: named(entry, outputs, 'gender').data[0],
            }))
          : undefined,
        want.has('EMOTIONS') || want.has('SMILE')
          ? run('expression', faceCrop(image, box)).then(
              ({ entry, outputs }) => first(entry, outputs).data,
            )
          : undefined,
        want.has('EYES_OPEN')
          ? Promise.all(eyeCrops(points).map((r) => run('eyes', regionCrop(image, r)))).then(
              (both) =>
                both.map(({ entry, outputs }) => softmax(first(entry, outputs).data)[eyeOpenClass]),
            )
          : undefined,
      ]);
      const out: FaceAttributes = {};
      if (want.has('AGE_RANGE') && ageGender) out.AgeRange = ageRange(ageGender.age);
      if (want.has('SMILE') && expression) out.Smile = smile(expression);
      if (want.has('GENDER') && ageGender) {
        const { Value, Confidence } = booleanAttribute(ageGender.male);
        out.Gender = { Value: Value ? 'Male' : 'Female', Confidence };
      }
      if (eyes) {
        out.EyesOpen = booleanAttribute(
          eyesOpenProbability((eyes[0] + eyes[1]) / 2, eyeWidth(points)),
        );
      }
      if (want.has('MOUTH_OPEN')) {
        out.MouthOpen = booleanAttribute(mouthOpenProbability(mouthOpenRatio(points)));
      }
      if (want.has('EMOTIONS') && expression) out.Emotions = emotions(expression);
      if (want.has('FACE_OCCLUDED')) {
        out.FaceOccluded = booleanAttribute(
          occlusionProbability(truncatedShare(points, image.width, image.height)),
        );
      }
      if (want.has('EYE_DIRECTION')) {
        const gaze = eyeDirection(image, points);
        if (gaze) {
          out.EyeDirection = {
            Yaw: gaze.yaw,
            Pitch: gaze.pitch,
            Confidence: gaze.confidence,
          };
        }
      }
      return out;
    },

    async load() {
      await Promise.all(
        (Object.keys(TASKS) as ModelKey[]).filter((k) => models[k]).map((k) => session(k)),
      );
    },

    async close() {
      const pending = [...sessions.values()];
      sessions.clear();
      await Promise.all(
        pending.map((p) => p.then(({ session: s }) => s.release()).catch(() => undefined)),
      );
    },
  };
}

function first(entry: ModelManifestEntry, outputs: Record<string, Tensor>): Tensor {
  return named(entry, outputs, entry.outputs[0]?.name ?? '');
}

function named(entry: ModelManifestEntry, outputs: Record<string, Tensor>, name: string): Tensor {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`Model ${entry.id}: output ${name} is missing.`);
  return tensor;
}

/**
 * A `FaceDetail` with attributes added, members in the order Rekognition's responses list them
 * (BoundingBox, AgeRange, Smile, …, Emotions, Landmarks, Pose, Quality, Confidence,
 * FaceOccluded, EyeDirection); absent attributes stay absent.
 */
export function withAttributes(detail: FaceDetail, attributes: FaceAttributes): FaceDetail {
  const merged: FaceDetail = { ...detail, ...attributes };
  const out: Record<string, unknown> = {};
  for (const key of DETAIL_ORDER) {
    if (merged[key] !== undefined) out[key] = merged[key];
  }
  for (const [key, value] of Object.entries(merged)) {
    if (!(key in out) && value !== undefined) out[key] = value;
  }
  return out as FaceDetail;
}

const DETAIL_ORDER: readonly (keyof FaceDetail)[] = [
  'BoundingBox',
  'AgeRange',
  'Smile',
  'Eyeglasses',
  'Sunglasses',
  'Gender',
  'Beard',
  'Mustache',
  'EyesOpen',
  'MouthOpen',
  'Emotions',
  'Landmarks',
  'Pose',
  'Quality',
  'Confidence',
  'FaceOccluded',
  'EyeDirection',
];
