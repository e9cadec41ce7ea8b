import { lazyRuntime } from './load-runtime.js';
import {
  type GraphOptimizationLevel,
  loadOnnxModel,
  type OnnxInferenceBackend,
  type OrtBinding,
} from './onnx-session.js';

export type {
  GraphOptimizationLevel,
  OnnxInferenceBackend,
  OnnxSessionOptions,
} from './onnx-session.js';

/** Where the runtime's `ort-wasm-simd-threaded.{mjs,wasm}` files are served from. */
export type WasmPaths = string | { readonly mjs?: string | URL; readonly wasm?: string | URL };

/** Options of {@link createOnnxWebBackend}. */
export interface OnnxWebBackendOptions {
  /**
   * A URL prefix (ending in `/`) or a directory, or the two files' URLs, where
   * `ort-wasm-simd-threaded.mjs` and `.wasm` live: e.g. a CDN or your static assets in a browser.
   * By default onnxruntime-web loads them next to its own module: from its `dist/` folder in
   * `node_modules` under Node, Deno and Bun, or as a bundler emits them (`new URL(…, import.meta.url)`).
   */
  wasmPaths?: WasmPaths;
  /**
   * WebAssembly threads. Default 1, which needs no `SharedArrayBuffer` (no cross-origin
   * isolation) and lets concurrent requests use other processes' or workers' cores instead.
   */
  threads?: number;
  /** Default `'all'`; a model's `loadModel` options may override it. */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

const loadOrt = lazyRuntime('onnxruntime-web', () => import('onnxruntime-web/wasm'));

/**
 * Every call into onnxruntime-web, across all backends and sessions, is queued on this chain:
 * the wasm instance is one per realm and onnxruntime-web rejects overlapping calls into it.
 */
let tail: Promise<unknown> = Promise.resolve();

function serialise<T>(task: () => Promise<T>): Promise<T> {
  const result = tail.then(task);
  tail = result.catch(() => undefined);
  return result;
}

/**
 * The `InferenceBackend` over `onnxruntime-web`'s WebAssembly (CPU) backend: browsers, workers,
 * Deno, Bun and Node. Session creation and `run()` are serialised through one promise chain.
 *
 * The wasm runtime is set up once per realm, by the first model loaded: its `wasmPaths` and
 * `threads` apply to every later backend too. `loadModel`'s `threads` is ignored here.
 *
 * `onnxruntime-web` is an optional peer dependency, imported on the first `loadModel`.
 *
 * @throws {InternalServerError} from `loadModel` when `onnxruntime-web` is missing, its wasm files
 * cannot be loaded or the bytes are not a loadable model, and from `run` when the feeds or the
 * model are wrong.
 */
export function createOnnxWebBackend(options: OnnxWebBackendOptions = {}): OnnxInferenceBackend {
  let binding: Promise<OrtBinding> | undefined;
  const getBinding = async (): Promise<OrtBinding> => {
    const ort = await loadOrt();
    return {
      runtime: 'onnxruntime-web',
      createSession: (model, { graphOptimizationLevel }) => {
        const { wasm } = ort.env;
        // Only read by onnxruntime-web when it first initialises; later changes are ignored.
        wasm.numThreads = options.threads ?? 1;
        wasm.proxy = false;
        if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
        return ort.InferenceSession.create(model, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: graphOptimizationLevel ?? options.graphOptimizationLevel ?? 'all',
          // Warnings are about how the model was exported, which a server cannot act on.
          logSeverityLevel: 3,
        });
      },
      toOrtTensor: (tensor) => new ort.Tensor('float32', tensor.data, tensor.dims),
      schedule: serialise,
    };
  };
  return {
    specificationVersion: 'v1',
    name: 'onnxruntime-web',
    async loadModel(model, sessionOptions) {
      binding ??= getBinding().catch((error: unknown) => {
        binding = undefined;
        throw error;
      });
      return loadOnnxModel(await binding, model, sessionOptions);
    },
  };
}

/** The backend for this runtime under the name both entries share; see {@link createOnnxWebBackend}. */
export const createOnnxBackend: (options?: OnnxWebBackendOptions) => OnnxInferenceBackend =
  createOnnxWebBackend;
