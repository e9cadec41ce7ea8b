import {
  FACE_COLUMNS,
  type CollectionRow as SqlCollectionRow,
  type FaceRow as SqlFaceRow,
  type UserRow as SqlUserRow,
} from '@facekit/core/sql-store';
import type BetterSqlite3 from 'better-sqlite3';
import type { CollectionVectorState } from './face-vector-index.js';

/** SQLite returns integers as numbers. */
export type CollectionRow = SqlCollectionRow<number>;
export type FaceRow = SqlFaceRow<number>;
export type UserRow = SqlUserRow<number>;

export interface FaceVectorRow extends FaceRow {
  vector: Buffer;
}

export interface OwnershipRow {
  seq: number;
  user_seq: number | null;
  user_id: string | null;
}

export const USER_COLUMNS = `seq, user_id, created_at,
  (SELECT count(*) FROM faces WHERE faces.user_seq = users.seq) AS face_count`;

export const NO_SEQS: ReadonlySet<number> = new Set();

/**
 * What the store uses of a better-sqlite3 statement, declared here: the driver's own type is
 * internal to its declarations and cannot be named in ours.
 */
export interface PreparedStatement<Params extends unknown[], Row> {
  run(...params: Params): { changes: number; lastInsertRowid: number | bigint };
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  iterate(...params: Params): IterableIterator<Row>;
  pluck(toggleState?: boolean): this;
  raw(toggleState?: boolean): this;
}

interface StatementPreparer {
  prepare<Params extends unknown[] = unknown[], Row = unknown>(
    sql: string,
  ): PreparedStatement<Params, Row>;
}

export function prepareStatements(database: BetterSqlite3.Database) {
  const db = database as unknown as StatementPreparer;
  return {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),

    collection: db.prepare<[string], CollectionRow>(
      'SELECT seq, collection_id, face_model_version, created_at FROM collections WHERE collection_id = ?',
    ),
    insertCollection: db.prepare<[string, string, number]>(
      'INSERT INTO collections (collection_id, face_model_version, created_at) VALUES (?, ?, ?)',
    ),
    deleteCollection: db.prepare<[number]>('DELETE FROM collections WHERE seq = ?'),
    listCollections: db.prepare<[number, number], CollectionRow>(
      'SELECT seq, collection_id, face_model_version, created_at FROM collections WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    countFaces: db
      .prepare<[number], number>('SELECT count(*) FROM faces WHERE collection_seq = ?')
      .pluck(),
    countUsers: db
      .prepare<[number], number>('SELECT count(*) FROM users WHERE collection_seq = ?')
      .pluck(),

    tags: db.prepare<[number], { key: string; value: string }>(
      'SELECT key, value FROM tags WHERE collection_seq = ? ORDER BY key',
    ),
    upsertTag: db.prepare<[number, string, string]>(
      `INSERT INTO tags (collection_seq, key, value) VALUES (?, ?, ?)
       ON CONFLICT (collection_seq, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteTag: db.prepare<[number, string]>(
      'DELETE FROM tags WHERE collection_seq = ? AND key = ?',
    ),

    faceExists: db
      .prepare<[number, string], number>(
        'SELECT 1 FROM faces WHERE collection_seq = ? AND face_id = ?',
      )
      .pluck(),
    collectionDimensions: db
      .prepare<[number], number>(
        'SELECT length(vector) / 4 FROM faces WHERE collection_seq = ? LIMIT 1',
      )
      .pluck(),
    insertFace: db.prepare<
      [
        number,
        string,
        string,
        string | null,
        number,
        number,
        number,
        number,
        number,
        string,
        number,
        Buffer,
      ]
    >(
      `INSERT INTO faces (collection_seq, face_id, image_id, external_image_id, bbox_width,
         bbox_height, bbox_left, bbox_top, confidence, index_faces_model_version, created_at, vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** Faces by id (JSON array), in the order asked, duplicates repeated. */
    facesByIds: db.prepare<[string, number], FaceVectorRow>(
      `SELECT ${FACE_COLUMNS}, f.vector FROM json_each(?) AS j
       CROSS JOIN faces f ON f.collection_seq = ? AND f.face_id = j.value
       LEFT JOIN users u ON u.seq = f.user_seq
       ORDER BY j.key`,
    ),
    /** Faces by seq (JSON array), in the order asked. */
    facesBySeqs: db.prepare<[string], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM json_each(?) AS j
       CROSS JOIN faces f ON f.seq = j.value
       LEFT JOIN users u ON u.seq = f.user_seq
       ORDER BY j.key`,
    ),
    faceSeqsByIds: db
      .prepare<[string, number], number>(
        `SELECT f.seq FROM json_each(?) AS j
         CROSS JOIN faces f ON f.collection_seq = ? AND f.face_id = j.value`,
      )
      .pluck(),
    facesOfImage: db.prepare<[number, string], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.image_id = ? ORDER BY f.seq`,
    ),
    listFaces: db.prepare<[number, number, number], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.seq > ? ORDER BY f.seq LIMIT ?`,
    ),
    listFacesOfUser: db.prepare<[number, number, number, number], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.user_seq = ? AND f.seq > ? ORDER BY f.seq LIMIT ?`,
    ),
    listFacesByIds: db.prepare<[number, string, number, number], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.face_id IN (SELECT value FROM json_each(?))
         AND f.seq > ? ORDER BY f.seq LIMIT ?`,
    ),
    listFacesOfUserByIds: db.prepare<[number, number, string, number, number], FaceRow>(
      `SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.user_seq = ? AND f.face_id IN (SELECT value FROM json_each(?))
         AND f.seq > ? ORDER BY f.seq LIMIT ?`,
    ),
    ownership: db.prepare<[number, string], OwnershipRow>(
      `SELECT f.seq, f.user_seq, u.user_id FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_seq = ? AND f.face_id = ?`,
    ),
    deleteFace: db.prepare<[number]>('DELETE FROM faces WHERE seq = ?'),
    setFaceUser: db.prepare<[number | null, number]>('UPDATE faces SET user_seq = ? WHERE seq = ?'),
    collectionVectorState: db.prepare<[number, number], CollectionVectorState>(
      `SELECT count(*) AS count, coalesce(max(seq), 0) AS maxSeq, coalesce(sum(seq), 0) AS seqSum
       FROM faces WHERE collection_seq = ? AND seq <= ?`,
    ),
    collectionVectorsAfter: db
      .prepare<[number, number], [number, Buffer]>(
        'SELECT seq, vector FROM faces WHERE collection_seq = ? AND seq > ? ORDER BY seq',
      )
      .raw(),
    faceVector: db
      .prepare<[number, number], Buffer>(
        'SELECT vector FROM faces WHERE seq = ? AND collection_seq = ?',
      )
      .pluck(),

    user: db.prepare<[number, string], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE collection_seq = ? AND user_id = ?`,
    ),
    insertUser: db.prepare<[number, string, number]>(
      'INSERT INTO users (collection_seq, user_id, created_at) VALUES (?, ?, ?)',
    ),
    deleteUser: db.prepare<[number]>('DELETE FROM users WHERE seq = ?'),
    insertFaceSeparation: db.prepare<[number, string, number, string]>(
      `INSERT OR IGNORE INTO face_separations (face_seq, other_face_seq)
       SELECT a.seq, b.seq FROM faces a, faces b
       WHERE a.collection_seq = ? AND a.face_id = ? AND b.collection_seq = ? AND b.face_id = ?`,
    ),
    insertFaceUserSeparation: db.prepare<[number, string, number, string]>(
      `INSERT OR IGNORE INTO face_user_separations (face_seq, user_seq)
       SELECT f.seq, u.seq FROM faces f, users u
       WHERE f.collection_seq = ? AND f.face_id = ? AND u.collection_seq = ? AND u.user_id = ?`,
    ),
    deleteFaceSeparation: db.prepare<[number, string, number, string]>(
      `DELETE FROM face_separations WHERE (face_seq, other_face_seq) IN (
         SELECT a.seq, b.seq FROM faces a, faces b
         WHERE a.collection_seq = ? AND a.face_id = ? AND b.collection_seq = ? AND b.face_id = ?)`,
    ),
    deleteFaceUserSeparation: db.prepare<[number, string, number, string]>(
      `DELETE FROM face_user_separations WHERE (face_seq, user_seq) IN (
         SELECT f.seq, u.seq FROM faces f, users u
         WHERE f.collection_seq = ? AND f.face_id = ? AND u.collection_seq = ? AND u.user_id = ?)`,
    ),
    faceSeparations: db.prepare<[number], { face_id: string; other_face_id: string }>(
      `SELECT a.face_id, b.face_id AS other_face_id
       FROM face_separations s JOIN faces a ON a.seq = s.face_seq JOIN faces b ON b.seq = s.other_face_seq
       WHERE a.collection_seq = ?`,
    ),
    faceUserSeparations: db.prepare<[number], { face_id: string; user_id: string }>(
      `SELECT f.face_id, u.user_id
       FROM face_user_separations s JOIN faces f ON f.seq = s.face_seq JOIN users u ON u.seq = s.user_seq
       WHERE f.collection_seq = ?`,
    ),
    listUsers: db.prepare<[number, number, number], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE collection_seq = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    userFaceCount: db
      .prepare<[number], number>('SELECT count(*) FROM faces WHERE user_seq = ?')
      .pluck(),
    userVectors: db
      .prepare<[number], Buffer>('SELECT vector FROM faces WHERE user_seq = ? ORDER BY seq')
      .pluck(),
    /** Every owned face's vector, grouped by user in creation order. */
    collectionUserVectors: db
      .prepare<[number], [number, string, number, Buffer]>(
        `SELECT u.seq, u.user_id, u.created_at, f.vector
         FROM users u JOIN faces f ON f.user_seq = u.seq
         WHERE u.collection_seq = ? ORDER BY u.seq, f.seq`,
      )
      .raw(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
