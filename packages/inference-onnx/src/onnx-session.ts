import {
  type InferenceBackend,
  type InferenceSession,
  InternalServerError,
  type SessionOptions,
  type Tensor,
} from '@facekit/core';
import { errorMessage } from './load-runtime.js';
import { zeroTinyWeights } from './zero-tiny-weights.js';

/** Per-model options of both backends. */
export interface OnnxSessionOptions extends SessionOptions {
  /**
   * A name for the model in error messages, e.g. its manifest id. Without it, models are named
   * by the first 12 hex digits of their sha256, which matches `models/manifest.json`.
   */
  name?: string;
  /** Overrides the backend's {@link GraphOptimizationLevel} for this model. */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

/**
 * How much ONNX Runtime rewrites the graph when it loads a model. `'all'` adds layout changes
 * (NCHWc on x86) to `'extended'`'s fusions: usually faster, but not always. Measured here with
 * onnxruntime-node 1.30 on one thread: faceplugin's detector 5.9 → 2.1 ms, its MobileFaceNet-style
 * embedding 17 → 58 ms. Worth measuring per model.
 */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** An `InferenceBackend` whose `loadModel` also takes a model name for error messages. */
export interface OnnxInferenceBackend extends InferenceBackend {
  loadModel(model: Uint8Array, options?: OnnxSessionOptions): Promise<InferenceSession>;
}

/** The structural slice of an `onnxruntime-*` tensor this package uses (no ORT types leak out). */
export interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

/** The structural slice of an `onnxruntime-*` `InferenceSession` this package uses. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** What each entry supplies: how to reach its runtime, and how calls into it are scheduled. */
export interface OrtBinding {
  /** `onnxruntime-node` or `onnxruntime-web`, used in messages. */
  readonly runtime: string;
  createSession(model: Uint8Array, options: OnnxSessionOptions): Promise<OrtSessionLike>;
  toOrtTensor(tensor: Tensor): OrtTensorLike;
  /** Runs a call into the runtime; the web binding queues them, the node one runs them directly. */
  schedule<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * Creates a session through `binding` and wraps it in the core's `InferenceSession`: our float32
 * tensors in, fresh copies out, every runtime error an `InternalServerError` naming the model.
 *
 * @throws {InternalServerError} when the bytes are not a model the runtime can load.
 */
export async function loadOnnxModel(
  binding: OrtBinding,
  model: Uint8Array,
  options: OnnxSessionOptions = {},
): Promise<InferenceSession> {
  const label = await modelLabel(model, options.name);
  let session: OrtSessionLike;
  try {
    const below = options.zeroWeightsBelow;
    const bytes = below !== undefined && below > 0 ? zeroTinyWeights(model, below).bytes : model;
    session = await binding.schedule(() => binding.createSession(bytes, options));
  } catch (cause) {
    throw new InternalServerError(
      `${binding.runtime} could not load model ${label} (${model.byteLength} bytes): ${errorMessage(cause)}`,
      { cause },
    );
  }
  return new OnnxSession(binding, session, label);
}

class OnnxSession implements InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #binding: OrtBinding;
  readonly #session: OrtSessionLike;
  readonly #label: string;
  readonly #inFlight = new Set<Promise<unknown>>();
  #released: Promise<void> | undefined;

  constructor(binding: OrtBinding, session: OrtSessionLike, label: string) {
    this.#binding = binding;
    this.#session = session;
    this.#label = label;
    this.inputNames = Object.freeze([...session.inputNames]);
    this.outputNames = Object.freeze([...session.outputNames]);
  }

  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const run = this.#run(feeds);
    const settled = run.catch(() => undefined);
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    return run;
  }

  async #run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    if (this.#released) {
      throw new InternalServerError(
        `${this.#binding.runtime}: model ${this.#label} was released and cannot run.`,
      );
    }
    this.#checkFeedNames(feeds);
    const binding = this.#binding;
    try {
      return await binding.schedule(async () => {
        const ortFeeds: Record<string, OrtTensorLike> = {};
        try {
          for (const name of this.inputNames) ortFeeds[name] = binding.toOrtTensor(feeds[name]);
          const results = await this.#session.run(ortFeeds);
          const outputs: Record<string, Tensor> = {};
          for (const [name, value] of Object.entries(results)) {
            outputs[name] = copyTensor(name, value);
            value.dispose?.();
          }
          return outputs;
        } finally {
          for (const value of Object.values(ortFeeds)) value.dispose?.();
        }
      });
    } catch (cause) {
      throw new InternalServerError(
        `${binding.runtime} failed to run model ${this.#label}: ${errorMessage(cause)}`,
        { cause },
      );
    }
  }

  #checkFeedNames(feeds: Readonly<Record<string, Tensor>>): void {
    const given = Object.keys(feeds);
    const missing = this.inputNames.filter((name) => feeds[name] === undefined);
    const unknown = given.filter((name) => !this.inputNames.includes(name));
    if (missing.length > 0 || unknown.length > 0) {
      throw new InternalServerError(
        `${this.#binding.runtime}: model ${this.#label} takes inputs ${list(this.inputNames)}, got ${list(given)}.`,
      );
    }
  }

  /** Waits for runs already started, then frees the session. Later calls are no-ops. */
  release(): Promise<void> {
    this.#released ??= (async () => {
      await Promise.all(this.#inFlight);
      try {
        await this.#binding.schedule(() => this.#session.release());
      } catch (cause) {
        throw new InternalServerError(
          `${this.#binding.runtime} failed to release model ${this.#label}: ${errorMessage(cause)}`,
          { cause },
        );
      }
    })();
    return this.#released;
  }
}

/** Copies an output into a fresh `Float32Array`: runtimes may reuse or free their buffers. */
function copyTensor(name: string, value: OrtTensorLike): Tensor {
  const dims = Object.freeze([...value.dims]);
  const { data, type } = value;
  if (data instanceof Float32Array) return { data: new Float32Array(data), dims };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return { data: Float32Array.from(data, Number), dims };
  }
  // float16 arrives as raw bits in a Uint16Array, which must not be read as numbers.
  if (type !== 'float16' && ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    return { data: Float32Array.from(data as unknown as ArrayLike<number>), dims };
  }
  throw new Error(`output "${name}" has type ${type}, which has no float32 form`);
}

async function modelLabel(model: Uint8Array, name: string | undefined): Promise<string> {
  if (name !== undefined) return `"${name}"`;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return 'without name';
  const digest = new Uint8Array(await subtle.digest('SHA-256', model as Uint8Array<ArrayBuffer>));
  const hex = Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join('');
  return `sha256:${hex}…`;
}

function list(names: readonly string[]): string {
  return `[${names.map((n) => `"${n}"`).join(', ')}]`;
}
