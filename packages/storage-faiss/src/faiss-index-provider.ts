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
export interface FaissIndexProviderOptions {
  /** Directory of the index files (`collection-<n>.faiss`, `.ids`, `.json`). */
  dir: string;
  kind: FaissIndexKind;
  hnsw?: HnswParameters;
  /**
   * After a write, the index is saved to disk once it has been idle this long, in milliseconds
   * (and always on close). Default 30 000. The database stays the source of truth: an index file
   * that misses writes is caught up or rebuilt from it on open.
   */
  persistAfterMs?: number;
  /**
   * HNSW cannot delete: deleted faces become tombstones that searches skip. The graph is rebuilt
   * from the database when tombstones exceed this share of its nodes. Default 0.2.
   */
  rebuildTombstoneRatio?: number;
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
const FORMAT = 1;

/** What `collection-<n>.json` records about the index files beside it. */
interface IndexMeta {
  format: number;
  kind: FaissIndexKind;
  m?: number;
  dim: number;
  ntotal: number;
  /** Digest of the live (not tombstoned) seqs when saved. */
  state: CollectionVectorState;
  faissSha256: string;
  idsSha256: string;
}

/**
 * A {@link FaceVectorIndexProvider} on faiss: one index per collection, vectors L2-normalised so
 * that inner product is cosine similarity, saved beside the SQLite database and checked against
 * it on open (see {@link CollectionVectorState}).
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
    drop(collectionSeq) {
      for (const path of Object.values(filesOf(config.dir, collectionSeq))) {
        rmSync(path, { force: true });
      }
    },
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

function filesOf(dir: string, collectionSeq: number) {
  const base = join(dir, `collection-${collectionSeq}`);
  return { index: `${base}.faiss`, ids: `${base}.ids`, meta: `${base}.json` };
}

/**
 * One collection's faiss index. Faiss labels rows by position (0..ntotal-1); `seqs[position]` is
 * the face's seq. Rows are always added in increasing seq order and the flat index's removal
 * keeps order, so `seqs` stays sorted and a seq's position is a binary search. HNSW cannot remove:
 * a deleted face's position goes into `tombstones`, skipped inside faiss's search.
 */
class FaissCollectionIndex implements FaceVectorIndex {
  private index: FaissIndex | undefined;
  private seqs = new Float64Array(0);
  private ntotal = 0;
  private readonly tombstones = new Set<number>();
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly files: ReturnType<typeof filesOf>;

  constructor(
    private readonly config: IndexConfig,
    private readonly source: FaceVectorSource,
  ) {
    this.files = filesOf(config.dir, source.collectionSeq);
    if (!this.load()) this.rebuild();
  }

  get count(): number {
    return this.ntotal - this.tombstones.size;
  }

  get dim(): number {
    return this.index?.getDimension() ?? 0;
  }

  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    if (seqs.length === 0) return;
    const dim = vectors[0].length;
    const batch = new Float32Array(seqs.length * dim);
    for (const [i, v] of vectors.entries()) batch.set(v, i * dim);
    this.addRows(seqs, batch, dim);
    this.changed();
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

  release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.persist();
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
  private addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void {
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
    this.seqs = new Float64Array(0);
    this.ntotal = 0;
    this.tombstones.clear();
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
      if (meta.format !== FORMAT || meta.kind !== config.kind) return false;
      if (config.kind === 'hnsw' && meta.m !== config.m) return false;
      if (sha256File(files.index) !== meta.faissSha256) return false;
      const idsBytes = readFileSync(files.ids);
      if (sha256(idsBytes) !== meta.idsSha256 || idsBytes.byteLength !== meta.ntotal * 8) {
        return false;
      }
      const ids = new Float64Array(meta.ntotal);
      new Uint8Array(ids.buffer).set(idsBytes);
      // Tombstones are saved as negated seqs.
      const live = liveState(ids);
      if (live.count === 0 || !sameState(live, meta.state)) return false;
      if (!sameState(this.source.state(meta.state.maxSeq), meta.state)) return false;
      const index = config.faiss.Index.read(files.index);
      if (index.ntotal() !== meta.ntotal || index.getDimension() !== meta.dim) return false;
      if (config.kind === 'hnsw') index.setParameter('efSearch', config.efSearch);
      this.index = index;
      this.ntotal = meta.ntotal;
      this.seqs = ids;
      this.tombstones.clear();
      for (let p = 0; p < ids.length; p++) {
        if (ids[p] < 0) {
          ids[p] = -ids[p];
          this.tombstones.add(p);
        }
      }
      const before = this.ntotal;
      this.addFromDatabase(meta.state.maxSeq);
      if (this.ntotal !== before) this.changed();
      return true;
    } catch {
      this.index = undefined;
      this.seqs = new Float64Array(0);
      this.ntotal = 0;
      this.tombstones.clear();
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
    if (!this.index || this.ntotal === 0) {
      for (const path of Object.values(files)) rmSync(path, { force: true });
      return;
    }
    try {
      const ids = this.seqs.slice(0, this.ntotal);
      for (const position of this.tombstones) ids[position] = -ids[position];
      const idsBytes = new Uint8Array(ids.buffer);
      this.index.write(`${files.index}.tmp`);
      writeFileSync(`${files.ids}.tmp`, idsBytes);
      const meta: IndexMeta = {
        format: FORMAT,
        kind: this.config.kind,
        ...(this.config.kind === 'hnsw' ? { m: this.config.m } : {}),
        dim: this.index.getDimension(),
        ntotal: this.ntotal,
        state: liveState(ids),
        faissSha256: sha256File(`${files.index}.tmp`),
        idsSha256: sha256(idsBytes),
      };
      writeFileSync(`${files.meta}.tmp`, JSON.stringify(meta));
      rmSync(files.meta, { force: true });
      renameSync(`${files.index}.tmp`, files.index);
      renameSync(`${files.ids}.tmp`, files.ids);
      renameSync(`${files.meta}.tmp`, files.meta);
    } catch {
      // Saving is an optimisation: a missing or stale file is rebuilt from the database.
      this.dirty = true;
    }
  }
}

/** Digest of the live seqs (tombstones negative). */
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

/** Hashes a file in chunks (faiss files can exceed a Buffer's maximum size). */
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
