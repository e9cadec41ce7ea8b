export type {
  AnalyzedFace,
  AnalyzeOptions,
  FaceAnalyzer,
  ImageAnalysis,
} from './analysis/face-analyzer.js';
export * from './errors/exceptions.js';
export { collectionNotFound, userNotFound } from './errors/not-found.js';
export type { RekognitionErrorName, RekognitionErrorOptions } from './errors/rekognition-error.js';
export { RekognitionError } from './errors/rekognition-error.js';
export {
  type CheckedImageHeader,
  checkImageHeader,
  checkPositiveLimit,
  defaultDecodeLimits,
  defaultMaxImageBytes,
  type ImageHeaderCheckerOptions,
  INVALID_IMAGE_FORMAT,
  imageHeaderChecker,
} from './image/check-image-header.js';
export type { DecodedImage, DecodeLimits, ImageDecoder } from './image/image-decoder.js';
export {
  describeUnsupported,
  type ImageHeader,
  ImageHeaderError,
  readExifOrientation,
  readImageHeader,
} from './image/image-header.js';
export type { RgbImage } from './image/raster.js';
export type {
  InferenceBackend,
  InferenceSession,
  SessionOptions,
  Tensor,
} from './inference/inference-backend.js';
export type {
  BlobShapeSpec,
  BooleanShapeSpec,
  ListShapeSpec,
  MapShapeSpec,
  MemberSpec,
  NumberShapeSpec,
  OperationSpec,
  ShapeSpec,
  StringShapeSpec,
  StructureShapeSpec,
  TimestampShapeSpec,
} from './model/shape-spec.js';
export { operations, shapes } from './model/shapes.generated.js';
// Model-driven wire types and request validation (generated from the botocore model).
export type * from './model/wire-types.generated.js';
export { operationNames } from './model/wire-types.generated.js';
export {
  type ModelInput,
  type ModelManifestEntry,
  type ModelOutput,
  sha256Hex,
  verifyModelBytes,
} from './models/model-manifest.js';
export { type ArnScope, collectionArn, collectionIdFromArn } from './service/collection-arn.js';
export {
  defaultFaceServiceLimits,
  FaceService,
  type FaceServiceLimits,
  type FaceServiceOptions,
} from './service/face-service.js';
export {
  checkFalseAcceptPoints,
  type FalseAcceptPoint,
  type RequestOptions,
  similarityForFalseAcceptRate,
} from './service/false-accept-rate.js';
export { contentImageId, imageBytes } from './service/image-input.js';
export { type QualityBar, qualityBars, qualityReasons } from './service/quality-filter.js';
export {
  matchByIou,
  type ReindexCollectionOptions,
  type ReindexImageResult,
  type ReindexMiss,
  type ReindexPlan,
  type ReindexReport,
  reindexCollection,
} from './service/reindex-collection.js';
export {
  linearSimilarityScale,
  piecewiseLinearSimilarityScale,
  type SimilarityScale,
} from './service/similarity-scale.js';
export type {
  BoxRatios,
  CollectionRecord,
  CollectionStats,
  DeleteFacesResult,
  FaceFilter,
  FaceMetadata,
  FaceOwnershipResult,
  FaceStore,
  FaceStoreCapabilities,
  Page,
  PageRequest,
  ScoredFace,
  ScoredUser,
  StoredFace,
  UserRecord,
  UserSearchOptions,
  VectorSearchOptions,
} from './storage/face-store.js';
export {
  createMemorySourceImageStore,
  imageFileExtension,
  type SourceImageStore,
} from './storage/source-image-store.js';
export type { ShapeViolation, ShapeViolationRule } from './validation/validate-shape.js';
export { validateRequest, validateShape } from './validation/validate-shape.js';
export { centroid, dot, l2Normalize } from './vector/vector-math.js';

// Neural face pipeline: the ONNX-backed analyzer and its pure pre/post-processing steps.

export {
  ATTRIBUTE_MODEL,
  type AttributeEstimator,
  type AttributeEstimatorOptions,
  type AttributeModelSource,
  type AttributeModels,
  createAttributeEstimator,
  type FaceAttributes,
  type ModelKey,
  withAttributes,
} from './analysis/attribute-estimator.js';
export {
  alignmentByModel,
  attributeModels,
  createPresetFaceAnalyzer,
  type DetectionVerifierPreset,
  defaultDetectionVerifier,
  defaultVerifier,
  type FaceModelVersion,
  faceModels,
  type PresetFaceAnalyzerOptions,
  presetDetectionOptions,
  sessionOptionsByModel,
} from './analysis/face-model-presets.js';
export type { EmbedderAlignment } from './analysis/onnx-face-analyzer.js';
export {
  createOnnxFaceAnalyzer,
  defaultFaceDetectionOptions,
  type FaceDetectionOptions,
  type ModelSource,
  type OnnxFaceAnalyzer,
  type OnnxFaceAnalyzerOptions,
} from './analysis/onnx-face-analyzer.js';
export {
  falseAcceptRates,
  similarityAnchors,
  similarityScaleFor,
} from './analysis/similarity-calibration.js';
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
export {
  type ArchivedFace,
  type ArchivedUser,
  COLLECTION_ARCHIVE_FORMAT,
  COLLECTION_ARCHIVE_VERSION,
  type CollectionArchiveHeader,
  decodeVector,
  type ExportCollectionOptions,
  encodeVector,
  exportCollection,
  type ImportCollectionOptions,
  type ImportCollectionResult,
  importCollection,
} from './portability/collection-archive.js';
