/**
 * The inference seam, as in transformers.js: the core runs neural networks only through this
 * interface, so onnxruntime-node, onnxruntime-web or anything else can sit behind it and no
 * runtime's types leak into the core.
 */
export interface InferenceBackend {
  readonly specificationVersion: 'v1';
  /** e.g. `onnxruntime-node`, `onnxruntime-web`. */
  readonly name: string;
  /** Creates a session from an ONNX model's bytes (already verified against its manifest). */
  loadModel(model: Uint8Array, options?: SessionOptions): Promise<InferenceSession>;
}

export interface SessionOptions {
  /** Intra-op threads; default 1, so concurrent requests scale across cores instead. */
  threads?: number;
  /** A name for the model in error messages, e.g. its manifest id. */
  name?: string;
  /**
   * How much the runtime may rewrite the graph when loading. Usually `all` is fastest, but not
   * always (measure per model); backends without such levels ignore it.
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Float weights smaller in magnitude than this are made exactly 0 before the session is created
   * (the model's bytes are verified before, and left as they are). Such weights add nothing to
   * any output but make activations subnormal, on which x86 CPUs are many times slower; measure
   * per model. Default: every weight as it is. Backends that cannot rewrite weights ignore it.
   */
  zeroWeightsBelow?: number;
}

export interface InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model. Implementations may serialise calls; callers may call concurrently. */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/** A dense float32 tensor, row-major. */
export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
