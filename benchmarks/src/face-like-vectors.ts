import { seededRandom } from '@facekit/conformance/storage';

/**
 * Parameters of the face-like vector generator. A vector is
 * `normalise(√meanShare·m + √identityShare·c + √noiseShare·e·n)`: `m` one fixed "mean face"
 * direction shared by everyone (real embeddings of different people are not orthogonal), `c` the
 * identity's direction, `n` this photo's own direction, `e` a per-photo noise scale (pose, light,
 * age vary). `c` and `n` are Gaussians whose per-coordinate variance falls off as a power law, so
 * two random identities spread like real ones do (an effective dimension far below 512).
 */
export interface FaceLikeParameters {
  meanShare: number;
  identityShare: number;
  noiseShare: number;
  /** Exponent of the per-coordinate variance `(j + 1)^-spectrum`. */
  spectrum: number;
  /** Standard deviation of `log e`. */
  noiseSpread: number;
  /** Photos per identity: 1 + a geometric count with this mean. */
  extraPhotosPerIdentity: number;
}

/**
 * Fitted by hand to `pnpm bench:face-cosines` (the default pipeline on the labelled photos of
 * ../shared/datasets), which prints both distributions side by side.
 */
export const FACE_LIKE: FaceLikeParameters = {
  meanShare: 0.01,
  identityShare: 0.72,
  noiseShare: 0.27,
  spectrum: 0.8,
  noiseSpread: 0.3,
  extraPhotosPerIdentity: 3,
};

/** Draws face-like vectors: consecutive rows belong to one identity until it runs out of photos. */
export class FaceLikeVectors {
  private readonly random: () => number;
  private readonly scale: Float32Array;
  private readonly mean: Float32Array;
  private readonly identity: Float32Array;
  private identityId = -1;
  private photosLeft = 0;

  constructor(
    readonly dim: number,
    seed: number,
    private readonly p: FaceLikeParameters = FACE_LIKE,
  ) {
    this.random = seededRandom(seed);
    this.scale = new Float32Array(dim);
    for (let j = 0; j < dim; j++) this.scale[j] = (j + 1) ** (-p.spectrum / 2);
    // The same mean face for every seed: data and queries come from one "population".
    const meanRandom = seededRandom(12345);
    this.mean = new Float32Array(dim);
    for (let j = 0; j < dim; j++) this.mean[j] = gaussian(meanRandom);
    normalise(this.mean, 0, dim);
    this.identity = new Float32Array(dim);
  }

  /** The identity of the row written last (0, 1, 2, …). */
  get lastIdentity(): number {
    return this.identityId;
  }

  /** Starts a new identity even if the current one has photos left. */
  newIdentity(): void {
    this.photosLeft = 0;
  }

  /** Writes one unit vector at `out[offset..offset+dim)`. */
  next(out: Float32Array, offset: number): void {
    const { dim, p, scale, random } = this;
    if (this.photosLeft === 0) {
      this.identityId++;
      this.photosLeft = 1 + geometric(random, p.extraPhotosPerIdentity);
      for (let j = 0; j < dim; j++) this.identity[j] = gaussian(random) * scale[j];
      normalise(this.identity, 0, dim);
    }
    this.photosLeft--;
    const noise = Math.exp(p.noiseSpread * gaussian(random));
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = gaussian(random) * scale[j];
      out[offset + j] = x;
      norm += x * x;
    }
    const n = (Math.sqrt(p.noiseShare) * noise) / Math.sqrt(norm);
    const m = Math.sqrt(p.meanShare);
    const c = Math.sqrt(p.identityShare);
    for (let j = 0; j < dim; j++) {
      out[offset + j] = m * this.mean[j] + c * this.identity[j] + n * out[offset + j];
    }
    normalise(out, offset, dim);
  }

  /** `count` rows in one row-major array. */
  take(count: number): Float32Array {
    const out = new Float32Array(count * this.dim);
    for (let row = 0; row < count; row++) this.next(out, row * this.dim);
    return out;
  }
}

/**
 * Queries for face-like data: a new photo of a stored identity (a row chosen at random, the query
 * drawn around the same identity direction) is what SearchFaces mostly sees; here every query
 * is a fresh photo of an identity whose other photos are stored, so the top hits are that
 * person's photos and then the population's nearest strangers.
 */
export function faceLikeQueries(
  data: Float32Array,
  dim: number,
  count: number,
  seed: number,
): Float32Array {
  const random = seededRandom(seed);
  const rows = data.length / dim;
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = Math.floor(random() * rows);
    // Another photo of that person: the stored vector plus noise of the size the generator uses.
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = gaussian(random) * (j + 1) ** (-FACE_LIKE.spectrum / 2);
      out[i * dim + j] = x;
      norm += x * x;
    }
    const n = Math.sqrt(FACE_LIKE.noiseShare) / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) {
      out[i * dim + j] = data[row * dim + j] + n * out[i * dim + j];
    }
    normalise(out, i * dim, dim);
  }
  return out;
}

export interface CosineSummary {
  count: number;
  mean: number;
  std: number;
  p5: number;
  p50: number;
  p95: number;
}

export function summarizeCosines(values: readonly number[]): CosineSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  const mean = sorted.reduce((s, x) => s + x, 0) / count;
  const std = Math.sqrt(sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / count);
  const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))];
  return { count, mean, std, p5: at(0.05), p50: at(0.5), p95: at(0.95) };
}

/** Same-identity and different-identity cosines of `pairs` generated pairs each. */
export function faceLikePairCosines(
  pairs: number,
  dim: number,
  seed: number,
  p: FaceLikeParameters = FACE_LIKE,
): { same: CosineSummary; different: CosineSummary } {
  const gen = new FaceLikeVectors(dim, seed, { ...p, extraPhotosPerIdentity: 1e9 });
  const a = new Float32Array(dim);
  const b = new Float32Array(dim);
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < pairs; i++) {
    gen.newIdentity();
    gen.next(a, 0);
    gen.next(b, 0);
    same.push(dotAt(a, b, dim));
    gen.newIdentity();
    gen.next(b, 0);
    different.push(dotAt(a, b, dim));
  }
  return { same: summarizeCosines(same), different: summarizeCosines(different) };
}

function dotAt(a: Float32Array, b: Float32Array, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[j] * b[j];
  return s;
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Failures before a success, mean `mean`. */
function geometric(random: () => number, mean: number): number {
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - random()) / Math.log(1 - p));
}

function normalise(v: Float32Array, offset: number, dim: number): void {
  let sum = 0;
  for (let j = offset; j < offset + dim; j++) sum += v[j] * v[j];
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let j = offset; j < offset + dim; j++) v[j] *= scale;
}
