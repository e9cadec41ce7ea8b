import { decodeVectorInto, type FaceVectorSource, type VectorHit } from '@facekit/storage-sqlite';

/** Scales `v[offset..offset+dim)` to unit length in place (a zero vector stays zero). */
export function normalizeInPlace(v: Float32Array, offset: number, dim: number): void {
  let sum = 0;
  for (let i = offset; i < offset + dim; i++) sum += v[i] * v[i];
  if (sum === 0) return;
  const scale = 1 / Math.sqrt(sum);
  for (let i = offset; i < offset + dim; i++) v[i] *= scale;
}

export function normalized(v: Float32Array): Float32Array {
  const copy = Float32Array.from(v);
  normalizeInPlace(copy, 0, copy.length);
  return copy;
}

/**
 * Writes `v[offset..offset+dim)` as int8 at `out[outOffset..)`, scaled so that its largest
 * component is ±127. Each row gets its own scale, which cosine ignores: unit 512-d face vectors
 * have components of about ±0.05, so a fixed scale (x·127) would keep only a few levels.
 */
export function quantizeInto(
  v: Float32Array,
  offset: number,
  dim: number,
  out: Int8Array,
  outOffset: number,
): void {
  let max = 0;
  for (let i = offset; i < offset + dim; i++) max = Math.max(max, Math.abs(v[i]));
  const scale = max > 0 ? 127 / max : 0;
  for (let i = 0; i < dim; i++) out[outOffset + i] = Math.round(v[offset + i] * scale);
}

export function quantized(v: Float32Array): Int8Array {
  const out = new Int8Array(v.length);
  quantizeInto(v, 0, v.length, out, 0);
  return out;
}

/**
 * Scores candidate seqs exactly (cosine of the unit `query` with the stored float32 vector, read
 * from the database in the caller's transaction), drops those the database no longer has,
 * those in `excluded` and those below `floor`, and returns them best first, ties by lower seq.
 */
export function rescore(
  source: FaceVectorSource,
  query: Float32Array,
  candidates: Iterable<number>,
  floor: number,
  excluded: ReadonlySet<number>,
  scratch: Float32Array,
): VectorHit[] {
  const hits: VectorHit[] = [];
  const dim = query.length;
  for (const seq of candidates) {
    if (excluded.has(seq)) continue;
    const blob = source.vector(seq);
    if (!blob || blob.byteLength !== dim * 4) continue;
    decodeVectorInto(blob, scratch, 0);
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      dot += query[j] * scratch[j];
      norm += scratch[j] * scratch[j];
    }
    const score = norm > 0 ? dot / Math.sqrt(norm) : 0;
    if (score >= floor) hits.push({ seq, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.seq - b.seq);
}
