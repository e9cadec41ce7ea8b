/** Inner product of two equal-length vectors (cosine similarity when both are unit length). */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** A unit-length copy of `v`; a zero vector stays zero. */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let sumSquares = 0;
  for (let i = 0; i < v.length; i++) sumSquares += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (sumSquares === 0) return out;
  const scale = 1 / Math.sqrt(sumSquares);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale;
  return out;
}

/** The L2-normalised mean of unit vectors: how a user's vector is formed from its faces. */
export function centroid(vectors: readonly Float32Array[]): Float32Array | undefined {
  if (vectors.length === 0) return undefined;
  const sum = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < sum.length; i++) sum[i] += v[i];
  return l2Normalize(sum);
}
