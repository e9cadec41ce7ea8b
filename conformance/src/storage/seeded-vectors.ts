import { l2Normalize } from '@facekit/core/vector';

/** mulberry32: a tiny seeded PRNG, so every run of the suite sees the same vectors. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Unit vectors drawn uniformly from the sphere (normalised Gaussians), like face embeddings. */
export function randomUnitVectors(count: number, dimensions: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const gaussian = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return Array.from({ length: count }, () =>
    l2Normalize(Array.from({ length: dimensions }, gaussian)),
  );
}

/** A unit vector at cosine ≈ `similarity` from `base` (a "same person" embedding). */
export function nearbyUnitVector(
  base: Float32Array,
  similarity: number,
  seed: number,
): Float32Array {
  const [noise] = randomUnitVectors(1, base.length, seed);
  // Remove noise's component along base, then mix: cos(result, base) = similarity exactly.
  let along = 0;
  for (let i = 0; i < base.length; i++) along += noise[i] * base[i];
  const orthogonal = l2Normalize(noise.map((n, i) => n - along * base[i]));
  const sine = Math.sqrt(1 - similarity * similarity);
  return l2Normalize(base.map((b, i) => similarity * b + sine * orthogonal[i]));
}
