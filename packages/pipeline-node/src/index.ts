export { falseAcceptRates, similarityAnchors, similarityScaleFor } from './calibration.js';
export {
  attributeModels,
  createNodeFaceAnalyzer,
  type FaceModelVersion,
  faceModels,
  type NodeFaceAnalyzerOptions,
} from './node-face-analyzer.js';
