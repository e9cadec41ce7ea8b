// `@facekit/core/analyzer`: the ONNX face analyzer, the default models' presets, and calibration
// (similarity scales, false accept rates, quality bars).

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
  faceModelSimilarityScales,
  faceModels,
  type Int8Stage,
  int8Models,
  type PresetFaceAnalyzerOptions,
  presetDetectionOptions,
  sessionOptionsByModel,
} from './analysis/face-model-presets.js';
export {
  checkFalseAcceptPoints,
  type FalseAcceptPoint,
  similarityForFalseAcceptRate,
} from './analysis/false-accept-rate.js';
export type { EmbedderAlignment, ModelSource } from './analysis/model-source.js';
export {
  createOnnxFaceAnalyzer,
  defaultFaceDetectionOptions,
  type FaceDetectionOptions,
  type OnnxFaceAnalyzer,
  type OnnxFaceAnalyzerOptions,
} from './analysis/onnx-face-analyzer.js';
export {
  falseAcceptRates,
  similarityAnchors,
  similarityScaleFor,
} from './analysis/similarity-calibration.js';
export {
  linearSimilarityScale,
  piecewiseLinearSimilarityScale,
  type SimilarityScale,
} from './analysis/similarity-scale.js';
export { type QualityBar, qualityBars, qualityReasons } from './service/quality-filter.js';
