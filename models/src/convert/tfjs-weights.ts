import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** One entry of a TF.js `weights_manifest.json` group. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /**
   * Present when the stored values are quantised. For `uint8`/`uint16` a stored value `q`
   * stands for `q * scale + min`; `float16` stores IEEE half floats.
   */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** A group of a TF.js weights manifest: its weights lie back to back across `paths`. */
export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** A weight, dequantised to float32, row-major in its TF.js shape (filters are HWIO). */
export interface TfjsWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Decodes one manifest group from its shards' bytes, concatenated in `paths` order.
 * Dequantisation computes `q * scale + min` in double precision and rounds once to float32,
 * exactly as TF.js's `io.decodeWeights` does, so the weights match what TF.js runs bit for bit.
 * @throws {Error} on a dtype other than float32, an unknown quantisation, or a size mismatch.
 */
export function decodeTfjsWeights(
  weights: readonly TfjsWeightSpec[],
  bytes: Uint8Array,
): Map<string, TfjsWeight> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, TfjsWeight>();
  let offset = 0;
  for (const spec of weights) {
    if (spec.dtype !== 'float32') {
      throw new Error(`TF.js weight ${spec.name}: dtype ${spec.dtype} is not supported`);
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    const width = q === undefined ? 4 : q.dtype === 'uint8' ? 1 : 2;
    if (offset + count * width > bytes.byteLength) {
      throw new Error(`TF.js weight ${spec.name}: shards end before its ${count} values`);
    }
    const data = new Float32Array(count);
    if (q === undefined) {
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + i * 4, true);
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      if (q.scale === undefined || q.min === undefined) {
        throw new Error(`TF.js weight ${spec.name}: ${q.dtype} quantisation without scale/min`);
      }
      const { scale, min } = q;
      for (let i = 0; i < count; i++) {
        const stored =
          q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + i * 2, true);
        data[i] = stored * scale + min;
      }
    } else if (q.dtype === 'float16') {
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(offset + i * 2, true));
    } else {
      throw new Error(`TF.js weight ${spec.name}: quantisation ${String(q.dtype)} is unknown`);
    }
    offset += count * width;
    out.set(spec.name, { name: spec.name, shape: [...spec.shape], data });
  }
  if (offset !== bytes.byteLength) {
    throw new Error(`TF.js weights: ${bytes.byteLength - offset} bytes left after the last weight`);
  }
  return out;
}

/** Reads a file by its path (relative to a package root, `/`-separated). */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/**
 * Loads a TF.js weights manifest and its shards through `read` (for instance from a pinned npm
 * package), shard paths being relative to the manifest's folder; see {@link decodeTfjsWeights}.
 * @throws {Error} when a shard is missing, a name repeats, or decoding fails.
 */
export async function loadTfjsWeights(
  manifestPath: string,
  read: ReadFile,
): Promise<Map<string, TfjsWeight>> {
  const manifest = new TextDecoder().decode(await read(manifestPath));
  const dir = posix.dirname(manifestPath);
  const shards = new Map<string, Uint8Array>();
  for (const group of parseManifest(manifest, manifestPath)) {
    for (const path of group.paths) shards.set(path, await read(posix.join(dir, path)));
  }
  return decodeManifest(manifest, manifestPath, (path) => shards.get(path) as Uint8Array);
}

/**
 * Reads a TF.js weights manifest and its shard files (found next to it) from disk and decodes
 * every group; see {@link decodeTfjsWeights}.
 * @throws {Error} when a shard is missing, a name repeats, or decoding fails.
 */
export function readTfjsWeights(manifestPath: string): Map<string, TfjsWeight> {
  const dir = dirname(manifestPath);
  return decodeManifest(readFileSync(manifestPath, 'utf8'), manifestPath, (path) =>
    readFileSync(join(dir, path)),
  );
}

function parseManifest(json: string, manifestPath: string): TfjsWeightsGroup[] {
  const groups = JSON.parse(json) as TfjsWeightsGroup[];
  if (!Array.isArray(groups)) throw new Error(`${manifestPath} is not a TF.js weights manifest`);
  return groups;
}

function decodeManifest(
  json: string,
  manifestPath: string,
  shard: (path: string) => Uint8Array,
): Map<string, TfjsWeight> {
  const all = new Map<string, TfjsWeight>();
  for (const group of parseManifest(json, manifestPath)) {
    const shards = group.paths.map(shard);
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
    let at = 0;
    for (const part of shards) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    for (const [name, weight] of decodeTfjsWeights(group.weights, bytes)) {
      if (all.has(name)) throw new Error(`TF.js weights: ${name} appears twice in ${manifestPath}`);
      all.set(name, weight);
    }
  }
  return all;
}

/** IEEE 754 binary16 → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
