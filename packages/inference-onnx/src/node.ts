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

/** Options of {@link createOnnxNodeBackend}. */
export interface OnnxNodeBackendOptions {
  /**
   * Intra-op threads per session when `loadModel` is not given `threads`; default 1. Note that
   * onnxruntime-node 1.30 runs `run()` synchronously on the calling thread (inside a
   * `setImmediate`), so one process uses one core for inference whatever the number of
   * concurrent requests; more threads per session, or more processes, use more cores.
   */
  threads?: number;
  /** Default `'all'`; a model's `loadModel` options may override it. */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

const loadOrt = lazyRuntime('onnxruntime-node', () => import('onnxruntime-node'));

/**
 * The `InferenceBackend` over `onnxruntime-node` (native CPU execution provider). Runs are not
 * queued here; onnxruntime-node itself executes each `run()` synchronously on the main thread,
 * so concurrent runs take turns and block the event loop while they compute.
 *
 * `onnxruntime-node` is an optional peer dependency, imported on the first `loadModel`.
 *
 * @throws {InternalServerError} from `loadModel` when `onnxruntime-node` is missing or the bytes
 * are not a loadable model, and from `run` when the feeds or the model are wrong.
 */
export function createOnnxNodeBackend(options: OnnxNodeBackendOptions = {}): OnnxInferenceBackend {
  const defaultThreads = options.threads ?? 1;
  let binding: Promise<OrtBinding> | undefined;
  const getBinding = async (): Promise<OrtBinding> => {
    const ort = await loadOrt();
    return {
      runtime: 'onnxruntime-node',
      createSession: (model, { threads, graphOptimizationLevel }) =>
        ort.InferenceSession.create(model, {
          executionProviders: ['cpu'],
          graphOptimizationLevel: graphOptimizationLevel ?? options.graphOptimizationLevel ?? 'all',
          intraOpNumThreads: threads ?? defaultThreads,
          interOpNumThreads: 1,
          // Warnings are about how the model was exported, which a server cannot act on.
          logSeverityLevel: 3,
        }),
      toOrtTensor: (tensor) => new ort.Tensor('float32', tensor.data, tensor.dims),
      schedule: (task) => task(),
    };
  };
  return {
    specificationVersion: 'v1',
    name: 'onnxruntime-node',
    async loadModel(model, sessionOptions) {
      binding ??= getBinding().catch((error: unknown) => {
        binding = undefined;
        throw error;
      });
      return loadOnnxModel(await binding, model, sessionOptions);
    },
  };
}

/** The backend for this runtime under the name both entries share; see {@link createOnnxNodeBackend}. */
export const createOnnxBackend: (options?: OnnxNodeBackendOptions) => OnnxInferenceBackend =
  createOnnxNodeBackend;
