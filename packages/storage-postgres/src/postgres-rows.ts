import {
  type SqlInt as Int8,
  parseSeqCursor,
  type CollectionRow as SqlCollectionRow,
} from '@facekit/core/sql-store';

export interface CollectionRow extends SqlCollectionRow {
  /** Set by the collection's first face: pgvector's `vector` column has no fixed dimension. */
  dimension: number | null;
  /** Kept by the writes that add or remove the collection's faces and users (migration 3). */
  face_count: Int8;
  user_count: Int8;
}

/** Cursors are a row's `seq` (a bigint: at most 18 digits here). */
export const parseCursor = (after: string | undefined) => parseSeqCursor(after, 18);

export interface OwnershipRow {
  seq: Int8;
  face_id: string;
  user_seq: Int8 | null;
}

export const json = (value: unknown) => JSON.stringify(value);
