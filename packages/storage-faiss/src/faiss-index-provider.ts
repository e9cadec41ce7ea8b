import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  type FaceVectorIndexProvider,
  type FaceVectorSource,
  PersistedFaceIndex,
  type PersistedIndexProviderOptions,
  persistedIndexFiles,
  removePersistedIndex,
  type VectorHit,
} from '@facekit/storage-sqlite';
import { type FaissIndex, type FaissModule, loadFaiss } from './load-faiss.js';

/** `flat`: exact search (faiss `IndexFlatIP`). `hnsw`: approximate (`IndexHNSWFlat`, inner product). */
export type FaissIndexKind = 'flat' | 'hnsw';

/** HNSW graph parameters (ignored by the flat index). */
export interface HnswParameters {
  /** Neighbours per node. Default 32. Fixed when the index is built. */
  m?: number;
  /** Candidate list size while building. Default 64. Higher: better graph, slower adds. */
  efConstruction?: number;
  /** Candidate list size while searching (at least the number of results asked). Default 128. */
  efSearch?: number;
}

/** Options of {@link createFaissIndexProvider}. */
export interface FaissIndexProviderOptions extends PersistedIndexProviderOptions {
  kind: FaissIndexKind;
  hnsw?: HnswParameters;
  /**
   * OpenMP threads for adding large batches (building an index, bulk `putFaces`). Default: the
   * machine's available parallelism. Searches and small adds always run on one thread: faiss
   * opens a parallel region even for one query, which on a busy machine costs far more (measured:
   * 14 ms instead of 0.4 ms per HNSW query on 2 loaded cores).
   */
  buildThreads?: number;
}

/** Rows added to faiss per call while (re)building, to bound the temporary copy. */
const BUILD_BATCH = 8192;
/** Adds of at least this many rows use `buildThreads`; smaller ones one thread. */
const PARALLEL_ADD = 1000;
/** First HNSW candidate count; grows ×4 while every hit still clears `minScore`. */
const FIRST_K = 64;

/**
 * A {@link FaceVectorIndexProvider} on faiss: one index per collection, vectors L2-normalised so
 * that inner product is cosine similarity, saved beside the SQLite database and checked against
 * it on open (the rules of `PersistedFaceIndex` in `@facekit/storage-sqlite`).
 *
 * @throws {InternalServerError} when faiss-node's addon cannot be loaded.
 */
export function createFaissIndexProvider(
  options: FaissIndexProviderOptions,
): FaceVectorIndexProvider {
  const faiss = loadFaiss();
  const config: IndexConfig = {
    faiss,
    dir: options.dir,
    kind: options.kind,
    m: options.hnsw?.m ?? 32,
    efConstruction: options.hnsw?.efConstruction ?? 64,
    efSearch: options.hnsw?.efSearch ?? 128,
    persistAfterMs: options.persistAfterMs ?? 30_000,
    rebuildTombstoneRatio: options.rebuildTombstoneRatio ?? 0.2,
    buildThreads: Math.max(1, Math.floor(options.buildThreads ?? availableParallelism())),
  };
  mkdirSync(config.dir, { recursive: true });
  return {
    name: `faiss-${options.kind}`,
    search: options.kind === 'flat' ? 'exact' : 'approximate',
    open: (source) => new FaissCollectionIndex(config, source),
    drop: (collectionSeq) =>
      removePersistedIndex(persistedIndexFiles(config.dir, collectionSeq, 'faiss')),
  };
}

interface IndexConfig {
  faiss: FaissModule;
  dir: string;
  kind: FaissIndexKind;
  m: number;
  efConstruction: number;
  efSearch: number;
  persistAfterMs: number;
  rebuildTombstoneRatio: number;
  buildThreads: number;
}

/**
 * One collection's faiss index. Faiss labels rows by position (0..ntotal-1); `seqs[position]` is
 * the face's seq. Rows are always added in increasing seq order and the flat index's removal
 * keeps order, so `seqs` stays sorted and a seq's position is a binary search. HNSW cannot remove:
 * a deleted face's position goes into `tombstones`, skipped inside faiss's search.
 */
class FaissCollectionIndex extends PersistedFaceIndex {
  private index: FaissIndex | undefined;
  private seqs = new Float64Array(0);
  private ntotal = 0;
  private readonly tombstones = new Set<number>();

  constructor(
    private readonly config: IndexConfig,
    source: FaceVectorSource,
  ) {
    super(
      {
        dir: config.dir,
        extension: 'faiss',
        settings:
          config.kind === 'hnsw' ? { kind: config.kind, m: config.m } : { kind: config.kind },
        persistAfterMs: config.persistAfterMs,
        buildBatch: BUILD_BATCH,
      },
      source,
    );
    this.open();
  }

  get count(): number {
    return this.ntotal - this.tombstones.size;
  }

  get dim(): number {
    return this.index?.getDimension() ?? 0;
  }

  remove(seqs: ReadonlySet<number>): void {
    const positions: number[] = [];
    for (const seq of seqs) {
      const position = this.positionOf(seq);
      if (position >= 0 && !this.tombstones.has(position)) positions.push(position);
    }
    if (positions.length === 0 || !this.index) return;
    if (this.config.kind === 'flat') {
      this.index.removeIds(positions);
      const removed = new Set(positions);
      let kept = 0;
      for (let p = 0; p < this.ntotal; p++) {
        if (!removed.has(p)) this.seqs[kept++] = this.seqs[p];
      }
      this.ntotal = kept;
    } else {
      for (const position of positions) this.tombstones.add(position);
      if (this.tombstones.size > this.config.rebuildTombstoneRatio * this.ntotal) this.rebuild();
    }
    this.changed();
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    const index = this.index;
    if (!index || this.count === 0 || limit <= 0) return [];
    const skip = [...this.tombstones];
    for (const seq of excluded) {
      const position = this.positionOf(seq);
      if (position >= 0 && !this.tombstones.has(position)) skip.push(position);
    }
    const available = this.ntotal - skip.length;
    const want = Math.min(Math.floor(limit), available);
    if (want <= 0) return [];
    const q = normalized(query);
    const skipList = skip.length > 0 ? Float64Array.from(skip) : undefined;
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    // Most searches keep only a few hits above minScore: ask HNSW for a few candidates first
    // (its cost grows with k) and more only while all of them clear the bar.
    let k = this.config.kind === 'hnsw' ? Math.min(want, Math.max(FIRST_K, 1)) : want;
    this.config.faiss.setNumThreads(1);
    for (;;) {
      const { distances, labels } = index.search(q, Math.min(k, this.ntotal), skipList);
      const hits: VectorHit[] = [];
      let lastScore = Number.POSITIVE_INFINITY;
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i];
        if (label < 0) continue;
        lastScore = distances[i];
        if (lastScore < floor) continue;
        hits.push({ seq: this.seqs[label], score: lastScore });
      }
      if (k >= want || lastScore < floor || labels.length === 0) {
        return hits.sort((a, b) => b.score - a.score || a.seq - b.seq).slice(0, want);
      }
      k = Math.min(want, k * 4);
    }
  }

  /** Binary search: `seqs[0..ntotal)` is sorted. -1 when absent. */
  private positionOf(seq: number): number {
    let lo = 0;
    let hi = this.ntotal - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.seqs[mid];
      if (value === seq) return mid;
      if (value < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Normalises `batch` (rows of `dim`) in place and adds it. */
  protected addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void {
    for (let offset = 0; offset < batch.length; offset += dim) normalizeInPlace(batch, offset, dim);
    const index = this.ensureIndex(dim);
    this.config.faiss.setNumThreads(seqs.length >= PARALLEL_ADD ? this.config.buildThreads : 1);
    index.add(batch);
    if (this.ntotal + seqs.length > this.seqs.length) {
      const grown = new Float64Array(Math.max(this.ntotal + seqs.length, this.seqs.length * 2, 64));
      grown.set(this.seqs.subarray(0, this.ntotal));
      this.seqs = grown;
    }
    for (let i = 0; i < seqs.length; i++) this.seqs[this.ntotal++] = seqs[i];
  }

  private ensureIndex(dim: number): FaissIndex {
    if (this.index) return this.index;
    const { faiss, kind, m, efConstruction, efSearch } = this.config;
    const index = faiss.Index.fromFactory(
      dim,
      kind === 'flat' ? 'Flat' : `HNSW${m}`,
      faiss.MetricType.METRIC_INNER_PRODUCT,
    );
    if (kind === 'hnsw') {
      index.setParameter('efConstruction', efConstruction);
      index.setParameter('efSearch', efSearch);
    }
    this.index = index;
    return index;
  }

  protected clearIndex(): void {
    this.index = undefined;
    this.seqs = new Float64Array(0);
    this.ntotal = 0;
    this.tombstones.clear();
  }

  /** Tombstones are saved as negated seqs. */
  protected savedIds(): Float64Array {
    const ids = this.seqs.slice(0, this.ntotal);
    for (const position of this.tombstones) ids[position] = -ids[position];
    return ids;
  }

  protected writeIndex(path: string): void {
    this.index?.write(path);
  }

  protected readIndex(
    path: string,
    saved: { dim: number; ntotal: number; ids: Float64Array<ArrayBuffer> },
  ) {
    const { config } = this;
    const index = config.faiss.Index.read(path);
    if (index.ntotal() !== saved.ntotal || index.getDimension() !== saved.dim) return false;
    if (config.kind === 'hnsw') index.setParameter('efSearch', config.efSearch);
    const ids = saved.ids;
    this.index = index;
    this.ntotal = saved.ntotal;
    this.seqs = ids;
    this.tombstones.clear();
    for (let p = 0; p < ids.length; p++) {
      if (ids[p] < 0) {
        ids[p] = -ids[p];
        this.tombstones.add(p);
      }
    }
    return true;
  }
}

function normalizeInPlace(v: Float32Array, offset: number, dim: number): void {
  let sum = 0;
  for (let i = offset; i < offset + dim; i++) sum += v[i] * v[i];
  if (sum === 0) return;
  const scale = 1 / Math.sqrt(sum);
  for (let i = offset; i < offset + dim; i++) v[i] *= scale;
}

function normalized(v: Float32Array): Float32Array {
  const copy = Float32Array.from(v);
  normalizeInPlace(copy, 0, copy.length);
  return copy;
}
