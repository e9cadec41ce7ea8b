// The default pipeline's model choice and calibration live in core, shared with the browser.
export {
  attributeModels,
  type FaceModelVersion,
  faceModels,
  falseAcceptRates,
  similarityAnchors,
  similarityScaleFor,
} from '@facekit/core/analyzer';
export { createNodeFaceAnalyzer, type NodeFaceAnalyzerOptions } from './node-face-analyzer.js';
export {
  createNodeFaceAnalyzerPool,
  type NodeFaceAnalyzerPoolOptions,
} from './node-face-analyzer-pool.js';
export {
  createScaledImageDecoder,
  defaultJpegScales,
  type ScaledImageDecoderOptions,
} from './scaled-image-decoder.js';
