import {
  createPresetFaceAnalyzer,
  type OnnxFaceAnalyzer,
  type PresetFaceAnalyzerOptions,
} from '@facekit/core/analyzer';
import { createOnnxWebBackend, type WasmPaths } from '@facekit/inference-onnx/web';
import {
  type BrowserImageDecoderOptions,
  createBrowserImageDecoder,
} from './browser-image-decoder.js';
import { createModelFetcher, type ModelFetcherOptions } from './fetch-model.js';

/** Options of {@link createBrowserFaceAnalyzer}. */
export interface BrowserFaceAnalyzerOptions
  extends Omit<PresetFaceAnalyzerOptions, 'backend' | 'decoder' | 'loadModel'> {
  /** Where the ONNX models are served (see {@link ModelFetcherOptions.baseUrl}). */
  modelBaseUrl: string | URL;
  /**
   * Where onnxruntime-web's `ort-wasm-simd-threaded.{mjs,wasm}` are served, e.g. `/ort/`; by
   * default next to onnxruntime-web's module, as your bundler emits it.
   */
  wasmPaths?: WasmPaths;
  /** Default `globalThis.fetch`, used for the models. */
  fetch?: typeof globalThis.fetch;
  /** Limits of the browser's image decoder (default: the server's). */
  decoder?: BrowserImageDecoderOptions;
}

/**
 * facekit's default pipeline in a browser page or worker, nothing uploaded: the same models,
 * detection settings and similarity calibration as `createNodeFaceAnalyzer()`, with models
 * downloaded from `modelBaseUrl` and checked against their sha256, onnxruntime-web on wasm (one
 * thread unless `threads` says otherwise: more needs cross-origin isolation) and the browser's
 * own JPEG/PNG decoding. Attribute models are left out unless `attributes` asks for them.
 *
 * Pass it to `new FaceService({ analyzers: [analyzer], store })` for the Rekognition operations.
 * @throws {Error} when a model cannot be downloaded; the first `analyze` (or `load()`) throws
 *   when a model fails its integrity check.
 */
export async function createBrowserFaceAnalyzer(
  options: BrowserFaceAnalyzerOptions,
): Promise<OnnxFaceAnalyzer> {
  const { modelBaseUrl, wasmPaths, fetch, decoder, ...preset } = options;
  return createPresetFaceAnalyzer({
    attributes: false,
    ...preset,
    backend: createOnnxWebBackend({ threads: options.threads ?? 1, wasmPaths }),
    decoder: createBrowserImageDecoder(decoder),
    loadModel: createModelFetcher({ baseUrl: modelBaseUrl, fetch }),
  });
}
