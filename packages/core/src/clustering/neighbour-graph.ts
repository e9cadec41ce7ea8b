import { BestPerRow } from './best-per-row.js';
import { dotProducts, dotRows } from './dot-products.js';

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

// The approximate path's settings, chosen with `pnpm bench:people` on 30,000 face-like vectors
// (BCubed recall at Similarity 85; 0.9971 over the exact graph): 48-d, 32 probes and 2k
// candidates 0.9739; 64-d 0.9810; 96-d 0.9853; 96-d, 48 probes and 3k candidates 0.9895 for
// 1.9× the CPU time of the first, precision 0.996–0.997 in all.
/** Dimensions of the projection candidates are found in. */
const REDUCED_DIM = 96;
/** Inverted lists probed per row. */
const PROBES = 48;
/** Inverted lists each row is filed in (its nearest ones): neighbours near a border are found. */
const COPIES = 2;
/** Candidates rescored on the full vectors per neighbour kept. */
const CANDIDATES_PER_NEIGHBOUR = 3;
/** Rows multiplied at once in the blocked products (their results fit in the L2 cache). */
const BLOCK = 128;

/**
 * Builds the graph: exactly for small sets (every pair scored, O(n²·dim)), approximately for
 * large ones. The approximate path projects the vectors on their first 96 principal components
 * (normalised again), clusters the projections into ~√(48n) inverted lists (k-means on a
 * sample), files each row in its 2 nearest lists, scores it against the rows of its 48 nearest
 * lists in the projection, and rescores the best `3k` candidates on the full vectors, so every
 * score returned is exact; only a neighbour the projection ranks low or files far away can be
 * missed (measured by `pnpm bench:people`). Scoring goes list by list, as one blocked matrix
 * product of the rows probing a list with the rows filed in it.
 * @param vectors row-major unit vectors, `n × dim`.
 */
export function buildNeighbourGraph(
  vectors: Float32Array,
  dim: number,
  options: NeighbourGraphOptions,
): NeighbourGraph {
  const n = dim === 0 ? 0 : vectors.length / dim;
  const k = Math.max(1, Math.min(options.k, n - 1));
  const graph = new GraphRows(n, k, options.minScore);
  if (n <= (options.exactBelow ?? 3000)) scoreAllPairs(vectors, n, dim, graph);
  else scoreCandidatePairs(vectors, n, dim, CANDIDATES_PER_NEIGHBOUR * k, options.seed ?? 1, graph);
  return graph.toGraph();
}

/** The graph being built: each row's `k` best neighbours at or above `minScore`. */
class GraphRows {
  private readonly best: BestPerRow;

  constructor(
    private readonly n: number,
    k: number,
    private readonly minScore: number,
  ) {
    this.best = new BestPerRow(n, k);
  }

  /** A scored pair: a neighbour of each other, if close enough. */
  offer(i: number, j: number, score: number): void {
    if (score < this.minScore) return;
    this.best.push(i, j, score);
    this.best.push(j, i, score);
  }

  toGraph(): NeighbourGraph {
    const offsets = new Int32Array(this.n + 1);
    for (let i = 0; i < this.n; i++) offsets[i + 1] = offsets[i] + this.best.sizes[i];
    const neighbours = new Int32Array(offsets[this.n]);
    const scores = new Float32Array(offsets[this.n]);
    for (let i = 0; i < this.n; i++) this.best.writeSorted(i, neighbours, scores, offsets[i]);
    return { offsets, neighbours, scores };
  }
}

function scoreAllPairs(vectors: Float32Array, n: number, dim: number, graph: GraphRows): void {
  const products = new Float32Array(BLOCK * BLOCK);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const iCount = Math.min(BLOCK, n - i0);
    for (let j0 = i0; j0 < n; j0 += BLOCK) {
      const jCount = Math.min(BLOCK, n - j0);
      dotProducts(vectors, i0, iCount, vectors, j0, jCount, dim, products);
      for (let x = 0; x < iCount; x++) {
        for (let y = j0 === i0 ? x + 1 : 0; y < jCount; y++) {
          graph.offer(i0 + x, j0 + y, products[x * jCount + y]);
        }
      }
    }
  }
}

function scoreCandidatePairs(
  vectors: Float32Array,
  n: number,
  dim: number,
  perRow: number,
  seed: number,
  graph: GraphRows,
): void {
  const random = mulberry32(seed);
  const r = Math.min(REDUCED_DIM, dim);
  const basis = principalAxes(vectors, n, dim, r, random);
  const reduced = new Float32Array(n * r);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const count = Math.min(BLOCK, n - i0);
    dotProducts(vectors, i0, count, basis, 0, r, dim, reduced.subarray(i0 * r));
    for (let i = i0; i < i0 + count; i++) normaliseRow(reduced, i * r, r);
  }
  const lists = Math.max(1, Math.min(Math.round(Math.sqrt(PROBES * n)), Math.floor(n / 8)));
  const centroids = kMeans(reduced, n, r, lists, random);
  const probes = Math.min(PROBES, lists);
  const nearest = nearestLists(reduced, n, r, centroids, lists, probes);
  const candidates = candidatesByList(reduced, n, r, nearest, lists, probes, perRow);
  const ids = new Int32Array(perRow);
  const scores = new Float32Array(perRow);
  for (let i = 0; i < n; i++) {
    const count = candidates.writeSorted(i, ids, scores, 0);
    for (let c = 0; c < count; c++) {
      const j = ids[c];
      // Row j was rescored first and offered this pair both ways already.
      if (j < i && candidates.has(j, i)) continue;
      graph.offer(i, j, dotRows(vectors, i * dim, vectors, j * dim, dim));
    }
  }
}

/** Each row's `probes` nearest lists (centroids), nearest first: `n × probes`. */
function nearestLists(
  reduced: Float32Array,
  n: number,
  r: number,
  centroids: Float32Array,
  lists: number,
  probes: number,
): Int32Array {
  // Nearest centroid = highest x·c − |c|²/2, one product per pair.
  const halfNorms = new Float32Array(lists);
  for (let c = 0; c < lists; c++) halfNorms[c] = dotRows(centroids, c * r, centroids, c * r, r) / 2;
  const nearest = new Int32Array(n * probes);
  const products = new Float32Array(BLOCK * lists);
  const best = new BestPerRow(1, probes);
  const ids = new Int32Array(probes);
  const scores = new Float32Array(probes);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const count = Math.min(BLOCK, n - i0);
    dotProducts(reduced, i0, count, centroids, 0, lists, r, products);
    for (let x = 0; x < count; x++) {
      best.clear(0);
      for (let c = 0; c < lists; c++) best.push(0, c, products[x * lists + c] - halfNorms[c]);
      best.writeSorted(0, ids, scores, 0);
      nearest.set(ids, (i0 + x) * probes);
    }
  }
  return nearest;
}

/**
 * The best `perRow` candidates of every row by their projections' cosine, among the rows filed
 * in (the first `COPIES` of their nearest lists) the row's `probes` nearest lists.
 */
function candidatesByList(
  reduced: Float32Array,
  n: number,
  r: number,
  nearest: Int32Array,
  lists: number,
  probes: number,
  perRow: number,
): BestPerRow {
  const copies = Math.min(COPIES, probes);
  const filed = invertLists(nearest, n, probes, copies, lists);
  const probing = invertLists(nearest, n, probes, probes, lists);
  // The rows filed in each list, gathered in list order: each list's block is contiguous.
  const filedVectors = new Float32Array(filed.rows.length * r);
  filed.rows.forEach((row, e) => {
    filedVectors.set(reduced.subarray(row * r, row * r + r), e * r);
  });
  let longest = 0;
  for (let c = 0; c < lists; c++) {
    longest = Math.max(longest, filed.offsets[c + 1] - filed.offsets[c]);
  }
  const queries = new Float32Array(BLOCK * r);
  const products = new Float32Array(BLOCK * longest);
  const candidates = new BestPerRow(n, perRow);
  for (let c = 0; c < lists; c++) {
    const first = filed.offsets[c];
    const count = filed.offsets[c + 1] - first;
    if (count === 0) continue;
    for (let p0 = probing.offsets[c]; p0 < probing.offsets[c + 1]; p0 += BLOCK) {
      const queryCount = Math.min(BLOCK, probing.offsets[c + 1] - p0);
      for (let x = 0; x < queryCount; x++) {
        const row = probing.rows[p0 + x];
        queries.set(reduced.subarray(row * r, row * r + r), x * r);
      }
      dotProducts(queries, 0, queryCount, filedVectors, first, count, r, products);
      for (let x = 0; x < queryCount; x++) {
        const i = probing.rows[p0 + x];
        for (let y = 0; y < count; y++) {
          const j = filed.rows[first + y];
          if (j !== i) candidates.push(i, j, products[x * count + y]);
        }
      }
    }
  }
  return candidates;
}

/** The rows of each list, for the first `depth` of every row's nearest lists (CSR). */
function invertLists(
  nearest: Int32Array,
  n: number,
  probes: number,
  depth: number,
  lists: number,
): { offsets: Int32Array; rows: Int32Array } {
  const offsets = new Int32Array(lists + 1);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < depth; p++) offsets[nearest[i * probes + p] + 1]++;
  }
  for (let c = 0; c < lists; c++) offsets[c + 1] += offsets[c];
  const fill = offsets.slice(0, lists);
  const rows = new Int32Array(offsets[lists]);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < depth; p++) rows[fill[nearest[i * probes + p]]++] = i;
  }
  return { offsets, rows };
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
  // Covariance = CᵀC of the centred sample C: products of its columns, stored as rows.
  const columns = new Float32Array(dim * sample.length);
  sample.forEach((row, s) => {
    for (let j = 0; j < dim; j++) columns[j * sample.length + s] = vectors[row * dim + j] - mean[j];
  });
  const covariance = new Float32Array(dim * dim);
  dotProducts(columns, 0, dim, columns, 0, dim, sample.length, covariance);
  let q = new Float32Array(r * dim).map(() => random() - 0.5);
  orthonormalise(q, r, dim);
  for (let iteration = 0; iteration < 12; iteration++) {
    // covariance × each axis (the covariance is symmetric: its rows are its columns).
    const next = new Float32Array(r * dim);
    dotProducts(q, 0, r, covariance, 0, dim, dim, next);
    orthonormalise(next, r, dim);
    q = next;
  }
  return q;
}

function normaliseRow(rows: Float32Array, offset: number, dim: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += rows[offset + j] ** 2;
  const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < dim; j++) rows[offset + j] *= scale;
}

function orthonormalise(rows: Float32Array, r: number, dim: number): void {
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
  const sampled = new Float32Array(sample.length * dim);
  sample.forEach((row, s) => {
    sampled.set(points.subarray(row * dim, row * dim + dim), s * dim);
  });
  const centroids = sampled.slice(0, lists * dim);
  const halfNorms = new Float32Array(lists);
  const products = new Float32Array(BLOCK * lists);
  const sums = new Float64Array(lists * dim);
  const counts = new Int32Array(lists);
  for (let iteration = 0; iteration < 3; iteration++) {
    sums.fill(0);
    counts.fill(0);
    for (let c = 0; c < lists; c++) {
      halfNorms[c] = dotRows(centroids, c * dim, centroids, c * dim, dim) / 2;
    }
    for (let s0 = 0; s0 < sample.length; s0 += BLOCK) {
      const count = Math.min(BLOCK, sample.length - s0);
      dotProducts(sampled, s0, count, centroids, 0, lists, dim, products);
      for (let x = 0; x < count; x++) {
        // Nearest centroid = highest x·c − |c|²/2.
        let best = 0;
        let bestScore = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < lists; c++) {
          const score = products[x * lists + c] - halfNorms[c];
          if (score > bestScore) [best, bestScore] = [c, score];
        }
        counts[best]++;
        const from = (s0 + x) * dim;
        for (let j = 0; j < dim; j++) sums[best * dim + j] += sampled[from + j];
      }
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
