import { dotRows } from './dot-products.js';
import type { NeighbourGraph } from './neighbour-graph.js';

/**
 * How rows are grouped (all over the same k-nearest-neighbour graph, all under the same
 * constraints):
 * - `average`: average linkage. Clusters merge, best pair first, while the mean cosine over all
 *   their cross pairs is ≥ the threshold (computed exactly from the clusters' vector sums:
 *   mean pairwise dot = ΣA·ΣB / |A||B|). Candidate pairs are clusters joined by a graph edge.
 * - `single`: the threshold graph's connected components, built best edge first (single
 *   linkage): one strong edge joins two clusters.
 * - `whispers`: Chinese whispers (label propagation over the edges ≥ threshold, weighted by
 *   cosine), then constraint violations split off.
 */
export type ClusteringMethod = 'average' | 'single' | 'whispers';

export interface ClusteringProblem {
  /** Row-major unit vectors, `n × dim`. */
  vectors: Float32Array;
  dim: number;
  graph: NeighbourGraph;
  /** Cosine a pair (or, for `average`, two clusters on average) must reach to be one person. */
  threshold: number;
  /**
   * Group of each row that may never share a cluster, e.g. an index per ImageId (two faces of
   * one photo are two people); -1 for none.
   */
  imageOf: Int32Array;
  /**
   * Seed cluster of each row (e.g. an index per user), -1 for none. Seeds are clusters from the
   * start, and two seeds never merge.
   */
  seedOf: Int32Array;
  /** Pairs of rows known not to be one person: never in one cluster. */
  cannotLink: readonly (readonly [number, number])[];
  method: ClusteringMethod;
}

/** Cluster index of every row (dense, 0-based); rows with equal indexes are one person. */
export function clusterVectors(problem: ClusteringProblem): Int32Array {
  const clusters = new Clusters(problem);
  if (problem.method === 'whispers') return clusters.whispers();
  if (problem.method === 'single') clusters.singleLinkage();
  else clusters.averageLinkage();
  return clusters.labels();
}

/** Disjoint clusters with their members, vector sums, images, seed and forbidden partners. */
class Clusters {
  private readonly n: number;
  private readonly parent: Int32Array;
  private readonly members: number[][];
  private readonly sums: Float32Array[] = [];
  private readonly images: Set<number>[];
  private readonly seed: Int32Array;
  private readonly partners: number[][];

  constructor(private readonly p: ClusteringProblem) {
    const n = p.dim === 0 ? 0 : p.vectors.length / p.dim;
    this.n = n;
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.members = Array.from({ length: n }, (_, i) => [i]);
    this.images = Array.from(
      { length: n },
      (_, i) => new Set(p.imageOf[i] >= 0 ? [p.imageOf[i]] : []),
    );
    this.seed = Int32Array.from(p.seedOf);
    this.partners = Array.from({ length: n }, () => []);
    for (const [a, b] of p.cannotLink) {
      this.partners[a].push(b);
      this.partners[b].push(a);
    }
    // Seeds start as clusters: their rows are joined whatever their similarity.
    const seedRoot = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const s = p.seedOf[i];
      if (s < 0) continue;
      const root = seedRoot.get(s);
      if (root === undefined) seedRoot.set(s, i);
      else this.join(root, i);
    }
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[i] !== root) {
      const next = this.parent[i];
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  /** Whether clusters (roots) `a` and `b` may become one: no shared image, seed or refusal. */
  compatible(a: number, b: number): boolean {
    if (this.seed[a] >= 0 && this.seed[b] >= 0 && this.seed[a] !== this.seed[b]) return false;
    const [small, large] = this.members[a].length <= this.members[b].length ? [a, b] : [b, a];
    const largeImages = this.images[large];
    for (const image of this.images[small]) if (largeImages.has(image)) return false;
    for (const row of this.members[small]) {
      for (const other of this.partners[row]) if (this.find(other) === large) return false;
    }
    return true;
  }

  /** Joins two clusters (roots); returns the new root. */
  join(a: number, b: number): number {
    a = this.find(a);
    b = this.find(b);
    if (a === b) return a;
    if (this.members[a].length < this.members[b].length) [a, b] = [b, a];
    this.parent[b] = a;
    for (const row of this.members[b]) this.members[a].push(row);
    this.members[b] = [];
    for (const image of this.images[b]) this.images[a].add(image);
    this.images[b] = new Set();
    if (this.seed[a] < 0) this.seed[a] = this.seed[b];
    const sa = this.sums[a];
    const sb = this.sums[b];
    if (sa && sb) for (let j = 0; j < sa.length; j++) sa[j] += sb[j];
    return a;
  }

  singleLinkage(): void {
    const edges = this.edges();
    for (const e of edges) {
      const a = this.find(e.a);
      const b = this.find(e.b);
      if (a !== b && this.compatible(a, b)) this.join(a, b);
    }
  }

  averageLinkage(): void {
    const { p, n } = this;
    const dim = p.dim;
    // Sums are kept per root; seeds were joined before sums existed, so sum members now.
    for (let i = 0; i < n; i++) {
      if (this.find(i) !== i) continue;
      const sum = new Float32Array(dim);
      for (const row of this.members[i]) {
        for (let j = 0; j < dim; j++) sum[j] += p.vectors[row * dim + j];
      }
      this.sums[i] = sum;
    }
    const neighbours: Set<number>[] = Array.from({ length: n }, () => new Set());
    for (let i = 0; i < n; i++) {
      const a = this.find(i);
      for (let e = p.graph.offsets[i]; e < p.graph.offsets[i + 1]; e++) {
        if (p.graph.scores[e] < p.threshold) continue;
        const b = this.find(p.graph.neighbours[e]);
        if (a === b) continue;
        neighbours[a].add(b);
        neighbours[b].add(a);
      }
    }
    const version = new Int32Array(n);
    const heap = new MaxHeap();
    const linkage = (a: number, b: number) =>
      dotRows(this.sums[a], 0, this.sums[b], 0, dim) /
      (this.members[a].length * this.members[b].length);
    const offer = (a: number, b: number) => {
      const score = linkage(a, b);
      if (score >= p.threshold) heap.push({ score, a, b, va: version[a], vb: version[b] });
    };
    for (let a = 0; a < n; a++) for (const b of neighbours[a]) if (a < b) offer(a, b);
    for (let top = heap.pop(); top; top = heap.pop()) {
      const { a, b } = top;
      // Stale: one side changed since this pair was scored (the new pair was offered then).
      if (version[a] !== top.va || version[b] !== top.vb) continue;
      if (this.find(a) !== a || this.find(b) !== b) continue;
      if (!this.compatible(a, b)) continue;
      const root = this.join(a, b);
      const gone = root === a ? b : a;
      version[root]++;
      for (const c of neighbours[gone]) {
        neighbours[c].delete(gone);
        if (c !== root) {
          neighbours[c].add(root);
          neighbours[root].add(c);
        }
      }
      neighbours[root].delete(gone);
      neighbours[gone].clear();
      for (const c of neighbours[root]) offer(root, c);
    }
  }

  /** Chinese whispers, then every constraint violation split off (weakest member first). */
  whispers(): Int32Array {
    const { p, n } = this;
    const label = new Int32Array(n);
    for (let i = 0; i < n; i++) label[i] = this.find(i);
    const order = Array.from({ length: n }, (_, i) => i);
    let state = 1;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const weights = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let changed = 0;
      for (const i of order) {
        // Seeded rows keep their seed's label.
        if (p.seedOf[i] >= 0) continue;
        weights.clear();
        for (let e = p.graph.offsets[i]; e < p.graph.offsets[i + 1]; e++) {
          if (p.graph.scores[e] < p.threshold) continue;
          const l = label[p.graph.neighbours[e]];
          weights.set(l, (weights.get(l) ?? 0) + p.graph.scores[e]);
        }
        let best = label[i];
        let bestWeight = 0;
        for (const [l, w] of weights) if (w > bestWeight) [best, bestWeight] = [l, w];
        if (best !== label[i]) {
          label[i] = best;
          changed++;
        }
      }
      if (changed === 0) break;
    }
    // Rebuild clusters from the labels under the constraints: seeds first, then each row in
    // order of its similarity to its label's mean, joining only when compatible.
    const byLabel = new Map<number, number[]>();
    for (let i = 0; i < n; i++) byLabel.set(label[i], [...(byLabel.get(label[i]) ?? []), i]);
    const fresh = new Clusters({ ...p, cannotLink: p.cannotLink });
    for (const rows of byLabel.values()) {
      const mean = new Float32Array(p.dim);
      for (const r of rows) for (let j = 0; j < p.dim; j++) mean[j] += p.vectors[r * p.dim + j];
      const ranked = rows
        .map((r) => ({ r, s: dotRows(p.vectors, r * p.dim, mean, 0, p.dim) }))
        .sort((x, y) => Number(p.seedOf[y.r] >= 0) - Number(p.seedOf[x.r] >= 0) || y.s - x.s);
      let root = -1;
      for (const { r } of ranked) {
        if (root < 0) root = fresh.find(r);
        else if (
          fresh.find(r) !== fresh.find(root) &&
          fresh.compatible(fresh.find(root), fresh.find(r))
        ) {
          root = fresh.join(root, r);
        }
      }
    }
    return fresh.labels();
  }

  labels(): Int32Array {
    const out = new Int32Array(this.n);
    const dense = new Map<number, number>();
    for (let i = 0; i < this.n; i++) {
      const root = this.find(i);
      let id = dense.get(root);
      if (id === undefined) {
        id = dense.size;
        dense.set(root, id);
      }
      out[i] = id;
    }
    return out;
  }

  private edges(): { a: number; b: number; score: number }[] {
    const { graph, threshold } = this.p;
    const edges: { a: number; b: number; score: number }[] = [];
    for (let i = 0; i < this.n; i++) {
      for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
        const j = graph.neighbours[e];
        if (i < j && graph.scores[e] >= threshold)
          edges.push({ a: i, b: j, score: graph.scores[e] });
      }
    }
    return edges.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  }
}

interface Candidate {
  score: number;
  a: number;
  b: number;
  va: number;
  vb: number;
}

/** Candidate pairs, best score first (ties by lower ids, so runs are deterministic). */
class MaxHeap {
  private readonly items: Candidate[] = [];

  push(item: Candidate): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = item;
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right], items[left]) ? right : left;
      if (!before(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function before(x: Candidate, y: Candidate): boolean {
  return x.score > y.score || (x.score === y.score && (x.a < y.a || (x.a === y.a && x.b < y.b)));
}
