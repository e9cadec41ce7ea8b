import {
  createPresetFaceAnalyzer,
  type InferenceBackend,
  type OnnxFaceAnalyzer,
  type PresetFaceAnalyzerOptions,
} from '@facekit/core';
import { createNapiImageDecoder } from '@facekit/image-napi';
import { loadModel } from '@facekit/models';

export interface NodeFaceAnalyzerOptions
  extends Omit<PresetFaceAnalyzerOptions, 'backend' | 'decoder' | 'loadModel'> {
  /** `node` (onnxruntime-node, default) or `web` (onnxruntime-web, wasm: slower, no native addon). */
  runtime?: 'node' | 'web';
  /** Where the built models are; default the `@facekit/models` build output. */
  modelsDir?: string;
}

/**
 * The default pipeline on Node: hash-verified models from `@facekit/models`, onnxruntime,
 * `@napi-rs/image` decoding and the measured similarity calibration.
 */
export async function createNodeFaceAnalyzer(
  options: NodeFaceAnalyzerOptions = {},
): Promise<OnnxFaceAnalyzer> {
  return createPresetFaceAnalyzer({
    ...options,
    backend: await createBackend(options),
    decoder: createNapiImageDecoder(),
    loadModel: (id) => loadModel(id, options.modelsDir),
  });
}

async function createBackend(options: NodeFaceAnalyzerOptions): Promise<InferenceBackend> {
  if (options.runtime === 'web') {
    const { createOnnxWebBackend } = await import('@facekit/inference-onnx/web');
    return createOnnxWebBackend({ threads: options.threads });
  }
  const { createOnnxNodeBackend } = await import('@facekit/inference-onnx/node');
  return createOnnxNodeBackend({ threads: options.threads });
}
