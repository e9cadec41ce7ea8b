import { existsSync, mkdirSync } from 'node:fs';
import {
  type FaceVectorIndexProvider,
  type FaceVectorSource,
  PersistedFaceIndex,
  type PersistedIndexProviderOptions,
  persistedIndexFiles,
  removePersistedIndex,
  type VectorHit,
} from '@facekit/storage-sqlite';
import { loadUsearch, type UsearchIndex, type UsearchModule } from './load-usearch.js';
import { normalized, normalizeInPlace, quantized, quantizeInto, rescore } from './vectors.js';

/**
 * How the HNSW index stores vectors: `f32` 4 bytes per dimension, `f16` 2, `i8` 1 (each vector
 * scaled to ±127). Candidates are always scored exactly from the database, so the quantisation
 * only decides which candidates are found.
 */
export type UsearchQuantization = 'f32' | 'f16' | 'i8';

/** Options of {@link createUsearchIndexProvider}. */
export interface UsearchIndexProviderOptions extends PersistedIndexProviderOptions {
  /** Default `i8` (see the package README for the measurements behind it). */
  quantization?: UsearchQuantization;
  /**
   * Neighbours per node (HNSW `M`). Default 32: on face-like data it lifts recall@10 at efSearch
   * 128 from 0.983 to 0.994 (30 000 faces) for 128 more bytes per face. Fixed when built.
   */
  connectivity?: number;
  /** Candidate list size while building (`efConstruction`). Default 128. */
  expansionAdd?: number;
  /** Candidate list size while searching (`efSearch`, at least the candidates asked). Default 128. */
  expansionSearch?: number;
  /**
   * Candidates asked of the graph at least (and twice the limit), all then scored exactly from
   * the database. Default 32.
   */
  candidates?: number;
  /**
   * Threads for adding large batches (building, bulk `putFaces`). Default 1: usearch 2.25's
   * parallel add can leave a node no search reaches (unum-cloud/USearch#735, open; the fix,
   * #772, is not released). Measured: 80 of 30 000 vectors never found, not even by themselves,
   * in 300-node graphs built on 2 threads (none on 1 thread); in a 100 000-face graph built in
   * batches of 1 000, 5 of 20 000 on 2 threads against 4 on 1 (`pnpm bench:hnsw-study`).
   */
  threads?: number;
  /**
   * Reopen a saved index by memory-mapping its file (usearch `view`) instead of reading it, until
   * the first write (which then reads it). Default true.
   */
  memoryMap?: boolean;
}

/** Rows decoded per `add` call while (re)building, to bound the temporary copy. */
const BUILD_BATCH = 16384;
/** Adds of at least this many rows use `threads`; smaller ones one thread. */
const PARALLEL_ADD = 256;
const EXTENSION = 'usearch';
interface Config {
  usearch: UsearchModule;
  dir: string;
  quantization: UsearchQuantization;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  candidates: number;
  persistAfterMs: number;
  rebuildTombstoneRatio: number;
  threads: number;
  memoryMap: boolean;
}

/**
 * A {@link FaceVectorIndexProvider} on usearch's HNSW: one graph per collection (cosine on unit
 * vectors, stored as f32, f16 or i8), the candidates it finds scored exactly from the database,
 * saved beside the database and checked against it on open with the same rules as
 * `@facekit/storage-faiss` (see `CollectionVectorState`): a missing, stale or corrupted file is
 * caught up or rebuilt from the database, which stays the source of truth.
 *
 * @throws {InternalServerError} when usearch's addon cannot be loaded.
 */
export function createUsearchIndexProvider(
  options: UsearchIndexProviderOptions,
): FaceVectorIndexProvider & { hasSavedIndex(collectionSeq: number): boolean } {
  const config: Config = {
    usearch: loadUsearch(),
    dir: options.dir,
    quantization: options.quantization ?? 'i8',
    connectivity: options.connectivity ?? 32,
    expansionAdd: options.expansionAdd ?? 128,
    expansionSearch: options.expansionSearch ?? 128,
    candidates: Math.max(1, Math.floor(options.candidates ?? 32)),
    persistAfterMs: options.persistAfterMs ?? 30_000,
    rebuildTombstoneRatio: options.rebuildTombstoneRatio ?? 0.2,
    threads: Math.max(1, Math.floor(options.threads ?? 1)),
    memoryMap: options.memoryMap ?? true,
  };
  mkdirSync(config.dir, { recursive: true });
  return {
    name: `usearch-hnsw-${config.quantization}`,
    search: 'approximate',
    open: (source) => new UsearchCollectionIndex(config, source),
    /** Whether this collection's index was saved (and so was built, e.g. by `auto`, before). */
    hasSavedIndex: (collectionSeq) =>
      existsSync(persistedIndexFiles(config.dir, collectionSeq, EXTENSION).meta),
    drop: (collectionSeq) =>
      removePersistedIndex(persistedIndexFiles(config.dir, collectionSeq, EXTENSION)),
  };
}

/**
 * One collection's graph, keyed by face seq. `seqs[0..ntotal)` lists every seq ever added since
 * the last build, in increasing order (adds always come in seq order), a deleted one negated: its
 * digest is what the saved files are checked against, and tombstones count towards a rebuild.
 */
class UsearchCollectionIndex extends PersistedFaceIndex {
  private index: UsearchIndex | undefined;
  private seqs = new Float64Array(0);
  private ntotal = 0;
  private tombstones = 0;
  private dimension = 0;
  /** The index is a read-only memory map of its file (`view`): read it before changing it. */
  private mapped = false;
  private scratch = new Float32Array(0);

  constructor(
    private readonly config: Config,
    source: FaceVectorSource,
  ) {
    super(
      {
        dir: config.dir,
        extension: EXTENSION,
        settings: { quantization: config.quantization, connectivity: config.connectivity },
        persistAfterMs: config.persistAfterMs,
        buildBatch: BUILD_BATCH,
      },
      source,
    );
    this.open();
  }

  get count(): number {
    return this.ntotal - this.tombstones;
  }

  get dim(): number {
    return this.count > 0 ? this.dimension : 0;
  }

  remove(seqs: ReadonlySet<number>): void {
    const keys: bigint[] = [];
    for (const seq of seqs) {
      const position = this.positionOf(seq);
      if (position < 0) continue;
      this.seqs[position] = -seq;
      this.tombstones++;
      keys.push(BigInt(seq));
    }
    if (keys.length === 0 || !this.index) return;
    if (this.tombstones > this.config.rebuildTombstoneRatio * this.ntotal) {
      this.rebuild();
      return;
    }
    this.beforeWrite();
    this.index?.remove(BigUint64Array.from(keys));
    this.changed();
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    const index = this.index;
    const want = Math.min(Math.floor(limit), this.count);
    if (!index || want <= 0) return [];
    const q = normalized(query);
    const probe = this.config.quantization === 'i8' ? quantized(q) : q;
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    if (this.scratch.length !== q.length) this.scratch = new Float32Array(q.length);
    // The graph's own scores are approximate (quantised): ask for more candidates than needed,
    // rescore them exactly, and ask for more only while every candidate clears minScore.
    let k = Math.min(this.ntotal, Math.max(2 * want, this.config.candidates) + excluded.size);
    for (;;) {
      const { keys, distances } = index.search(probe, k, 1);
      const candidates: number[] = [];
      let lowest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < keys.length; i++) {
        const similarity = 1 - distances[i];
        // usearch pads missing results with the maximum key.
        if (keys[i] === 0xffffffffffffffffn) continue;
        candidates.push(Number(keys[i]));
        lowest = Math.min(lowest, similarity);
      }
      const hits = rescore(this.source, q, candidates, floor, excluded, this.scratch);
      const exhausted = candidates.length < k || k >= this.ntotal;
      // Quantised scores err by a few thousandths: keep going while the worst candidate could
      // still be above the bar.
      if (hits.length >= want || exhausted || lowest < floor - 0.05) return hits.slice(0, want);
      k = Math.min(this.ntotal, k * 4);
    }
  }

  /** Binary search: `|seqs[0..ntotal)|` is sorted. -1 when absent or already deleted. */
  private positionOf(seq: number): number {
    let lo = 0;
    let hi = this.ntotal - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = Math.abs(this.seqs[mid]);
      if (value === seq) return this.seqs[mid] > 0 ? mid : -1;
      if (value < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private newIndex(dim: number): UsearchIndex {
    const { usearch, quantization, connectivity, expansionAdd, expansionSearch } = this.config;
    return new usearch.Index({
      dimensions: dim,
      // i8 rows are scaled each to its own range, which only cosine ignores.
      metric: quantization === 'i8' ? 'cos' : 'ip',
      quantization,
      connectivity,
      expansion_add: expansionAdd,
      expansion_search: expansionSearch,
      multi: false,
    });
  }

  /** A memory-mapped index is read-only: read its file into memory before the first change. */
  protected override beforeWrite(): void {
    if (!this.mapped || !this.index) return;
    const index = this.newIndex(this.dimension);
    index.load(this.files.index);
    this.index = index;
    this.mapped = false;
  }

  /** Normalises `batch` (rows of `dim`) in place and adds it. */
  protected addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void {
    const n = seqs.length;
    for (let offset = 0; offset < batch.length; offset += dim) normalizeInPlace(batch, offset, dim);
    if (!this.index) {
      this.index = this.newIndex(dim);
      this.dimension = dim;
    }
    let rows: Float32Array | Int8Array = batch;
    if (this.config.quantization === 'i8') {
      const q = new Int8Array(batch.length);
      for (let offset = 0; offset < batch.length; offset += dim) {
        quantizeInto(batch, offset, dim, q, offset);
      }
      rows = q;
    }
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(seqs[i]);
    this.index.add(keys, rows, n >= PARALLEL_ADD ? this.config.threads : 1);
    if (this.ntotal + n > this.seqs.length) {
      const grown = new Float64Array(Math.max(this.ntotal + n, this.seqs.length * 2, 64));
      grown.set(this.seqs.subarray(0, this.ntotal));
      this.seqs = grown;
    }
    for (let i = 0; i < n; i++) this.seqs[this.ntotal++] = seqs[i];
  }

  protected clearIndex(): void {
    this.index = undefined;
    this.mapped = false;
    this.seqs = new Float64Array(0);
    this.ntotal = 0;
    this.tombstones = 0;
  }

  protected savedIds(): Float64Array {
    return this.seqs.slice(0, this.ntotal);
  }

  protected writeIndex(path: string): void {
    this.index?.save(path);
  }

  protected readIndex(
    path: string,
    saved: { dim: number; ntotal: number; ids: Float64Array<ArrayBuffer> },
    writable: boolean,
  ): boolean {
    const index = this.newIndex(saved.dim);
    // A memory map opens in milliseconds whatever the size, but cannot change: read the file
    // when faces must be added right away.
    const map = this.config.memoryMap && !writable;
    if (map) index.view(path);
    else index.load(path);
    if (index.dimensions() !== saved.dim) return false;
    this.index = index;
    this.mapped = map;
    this.dimension = saved.dim;
    this.ntotal = saved.ntotal;
    this.seqs = saved.ids;
    this.tombstones = saved.ids.filter((seq) => seq < 0).length;
    return true;
  }
}
