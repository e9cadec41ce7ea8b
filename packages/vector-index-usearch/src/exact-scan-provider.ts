import { closeSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import {
  type FaceVectorIndexProvider,
  type FaceVectorSource,
  PersistedFaceIndex,
  persistedIndexFiles,
  RowMatrix,
  removePersistedIndex,
  type VectorHit,
} from '@facekit/storage-sqlite';
import { loadUsearch, type UsearchModule } from './load-usearch.js';
import { normalized, normalizeInPlace, quantized, quantizeInto, rescore } from './vectors.js';

/**
 * Candidates the int8 scan keeps beyond those asked for. Per-row int8 scaling moves a 512-d
 * cosine by about 0.001; faces closer than that to the k-th best would need to outnumber this
 * margin to be missed.
 */
const MARGIN = 32;
const EXTENSION = 'i8';
/** Rows decoded per batch while building from the database. */
const BUILD_BATCH = 16384;
/** Scans of at least this many rows use `threads`; smaller ones one thread. */
const PARALLEL_SCAN = 65536;
/** Bytes per read or write of the saved rows (one call is capped at 2 GiB). */
const IO_CHUNK = 1 << 30;

/** Options of {@link createExactScanIndexProvider}. */
export interface ExactScanIndexProviderOptions {
  /**
   * Directory of each collection's saved int8 copies (`collection-<n>.i8`, `.ids`, `.json`),
   * checked against the database on open with the HNSW index's rules; a missing, stale or
   * corrupted file is rebuilt from the database.
   */
  dir: string;
  /** Idle time after a write before the copies are saved (always on close). Default 30 000 ms. */
  persistAfterMs?: number;
  /**
   * Threads of one scan of at least 65 536 rows (usearch splits the rows between them). Default 2:
   * halves a large scan's wall time when a second core is free.
   */
  threads?: number;
}

interface Config {
  usearch: UsearchModule;
  dir: string;
  persistAfterMs: number;
  threads: number;
}

/**
 * A {@link FaceVectorIndexProvider} for exact search that scans int8 copies of the vectors with
 * usearch's SIMD kernels (1 byte per dimension in memory instead of 4), keeps the best
 * `limit + 32` candidates and scores those exactly from the database, so results and scores are
 * those of brute force over float32. The copies are saved beside the database (512 MB per
 * million 512-d faces) and read back on open instead of decoding every vector from SQLite.
 *
 * @throws {InternalServerError} when usearch's addon cannot be loaded.
 */
export function createExactScanIndexProvider(
  options: ExactScanIndexProviderOptions,
): FaceVectorIndexProvider {
  const config: Config = {
    usearch: loadUsearch(),
    dir: options.dir,
    persistAfterMs: options.persistAfterMs ?? 30_000,
    threads: Math.max(1, Math.floor(options.threads ?? 2)),
  };
  mkdirSync(config.dir, { recursive: true });
  return {
    name: 'sqlite',
    search: 'exact',
    open: (source) => new ExactScanIndex(config, source),
    drop: (collectionSeq) =>
      removePersistedIndex(persistedIndexFiles(config.dir, collectionSeq, EXTENSION)),
  };
}

/** Int8 copies of the vectors, unit length before quantising, in a {@link RowMatrix}. */
class ExactScanIndex extends PersistedFaceIndex {
  private rows = new RowMatrix((length) => new Int8Array(length));
  private scratch = new Float32Array(0);

  constructor(
    private readonly config: Config,
    source: FaceVectorSource,
  ) {
    super(
      {
        dir: config.dir,
        extension: EXTENSION,
        settings: { kind: 'exact-int8' },
        persistAfterMs: config.persistAfterMs,
        buildBatch: BUILD_BATCH,
      },
      source,
    );
    this.open();
  }

  get count(): number {
    return this.rows.count;
  }

  get dim(): number {
    return this.rows.count > 0 ? this.rows.dim : 0;
  }

  remove(seqs: ReadonlySet<number>): void {
    const before = this.rows.count;
    this.rows.remove(seqs);
    if (this.rows.count !== before) this.changed();
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    const { count, dim, data, seqs } = this.rows;
    const want = Math.min(Math.floor(limit), count);
    if (want <= 0) return [];
    const q = normalized(query);
    const probe = quantized(q);
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    if (this.scratch.length !== q.length) this.scratch = new Float32Array(q.length);
    // usearch 2.25's exactSearch reads a typed array's buffer from byte 0 (ignoring a subarray's
    // offset): `data` always starts its buffer, and `probe` is a fresh array.
    const dataset = data.subarray(0, count * dim);
    const threads = count >= PARALLEL_SCAN ? this.config.threads : 1;
    let k = Math.min(count, want + excluded.size + MARGIN);
    for (;;) {
      const { keys, distances } = this.config.usearch.exactSearch(
        dataset,
        probe,
        dim,
        k,
        'cos',
        threads,
      );
      const candidates: number[] = [];
      for (let i = 0; i < keys.length; i++) candidates.push(seqs[Number(keys[i])]);
      const hits = rescore(this.source, q, candidates, floor, excluded, this.scratch);
      const lowest = 1 - distances[distances.length - 1];
      // Enough hits, every row scanned, or the rest score below minScore even allowing for
      // int8 rounding: done. Otherwise widen the shortlist.
      if (hits.length >= want + MARGIN || k >= count || lowest < floor - 0.01) {
        return hits.slice(0, want);
      }
      k = Math.min(count, k * 4);
    }
  }

  protected savedIds(): Float64Array {
    return this.rows.seqs.slice(0, this.rows.count);
  }

  protected clearIndex(): void {
    this.rows = new RowMatrix((length) => new Int8Array(length));
  }

  protected addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void {
    for (let i = 0; i < seqs.length; i++) {
      normalizeInPlace(batch, i * dim, dim);
      const slot = this.rows.appendSlot(seqs[i], dim);
      quantizeInto(batch, i * dim, dim, slot.data, slot.offset);
    }
  }

  protected writeIndex(path: string): void {
    const { data, count, dim } = this.rows;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, count * dim);
    const fd = openSync(path, 'w');
    try {
      for (let done = 0; done < bytes.length; ) {
        done += writeSync(fd, bytes, done, Math.min(IO_CHUNK, bytes.length - done));
      }
    } finally {
      closeSync(fd);
    }
  }

  protected readIndex(
    path: string,
    saved: { dim: number; ntotal: number; ids: Float64Array<ArrayBuffer> },
  ): boolean {
    const { dim, ntotal, ids } = saved;
    if (statSync(path).size !== ntotal * dim) return false;
    const data = new Int8Array(ntotal * dim);
    const bytes = new Uint8Array(data.buffer);
    const fd = openSync(path, 'r');
    try {
      for (let done = 0; done < bytes.length; ) {
        const n = readSync(fd, bytes, done, Math.min(IO_CHUNK, bytes.length - done), done);
        if (n === 0) return false;
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    const rows = new RowMatrix((length) => new Int8Array(length));
    rows.data = data;
    rows.seqs = ids;
    rows.count = ntotal;
    rows.dim = dim;
    this.rows = rows;
    return true;
  }
}
