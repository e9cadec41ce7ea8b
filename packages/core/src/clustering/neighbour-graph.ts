/**
 * The k-nearest-neighbour graph of a set of unit vectors, restricted to cosines ≥ `minScore`:
 * what clustering works on. Row `i`'s neighbours are `neighbours[offsets[i]..offsets[i+1])`,
 * best first, with their cosines in `scores`.
 */
export interface NeighbourGraph {
  readonly offsets: Int32Array;
  readonly neighbours: Int32Array;
  readonly scores: Float32Array;
}

export interface NeighbourGraphOptions {
  /** Neighbours kept per row. */
  k: number;
  /** Lowest cosine kept. */
  minScore: number;
  /**
   * At or below this many rows every pair is scored (exact); above it, candidates come from an
   * inverted-file index over a PCA projection and are rescored exactly. Default 3000.
   */
  exactBelow?: number;
  /** Seed of the sampling in the approximate path. Default 1. */
  seed?: number;
}

// The approximate path's settings, chosen with `pnpm bench:people` on face-like vectors: a
// 48-d projection alone keeps ~98.6% of the clustering's recall at 10k; the inverted lists cost
// the rest, which two lists per row and 32 probes bring back to ~97.5% at 20k.
/** Dimensions of the projection candidates are found in. */
const REDUCED_DIM = 48;
/** Inverted lists probed per row. */
const PROBES = 32;
/** Inverted lists each row is filed in (its nearest ones): neighbours near a border are found. */
const COPIES = 2;

/**
 * Builds the graph: exactly for small sets (every pair scored, O(n²·dim)), approximately for
 * large ones. The approximate path projects the vectors on their first 48 principal components
 * (normalised again), clusters the projections into ~√(32n) inverted lists (k-means on a
 * sample), files each row in its 2 nearest lists, scores it against the rows of its 32 nearest
 * lists in the projection, and rescores the best `2k` candidates on the full vectors, so every
 * score returned is exact; only a neighbour the projection ranks low or files far away can be
 * missed (measured by `pnpm bench:people`).
 * @param vectors row-major unit vectors, `n × dim`.
 */
export function buildNeighbourGraph(
  vectors: Float32Array,
  dim: number,
  options: NeighbourGraphOptions,
): NeighbourGraph {
  const n = dim === 0 ? 0 : vectors.length / dim;
  const k = Math.max(1, Math.min(options.k, n - 1));
  if (n <= (options.exactBelow ?? 3000)) return exactGraph(vectors, n, dim, k, options.minScore);
  return approximateGraph(vectors, n, dim, k, options.minScore, options.seed ?? 1);
}

function exactGraph(
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  minScore: number,
): NeighbourGraph {
  const tops = Array.from({ length: n }, () => new TopK(k, true));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = dotRows(vectors, i * dim, vectors, j * dim, dim);
      if (s < minScore) continue;
      tops[i].push(j, s);
      tops[j].push(i, s);
    }
  }
  return fromTops(tops);
}

function approximateGraph(
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  minScore: number,
  seed: number,
): NeighbourGraph {
  const random = mulberry32(seed);
  const r = Math.min(REDUCED_DIM, dim);
  const basis = principalAxes(vectors, n, dim, r, random);
  const reduced = new Float32Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) {
      reduced[i * r + c] = dotRows(vectors, i * dim, basis, c * dim, dim);
    }
    normaliseRow(reduced, i * r, r);
  }
  const lists = Math.max(1, Math.min(Math.round(Math.sqrt(PROBES * n)), Math.floor(n / 8)));
  const centroids = kMeans(reduced, n, r, lists, random);
  const probes = Math.min(PROBES, lists);
  const copies = Math.min(COPIES, probes);
  // Each row's nearest lists; its first one is the row's own list.
  const nearest = new Int32Array(n * probes);
  const members: number[][] = Array.from({ length: lists }, () => []);
  const top = new TopK(probes);
  for (let i = 0; i < n; i++) {
    top.clear();
    for (let c = 0; c < lists; c++)
      top.push(c, -squaredDistance(reduced, i * r, centroids, c * r, r));
    const ids = top.sortedIds();
    nearest.set(ids, i * probes);
    for (let c = 0; c < copies; c++) members[ids[c]].push(i);
  }
  const tops = Array.from({ length: n }, () => new TopK(k, true));
  const candidates = new TopK(2 * k);
  // The row a candidate was last scored for: a row filed in two probed lists is scored once.
  const scoredFor = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    candidates.clear();
    scoredFor[i] = i;
    for (let p = 0; p < probes; p++) {
      for (const j of members[nearest[i * probes + p]]) {
        if (scoredFor[j] === i) continue;
        scoredFor[j] = i;
        candidates.push(j, dotRows(reduced, i * r, reduced, j * r, r));
      }
    }
    for (const j of candidates.sortedIds()) {
      const s = dotRows(vectors, i * dim, vectors, j * dim, dim);
      if (s < minScore) continue;
      // Both directions: a pair found from one side is a neighbour of the other as well.
      tops[i].push(j, s);
      tops[j].push(i, s);
    }
  }
  return fromTops(tops);
}

/** The `r` leading principal axes (unit rows of `dim`), by orthogonal iteration on a sample. */
function principalAxes(
  vectors: Float32Array,
  n: number,
  dim: number,
  r: number,
  random: () => number,
): Float32Array {
  const sample = sampleRows(n, Math.min(n, 1500), random);
  const mean = new Float64Array(dim);
  for (const i of sample) for (let j = 0; j < dim; j++) mean[j] += vectors[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= sample.length;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (const i of sample) {
    for (let j = 0; j < dim; j++) centred[j] = vectors[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const x = centred[a];
      const row = a * dim;
      for (let b = a; b < dim; b++) covariance[row + b] += x * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < a; b++) covariance[a * dim + b] = covariance[b * dim + a];
  }
  let q = new Float64Array(r * dim).map(() => random() - 0.5);
  orthonormalise(q, r, dim);
  for (let iteration = 0; iteration < 12; iteration++) {
    const next = new Float64Array(r * dim);
    for (let c = 0; c < r; c++) {
      for (let a = 0; a < dim; a++) {
        let s = 0;
        const row = a * dim;
        for (let b = 0; b < dim; b++) s += covariance[row + b] * q[c * dim + b];
        next[c * dim + a] = s;
      }
    }
    orthonormalise(next, r, dim);
    q = next;
  }
  return Float32Array.from(q);
}

function normaliseRow(rows: Float32Array, offset: number, dim: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += rows[offset + j] ** 2;
  const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < dim; j++) rows[offset + j] *= scale;
}

function orthonormalise(rows: Float64Array, r: number, dim: number): void {
  for (let c = 0; c < r; c++) {
    for (let p = 0; p < c; p++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += rows[c * dim + j] * rows[p * dim + j];
      for (let j = 0; j < dim; j++) rows[c * dim + j] -= s * rows[p * dim + j];
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += rows[c * dim + j] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) rows[c * dim + j] *= scale;
  }
}

/** `lists` centroids of the rows of `points` (Lloyd's iterations on a sample). */
function kMeans(
  points: Float32Array,
  n: number,
  dim: number,
  lists: number,
  random: () => number,
): Float32Array {
  const sample = sampleRows(n, Math.min(n, lists * 6), random);
  const centroids = new Float32Array(lists * dim);
  for (let c = 0; c < lists; c++) {
    centroids.set(points.subarray(sample[c] * dim, sample[c] * dim + dim), c * dim);
  }
  const sums = new Float64Array(lists * dim);
  const counts = new Int32Array(lists);
  for (let iteration = 0; iteration < 3; iteration++) {
    sums.fill(0);
    counts.fill(0);
    for (const i of sample) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < lists; c++) {
        const d = squaredDistance(points, i * dim, centroids, c * dim, dim);
        if (d < bestDistance) [best, bestDistance] = [c, d];
      }
      counts[best]++;
      for (let j = 0; j < dim; j++) sums[best * dim + j] += points[i * dim + j];
    }
    for (let c = 0; c < lists; c++) {
      // An empty list keeps its centroid: it costs a probe, not a wrong answer.
      if (counts[c] === 0) continue;
      for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j] / counts[c];
    }
  }
  return centroids;
}

function sampleRows(n: number, size: number, random: () => number): number[] {
  const rows = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows.slice(0, size);
}

function fromTops(tops: readonly TopK[]): NeighbourGraph {
  const offsets = new Int32Array(tops.length + 1);
  for (let i = 0; i < tops.length; i++) offsets[i + 1] = offsets[i] + tops[i].size;
  const neighbours = new Int32Array(offsets[tops.length]);
  const scores = new Float32Array(offsets[tops.length]);
  for (let i = 0; i < tops.length; i++) tops[i].writeSorted(neighbours, scores, offsets[i]);
  return { offsets, neighbours, scores };
}

export function dotRows(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += a[aOffset + j] * b[bOffset + j];
    s1 += a[aOffset + j + 1] * b[bOffset + j + 1];
    s2 += a[aOffset + j + 2] * b[bOffset + j + 2];
    s3 += a[aOffset + j + 3] * b[bOffset + j + 3];
  }
  for (; j < dim; j++) s0 += a[aOffset + j] * b[bOffset + j];
  return s0 + s1 + s2 + s3;
}

function squaredDistance(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  dim: number,
): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const d = a[aOffset + j] - b[bOffset + j];
    s += d * d;
  }
  return s;
}

/**
 * The `k` best (id, score) pairs pushed, kept in a min-heap. With `repeats`, a repeated id keeps
 * one entry (checked on every accepted push); without, the caller pushes each id once.
 */
class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float32Array;
  size = 0;

  constructor(
    private readonly k: number,
    private readonly repeats = false,
  ) {
    this.ids = new Int32Array(k);
    this.scores = new Float32Array(k);
  }

  clear(): void {
    this.size = 0;
  }

  push(id: number, score: number): void {
    const { ids, scores } = this;
    if (this.size === this.k && score <= scores[0]) return;
    if (this.repeats) for (let i = 0; i < this.size; i++) if (ids[i] === id) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[parent] <= score) break;
        ids[i] = ids[parent];
        scores[i] = scores[parent];
        i = parent;
      }
      ids[i] = id;
      scores[i] = score;
      return;
    }
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && scores[right] < scores[left] ? right : left;
      if (scores[child] >= score) break;
      ids[i] = ids[child];
      scores[i] = scores[child];
      i = child;
    }
    ids[i] = id;
    scores[i] = score;
  }

  /** Ids best first. */
  sortedIds(): Int32Array {
    const order = this.order();
    return Int32Array.from(order, (i) => this.ids[i]);
  }

  writeSorted(ids: Int32Array, scores: Float32Array, offset: number): void {
    this.order().forEach((i, rank) => {
      ids[offset + rank] = this.ids[i];
      scores[offset + rank] = this.scores[i];
    });
  }

  private order(): number[] {
    return Array.from({ length: this.size }, (_, i) => i).sort(
      (a, b) => this.scores[b] - this.scores[a] || this.ids[a] - this.ids[b],
    );
  }
}

/** A small seeded generator, so the approximate graph is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
