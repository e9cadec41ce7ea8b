export { similarityAnchors, similarityScaleFor } from './calibration.js';
export {
  createNodeFaceAnalyzer,
  type FaceModelVersion,
  faceModels,
  type NodeFaceAnalyzerOptions,
} from './node-face-analyzer.js';
