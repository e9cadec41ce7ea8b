// `@facekit/core/pipeline`: the pure-TypeScript steps of the face pipeline (detection
// post-processing, landmarks, alignment, pose, quality, attributes, resizing).

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
} from './pipeline/describe/face-attributes.js';
export { estimatePose, type HeadPose } from './pipeline/describe/pose.js';
export {
  type FaceQuality,
  measureQuality,
  type QualityOptions,
} from './pipeline/describe/quality.js';
export { decodeBlazeFace, verifierCrop, verifierScore } from './pipeline/detect/blazeface.js';
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
} from './pipeline/detect/detection.js';
export {
  type DetectionConfidence,
  detectionConfidenceAnchors,
  detectionConfidenceFor,
  piecewiseLinearDetectionConfidence,
  rawDetectionConfidence,
} from './pipeline/detect/detection-confidence.js';
export {
  type ClassifierSession,
  type ConfidenceBand,
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
} from './pipeline/detect/detection-verifier.js';
export { iou, nms } from './pipeline/detect/nms.js';
export {
  type AlignOptions,
  ARCFACE_TEMPLATE_112,
  alignFace,
  applySimilarity,
  estimateSimilarity,
  invertSimilarity,
  type SimilarityTransform,
  warpSimilarity,
} from './pipeline/embed/align.js';
export {
  extractFaceChip,
  type FaceChipOptions,
  faceChipTemplate,
} from './pipeline/embed/face-chip.js';
export {
  letterbox,
  letterboxTransform,
  type Region,
  type ResizeFilter,
  type ResizeOptions,
  resizeRegion,
  type ScaleTransform,
  transformRegion,
} from './pipeline/input/resize.js';
export { type InputSize, inputSize, neutralFill, toTensor } from './pipeline/input/to-tensor.js';
export {
  type BoxCorners,
  decodeLandmarks,
  defaultLandmarkCrop,
  fivePoints,
  LANDMARK_COUNT,
  type LandmarkCropOptions,
  landmarkCrop,
} from './pipeline/landmarks/landmarks.js';
export {
  REKOGNITION_LANDMARKS,
  toRekognitionLandmarks,
} from './pipeline/landmarks/rekognition-landmarks.js';
export {
  type QuarterTurns,
  rotateQuarterTurns,
  unturnPoint,
  unturnRoll,
} from './pipeline/turn/quarter-turns.js';
