// `@facekit/core/pipeline`: the pure-TypeScript steps of the face pipeline (detection
// post-processing, landmarks, alignment, pose, quality, attributes, resizing).

export {
  type AlignOptions,
  ARCFACE_TEMPLATE_112,
  alignFace,
  applySimilarity,
  estimateSimilarity,
  invertSimilarity,
  type SimilarityTransform,
  warpSimilarity,
} from './pipeline/align.js';
export { decodeBlazeFace, verifierCrop, verifierScore } from './pipeline/blazeface.js';
export {
  type DecodeOptions,
  type DetectionPass,
  type DetectionPlan,
  decodeUltraFace,
  defaultMergeOptions,
  defaultTilingOptions,
  type FaceBox,
  type MergeOptions,
  mergeDetections,
  planDetection,
  renderPass,
  shouldRunTiles,
  type TilingOptions,
} from './pipeline/detection.js';
export {
  type DetectionConfidence,
  detectionConfidenceAnchors,
  detectionConfidenceFor,
  piecewiseLinearDetectionConfidence,
  rawDetectionConfidence,
} from './pipeline/detection-confidence.js';
export {
  createDetectionVerifier,
  type DetectionVerifier,
  type DetectionVerifierModel,
  type DetectionVerifierOptions,
  defaultDetectionVerifierOptions,
  keepsFace,
  scoreFaceBoxes,
  type VerifiedFaceBox,
  verificationCrop,
  verificationOutput,
  verifyFaceBoxes,
} from './pipeline/detection-verifier.js';
export {
  type AttributeRequest,
  ageRange,
  booleanAttribute,
  emotions,
  eyeCrops,
  eyeDirection,
  eyesOpenProbability,
  eyeWidth,
  FACE_API_EXPRESSIONS,
  FACE_ATTRIBUTES,
  type FaceAttribute,
  locatePupil,
  mouthOpenProbability,
  mouthOpenRatio,
  occlusionProbability,
  paddedFaceCrop,
  resolveAttributes,
  smile,
  softmax,
  truncatedShare,
} from './pipeline/face-attributes.js';
export {
  extractFaceChip,
  type FaceChipOptions,
  faceChipTemplate,
} from './pipeline/face-chip.js';
export {
  type BoxCorners,
  decodeLandmarks,
  defaultLandmarkCrop,
  fivePoints,
  LANDMARK_COUNT,
  type LandmarkCropOptions,
  landmarkCrop,
} from './pipeline/landmarks.js';
export { iou, nms } from './pipeline/nms.js';
export { estimatePose, type HeadPose } from './pipeline/pose.js';
export { type FaceQuality, measureQuality, type QualityOptions } from './pipeline/quality.js';
export {
  type QuarterTurns,
  rotateQuarterTurns,
  unturnPoint,
  unturnRoll,
} from './pipeline/quarter-turns.js';
export {
  REKOGNITION_LANDMARKS,
  toRekognitionLandmarks,
} from './pipeline/rekognition-landmarks.js';
export {
  letterbox,
  letterboxTransform,
  type Region,
  type ResizeFilter,
  type ResizeOptions,
  resizeRegion,
  type ScaleTransform,
  transformRegion,
} from './pipeline/resize.js';
export { type InputSize, inputSize, neutralFill, toTensor } from './pipeline/to-tensor.js';
