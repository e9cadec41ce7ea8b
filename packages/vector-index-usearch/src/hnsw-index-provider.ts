import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type CollectionVectorState,
  decodeVectorInto,
  type FaceVectorIndex,
  type FaceVectorIndexProvider,
  type FaceVectorSource,
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
export interface UsearchIndexProviderOptions {
  /** Directory of the index files (`collection-<n>.usearch`, `.ids`, `.json`). */
  dir: string;
  /** Default `i8` (see the package README for the measurements behind it). */
  quantization?: UsearchQuantization;
  /** Neighbours per node (HNSW `M`). Default 16. Fixed when the index is built. */
  connectivity?: number;
  /** Candidate list size while building (`efConstruction`). Default 128. */
  expansionAdd?: number;
  /** Candidate list size while searching (`efSearch`, at least the candidates asked). Default 64. */
  expansionSearch?: number;
  /** See `FaissIndexProviderOptions.persistAfterMs`. Default 30 000 ms. */
  persistAfterMs?: number;
  /**
   * Deleted faces leave the graph as tombstones that searches skip; the index is rebuilt from the
   * database when they exceed this share of its nodes. Default 0.2.
   */
  rebuildTombstoneRatio?: number;
  /** Threads for adding large batches (building, bulk `putFaces`). Default: available parallelism. */
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
/** Candidates asked of the graph at least, before exact rescoring. */
const MIN_CANDIDATES = 32;
const FORMAT = 1;

interface IndexMeta {
  format: number;
  quantization: UsearchQuantization;
  connectivity: number;
  dim: number;
  ntotal: number;
  /** Digest of the live (not tombstoned) seqs when saved. */
  state: CollectionVectorState;
  indexSha256: string;
  idsSha256: string;
}

interface Config {
  usearch: UsearchModule;
  dir: string;
  quantization: UsearchQuantization;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
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
    connectivity: options.connectivity ?? 16,
    expansionAdd: options.expansionAdd ?? 128,
    expansionSearch: options.expansionSearch ?? 64,
    persistAfterMs: options.persistAfterMs ?? 30_000,
    rebuildTombstoneRatio: options.rebuildTombstoneRatio ?? 0.2,
    threads: Math.max(1, Math.floor(options.threads ?? availableParallelism())),
    memoryMap: options.memoryMap ?? true,
  };
  mkdirSync(config.dir, { recursive: true });
  return {
    name: `usearch-hnsw-${config.quantization}`,
    search: 'approximate',
    open: (source) => new UsearchCollectionIndex(config, source),
    /** Whether this collection's index was saved (and so was built, e.g. by `auto`, before). */
    hasSavedIndex: (collectionSeq) => existsSync(filesOf(config.dir, collectionSeq).meta),
    drop(collectionSeq) {
      for (const path of Object.values(filesOf(config.dir, collectionSeq))) {
        rmSync(path, { force: true });
      }
    },
  };
}

function filesOf(dir: string, collectionSeq: number) {
  const base = join(dir, `collection-${collectionSeq}`);
  return { index: `${base}.usearch`, ids: `${base}.ids`, meta: `${base}.json` };
}

/**
 * One collection's graph, keyed by face seq. `seqs[0..ntotal)` lists every seq ever added since
 * the last build, in increasing order (adds always come in seq order), a deleted one negated: its
 * digest is what the saved files are checked against, and tombstones count towards a rebuild.
 */
class UsearchCollectionIndex implements FaceVectorIndex {
  private index: UsearchIndex | undefined;
  private seqs = new Float64Array(0);
  private ntotal = 0;
  private tombstones = 0;
  private dimension = 0;
  /** The index is a read-only memory map of its file (`view`): read it before changing it. */
  private mapped = false;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scratch = new Float32Array(0);
  private readonly files: ReturnType<typeof filesOf>;

  constructor(
    private readonly config: Config,
    private readonly source: FaceVectorSource,
  ) {
    this.files = filesOf(config.dir, source.collectionSeq);
    if (!this.load()) this.rebuild();
  }

  get count(): number {
    return this.ntotal - this.tombstones;
  }

  get dim(): number {
    return this.count > 0 ? this.dimension : 0;
  }

  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    if (seqs.length === 0) return;
    const dim = vectors[0].length;
    const batch = new Float32Array(seqs.length * dim);
    for (const [i, v] of vectors.entries()) batch.set(v, i * dim);
    this.writable();
    this.addRows(seqs, batch, dim);
    this.changed();
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
    this.writable();
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
    let k = Math.min(this.ntotal, Math.max(2 * want, MIN_CANDIDATES) + excluded.size);
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

  release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.persist();
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
  private writable(): void {
    if (!this.mapped || !this.index) return;
    const index = this.newIndex(this.dimension);
    index.load(this.files.index);
    this.index = index;
    this.mapped = false;
  }

  /** Normalises `batch` (rows of `dim`) in place and adds it. */
  private addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void {
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

  /** Appends the database's rows after `afterSeq`, in batches. */
  private addFromDatabase(afterSeq: number): void {
    let seqs: number[] = [];
    let batch: Float32Array | undefined;
    let dim = 0;
    const flush = () => {
      if (seqs.length === 0 || !batch) return;
      this.addRows(seqs, batch.subarray(0, seqs.length * dim), dim);
      seqs = [];
    };
    for (const [seq, blob] of this.source.rows(afterSeq)) {
      if (!batch) {
        dim = blob.byteLength / 4;
        batch = new Float32Array(BUILD_BATCH * dim);
      }
      decodeVectorInto(blob, batch, seqs.length * dim);
      seqs.push(seq);
      if (seqs.length === BUILD_BATCH) flush();
    }
    flush();
  }

  /** Builds the index from every committed face and saves it. */
  private rebuild(): void {
    this.index = undefined;
    this.mapped = false;
    this.seqs = new Float64Array(0);
    this.ntotal = 0;
    this.tombstones = 0;
    this.addFromDatabase(0);
    this.dirty = true;
    if (this.ntotal > 0) this.persist();
  }

  /**
   * Loads the saved index when its files are intact and it matches the database up to the seq it
   * had reached (faces indexed since, e.g. before a crash, are then added). False: rebuild.
   */
  private load(): boolean {
    const { files, config } = this;
    if (!existsSync(files.meta)) return false;
    try {
      const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as IndexMeta;
      if (meta.format !== FORMAT || meta.quantization !== config.quantization) return false;
      if (meta.connectivity !== config.connectivity) return false;
      const idsBytes = readFileSync(files.ids);
      if (sha256(idsBytes) !== meta.idsSha256 || idsBytes.byteLength !== meta.ntotal * 8) {
        return false;
      }
      const ids = new Float64Array(meta.ntotal);
      new Uint8Array(ids.buffer).set(idsBytes);
      const live = liveState(ids);
      if (live.count === 0 || !sameState(live, meta.state)) return false;
      if (!sameState(this.source.state(meta.state.maxSeq), meta.state)) return false;
      if (sha256File(files.index) !== meta.indexSha256) return false;
      const catchUp = this.source.state().maxSeq > meta.state.maxSeq;
      const index = this.newIndex(meta.dim);
      // A memory map opens in milliseconds whatever the size, but cannot change: read the file
      // when faces must be added right away.
      if (config.memoryMap && !catchUp) index.view(files.index);
      else index.load(files.index);
      if (index.dimensions() !== meta.dim) return false;
      this.index = index;
      this.mapped = config.memoryMap && !catchUp;
      this.dimension = meta.dim;
      this.ntotal = meta.ntotal;
      this.seqs = ids;
      this.tombstones = meta.ntotal - live.count;
      if (catchUp) {
        this.addFromDatabase(meta.state.maxSeq);
        this.changed();
      }
      return true;
    } catch {
      this.index = undefined;
      this.mapped = false;
      this.seqs = new Float64Array(0);
      this.ntotal = 0;
      this.tombstones = 0;
      return false;
    }
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) this.persist();
    }, this.config.persistAfterMs);
    this.timer.unref?.();
  }

  /** Writes the three files under temporary names, then renames them; the JSON goes last. */
  private persist(): void {
    const { files } = this;
    this.dirty = false;
    if (!this.index || this.count === 0) {
      for (const path of Object.values(files)) rmSync(path, { force: true });
      return;
    }
    try {
      const ids = this.seqs.slice(0, this.ntotal);
      const idsBytes = new Uint8Array(ids.buffer);
      this.index.save(`${files.index}.tmp`);
      writeFileSync(`${files.ids}.tmp`, idsBytes);
      const meta: IndexMeta = {
        format: FORMAT,
        quantization: this.config.quantization,
        connectivity: this.config.connectivity,
        dim: this.dimension,
        ntotal: this.ntotal,
        state: liveState(ids),
        indexSha256: sha256File(`${files.index}.tmp`),
        idsSha256: sha256(idsBytes),
      };
      writeFileSync(`${files.meta}.tmp`, JSON.stringify(meta));
      rmSync(files.meta, { force: true });
      // A mapped index keeps reading the old file's pages after the rename replaces its name.
      renameSync(`${files.index}.tmp`, files.index);
      renameSync(`${files.ids}.tmp`, files.ids);
      renameSync(`${files.meta}.tmp`, files.meta);
    } catch {
      // Saving is an optimisation: a missing or stale file is rebuilt from the database.
      this.dirty = true;
    }
  }
}

/** Digest of the live seqs (deleted ones negative). */
function liveState(ids: Float64Array): CollectionVectorState {
  let count = 0;
  let maxSeq = 0;
  let seqSum = 0;
  for (const seq of ids) {
    if (seq <= 0) continue;
    count++;
    seqSum += seq;
    if (seq > maxSeq) maxSeq = seq;
  }
  return { count, maxSeq, seqSum };
}

function sameState(a: CollectionVectorState, b: CollectionVectorState): boolean {
  return a.count === b.count && a.maxSeq === b.maxSeq && a.seqSum === b.seqSum;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes a file in chunks (an index can exceed a Buffer's maximum size). */
function sha256File(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
