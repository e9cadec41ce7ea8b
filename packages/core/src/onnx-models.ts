// `@facekit/core/onnx-models`: ONNX model manifest entries and checking model bytes against them.

export {
  type ModelInput,
  type ModelManifestEntry,
  type ModelOutput,
  sha256Hex,
  verifyModelBytes,
} from './onnx-models/model-manifest.js';
