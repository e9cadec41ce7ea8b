import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type {
  CollectionVectorState,
  FaceVectorIndex,
  FaceVectorSource,
  VectorHit,
} from './face-vector-index.js';
import { decodeVectorInto } from './vector-blob.js';

const FORMAT = 1;

/** The three files of one collection's saved index: the engine's, its seqs, and the JSON. */
export interface PersistedIndexFiles {
  index: string;
  ids: string;
  meta: string;
}

/**
 * `<dir>/collection-<n>.<extension>` (the engine's file), `.ids` (the seq of every row, a deleted
 * one negated, float64) and `.json` (what they hold and their checksums, written last).
 */
export function persistedIndexFiles(
  dir: string,
  collectionSeq: number,
  extension: string,
): PersistedIndexFiles {
  const base = join(dir, `collection-${collectionSeq}`);
  return { index: `${base}.${extension}`, ids: `${base}.ids`, meta: `${base}.json` };
}

/** Deletes a collection's saved index files (the collection was dropped). */
export function removePersistedIndex(files: PersistedIndexFiles): void {
  for (const path of Object.values(files)) rmSync(path, { force: true });
}

/** What every provider of a {@link PersistedFaceIndex} takes. */
export interface PersistedIndexProviderOptions {
  /** Directory of the index files (`collection-<n>.<engine>`, `.ids`, `.json`). */
  dir: string;
  /**
   * After a write, the index is saved to disk once it has been idle this long, in milliseconds
   * (and always on close). Default 30 000. The database stays the source of truth: an index file
   * that misses writes is caught up or rebuilt from it on open.
   */
  persistAfterMs?: number;
  /**
   * A graph cannot really delete: deleted faces become tombstones that searches skip. The graph is
   * rebuilt from the database when they exceed this share of its nodes. Default 0.2.
   */
  rebuildTombstoneRatio?: number;
}

/** Options of a {@link PersistedFaceIndex}. */
export interface PersistedFaceIndexOptions {
  /** Directory of the index files. */
  dir: string;
  /** Ending of the engine's file, e.g. `faiss`. */
  extension: string;
  /**
   * The settings the saved graph was built with (e.g. its kind or connectivity), recorded in the
   * JSON: a file built with other values is rebuilt.
   */
  settings: Readonly<Record<string, string | number>>;
  /** Idle time after a write before the index is saved, in milliseconds (always on release). */
  persistAfterMs: number;
  /** Rows decoded per {@link PersistedFaceIndex.addRows} call while (re)building. */
  buildBatch: number;
}

/** What the JSON beside a saved index records. */
interface SavedIndexMeta {
  format: number;
  dim: number;
  ntotal: number;
  /** Digest of the live (not deleted) seqs when saved. */
  state: CollectionVectorState;
  indexSha256: string;
  idsSha256: string;
  [setting: string]: unknown;
}

/**
 * A {@link FaceVectorIndex} whose engine keeps one collection's vectors in memory and saves them
 * beside the database, which stays the source of truth. On open the saved files are used only
 * when intact (checksums) and matching the database up to the seq they had reached (see
 * {@link CollectionVectorState}); faces written since (e.g. before a crash) are then added, and
 * anything else is rebuilt from the database. After writes the files are saved once idle, and on
 * release, each under a temporary name then renamed, the JSON last.
 *
 * A subclass supplies the engine: how rows are added, written and read back, and the saved seqs.
 * It calls {@link PersistedFaceIndex.open} at the end of its constructor (once its own fields
 * exist).
 */
export abstract class PersistedFaceIndex implements FaceVectorIndex {
  protected readonly files: PersistedIndexFiles;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  protected constructor(
    private readonly options: PersistedFaceIndexOptions,
    protected readonly source: FaceVectorSource,
  ) {
    this.files = persistedIndexFiles(options.dir, source.collectionSeq, options.extension);
  }

  abstract readonly count: number;
  abstract readonly dim: number;
  abstract remove(seqs: ReadonlySet<number>): void;
  abstract search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[];

  /** Every row's seq in row order, a deleted one negated: a copy, saved as the `.ids` file. */
  protected abstract savedIds(): Float64Array;
  /** Forgets the engine's index and rows (before a rebuild, or after a failed load). */
  protected abstract clearIndex(): void;
  /** Adds decoded rows (`dim` floats each, not yet normalised; `batch` may be changed). */
  protected abstract addRows(seqs: ArrayLike<number>, batch: Float32Array, dim: number): void;
  /** Runs before an add changes the index (e.g. to make a read-only memory map writable). */
  protected beforeWrite(): void {}
  /** Writes the engine's index to `path`. */
  protected abstract writeIndex(path: string): void;
  /**
   * Reads the engine's index saved at `path` and takes `ids` (as {@link savedIds} gave them) as
   * its rows; `writable` false allows a read-only memory map. False when the file does not hold
   * `ntotal` rows of `dim`.
   */
  protected abstract readIndex(
    path: string,
    saved: { dim: number; ntotal: number; ids: Float64Array<ArrayBuffer> },
    writable: boolean,
  ): boolean;

  /** Adds committed faces: copies them into one batch for {@link addRows}. */
  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    if (seqs.length === 0) return;
    const dim = vectors[0].length;
    const batch = new Float32Array(seqs.length * dim);
    for (const [i, v] of vectors.entries()) batch.set(v, i * dim);
    this.beforeWrite();
    this.addRows(seqs, batch, dim);
    this.changed();
  }

  release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.persist();
  }

  /** Loads the saved index, or builds it from the database. */
  protected open(): void {
    if (!this.load()) this.rebuild();
  }

  /** Builds the index from every committed face and saves it. */
  protected rebuild(): void {
    this.clearIndex();
    this.addFromDatabase(0);
    this.persist();
  }

  /** Schedules a save once writes have been idle for `persistAfterMs`. */
  protected changed(): void {
    this.dirty = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) this.persist();
    }, this.options.persistAfterMs);
    this.timer.unref?.();
  }

  /** Appends the database's rows after `afterSeq`, in batches. */
  private addFromDatabase(afterSeq: number): void {
    const { buildBatch } = this.options;
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
        batch = new Float32Array(buildBatch * dim);
      }
      decodeVectorInto(blob, batch, seqs.length * dim);
      seqs.push(seq);
      if (seqs.length === buildBatch) flush();
    }
    flush();
  }

  /**
   * Loads the saved index when its files are intact and it matches the database up to the seq it
   * had reached (faces indexed since, e.g. before a crash, are then added). False: rebuild.
   */
  private load(): boolean {
    const { files, options } = this;
    if (!existsSync(files.meta)) return false;
    try {
      const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as SavedIndexMeta;
      if (meta.format !== FORMAT) return false;
      for (const [key, value] of Object.entries(options.settings)) {
        if (meta[key] !== value) return false;
      }
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
      if (!this.readIndex(files.index, { dim: meta.dim, ntotal: meta.ntotal, ids }, catchUp)) {
        this.clearIndex();
        return false;
      }
      if (catchUp) {
        this.addFromDatabase(meta.state.maxSeq);
        this.changed();
      }
      return true;
    } catch {
      this.clearIndex();
      return false;
    }
  }

  /** Writes the three files under temporary names, then renames them; the JSON goes last. */
  private persist(): void {
    const { files } = this;
    this.dirty = false;
    const ids = this.savedIds();
    const state = liveState(ids);
    if (state.count === 0) {
      removePersistedIndex(files);
      return;
    }
    try {
      const idsBytes = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
      this.writeIndex(`${files.index}.tmp`);
      writeFileSync(`${files.ids}.tmp`, idsBytes);
      const meta: SavedIndexMeta = {
        format: FORMAT,
        ...this.options.settings,
        dim: this.dim,
        ntotal: ids.length,
        state,
        indexSha256: sha256File(`${files.index}.tmp`),
        idsSha256: sha256(idsBytes),
      };
      writeFileSync(`${files.meta}.tmp`, JSON.stringify(meta));
      rmSync(files.meta, { force: true });
      // A memory-mapped index keeps reading the old file's pages after the rename replaces it.
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
