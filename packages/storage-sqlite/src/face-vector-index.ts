import { decodeVectorInto } from './vector-blob.js';
import { type MatrixHit, VectorMatrix } from './vector-matrix.js';

export type { MatrixHit as VectorHit } from './vector-matrix.js';

/**
 * A digest of a collection's committed faces, cheap to compute (one pass over an index), that
 * changes with every insert and delete: an index persisted beside the database is current only
 * when its recorded state equals this one. Face seqs are AUTOINCREMENT and never reused, so any
 * insert raises `maxSeq` and any delete changes `count` and `seqSum`.
 */
export interface CollectionVectorState {
  count: number;
  /** Highest face seq, 0 when empty. */
  maxSeq: number;
  /** Sum of all face seqs (exact below 2^53). */
  seqSum: number;
}

/** What a {@link FaceVectorIndexProvider} may read from the database for one collection. */
export interface FaceVectorSource {
  /** The collection's internal number: stable, never reused after a delete. */
  readonly collectionSeq: number;
  /** The committed faces' digest (of those with seq <= `upToSeq` when given), read now. */
  state(upToSeq?: number): CollectionVectorState;
  /**
   * Every committed face of the collection in seq (indexing) order: `[seq, vector blob]`, the blob
   * float32 little-endian (copy it with {@link decodeVectorInto}); only seqs above `afterSeq` when
   * given (to catch up an index persisted earlier). Read now, at call time.
   */
  rows(afterSeq?: number): Iterable<[seq: number, vector: Uint8Array]>;
  /**
   * One committed face's vector blob (as in `rows`), or `undefined` when the collection has no
   * face with that seq: lets an index that keeps quantised vectors score its few candidates
   * exactly. Read now, at call time (inside the caller's transaction during a search).
   */
  vector(seq: number): Uint8Array | undefined;
}

/**
 * The search index of one collection's face vectors, kept in step with the database by the
 * store: `add`/`remove` run right after the transaction that wrote the rows commits, in the same
 * synchronous turn, so no caller ever sees the two disagree.
 */
export interface FaceVectorIndex {
  /** Faces searchable. */
  readonly count: number;
  /** Their dimension (0 while empty). */
  readonly dim: number;
  /** Adds committed faces (seqs increasing). */
  add(seqs: readonly number[], vectors: readonly Float32Array[]): void;
  /** Removes deleted faces: they must never be returned again. */
  remove(seqs: ReadonlySet<number>): void;
  /**
   * The `limit` faces with the highest cosine similarity to `query`, best first, ties by lower
   * seq; scores below `minScore` and seqs in `excluded` left out.
   */
  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): MatrixHit[];
  /** The store forgets this index (closing, or another connection wrote): free or persist it. */
  release(): void;
}

/**
 * Makes the face index of each collection: the extension point through which another index
 * (e.g. `@facekit/storage-faiss`) replaces the built-in exact search while SQLite keeps the rows.
 */
export interface FaceVectorIndexProvider {
  /** Reported as the store's `capabilities.search`. */
  readonly search: 'exact' | 'approximate';
  /** Reported as the store's `name`. */
  readonly name?: string;
  /** Opens (loads or builds) the index of one collection, on first search or write after open. */
  open(source: FaceVectorSource): FaceVectorIndex;
  /** The collection was deleted (committed): forget its index, and its files if any. */
  drop(collectionSeq: number): void;
  /** The store is closing (every index was released first). */
  close?(): void;
}

/** The built-in provider: brute-force exact search over a `VectorMatrix` in memory. */
export const matrixIndexProvider: FaceVectorIndexProvider = {
  search: 'exact',
  open(source) {
    const matrix = new VectorMatrix();
    for (const [seq, blob] of source.rows()) {
      const slot = matrix.appendSlot(seq, blob.byteLength / 4);
      decodeVectorInto(blob, slot.data, slot.offset);
    }
    return {
      get count() {
        return matrix.count;
      },
      get dim() {
        return matrix.dim;
      },
      add(seqs, vectors) {
        for (const [i, seq] of seqs.entries()) matrix.append(seq, vectors[i]);
      },
      remove: (seqs) => matrix.remove(seqs),
      search: (query, limit, minScore, excluded) => matrix.search(query, limit, minScore, excluded),
      release() {},
    };
  },
  drop() {},
};
