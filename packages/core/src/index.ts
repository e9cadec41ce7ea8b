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
export type { DecodedImage, DecodeLimits, ImageDecoder } from './image/image-decoder.js';
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
export { contentImageId, imageBytes } from './service/image-input.js';
export { type QualityBar, qualityBars, qualityReasons } from './service/quality-filter.js';
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
export type { ShapeViolation, ShapeViolationRule } from './validation/validate-shape.js';
export { validateRequest, validateShape } from './validation/validate-shape.js';
export { centroid, dot, l2Normalize } from './vector/vector-math.js';
