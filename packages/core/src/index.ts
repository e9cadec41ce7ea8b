// The spec surface: the Rekognition wire types and API model, errors and request validation, the
// seams adapters implement, and the service. Everything else is behind a subpath (`/analyzer`,
// `/pipeline`, `/image`, `/archive`, `/reindex`, `/onnx-models`, `/vector`, `/sql-store`,
// `/clustering`, `/people`) or internal.

export type {
  AnalyzedFace,
  AnalyzeOptions,
  FaceAnalyzer,
  ImageAnalysis,
} from './analysis/face-analyzer.js';
export type {
  FalseAcceptPoint,
  FalseAcceptRateEstimate,
} from './analysis/false-accept-rate.js';
export type { SimilarityScale } from './analysis/similarity-scale.js';
export * from './errors/exceptions.js';
export {
  collectionAlreadyExists,
  collectionNotFound,
  faceAlreadyExists,
  tooManyTags,
  userAlreadyExists,
  userFaceLimitExceeded,
  userNotFound,
} from './errors/not-found.js';
export type { RekognitionErrorName, RekognitionErrorOptions } from './errors/rekognition-error.js';
export { RekognitionError } from './errors/rekognition-error.js';
export type {
  DecodedImage,
  DecodeLimits,
  ImageDecoder,
  ScalableImage,
} from './image/image-decoder.js';
export {
  fullFrame,
  pointsToRaster,
  type RasterFrame,
  type RgbImage,
  scaledFrame,
  toRaster,
} from './image/raster.js';
export type {
  InferenceBackend,
  InferenceSession,
  SessionOptions,
  Tensor,
} from './inference/inference-backend.js';
export * from './model/extension-model.js';
export * from './model/identification-model.js';
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
  defaultFaceServiceLimits,
  FaceService,
  type FaceServiceLimits,
  type FaceServiceOptions,
} from './service/face-service.js';
export {
  type ImageObjectFailure,
  type ImageObjectLocation,
  ImageObjectReadError,
  type ImageObjectSource,
  maxS3ImageBytes,
} from './service/image-object-source.js';
export { KeyedMutex } from './service/keyed-mutex.js';
export type { RequestOptions } from './service/request-options.js';
export type {
  BoxRatios,
  CollectionRecord,
  CollectionStats,
  DeleteFacesResult,
  FaceFilter,
  FaceMetadata,
  FaceOwnershipResult,
  FaceSeparation,
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
export {
  validateExtensionRequest,
  validateRequest,
  validateShape,
} from './validation/validate-shape.js';
export {
  type OpenedVideo,
  VideoDecodeError,
  type VideoDecodeFailure,
  type VideoDecoder,
  type VideoFrame,
  type VideoInfo,
} from './video/video-decoder.js';
export type { VideoJobLimits } from './video/video-job-runner.js';
export {
  createMemoryVideoJobStore,
  type VideoJob,
  type VideoJobKind,
  type VideoJobStore,
} from './video/video-job-store.js';
