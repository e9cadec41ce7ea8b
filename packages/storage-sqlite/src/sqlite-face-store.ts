import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type CollectionRecord,
  type CollectionStats,
  ConflictException,
  collectionNotFound,
  type DeleteFacesResult,
  type FaceFilter,
  type FaceMetadata,
  type FaceOwnershipResult,
  type FaceStore,
  InternalServerError,
  InvalidPaginationTokenException,
  InvalidParameterException,
  type Page,
  type PageRequest,
  RekognitionError,
  ResourceAlreadyExistsException,
  type ScoredFace,
  type ScoredUser,
  ServiceQuotaExceededException,
  type StoredFace,
  ThrottlingException,
  type UserRecord,
  type UserSearchOptions,
  userNotFound,
  type VectorSearchOptions,
} from '@facekit/core';
import { centroid } from '@facekit/core/vector';
import type BetterSqlite3 from 'better-sqlite3';
import {
  type CollectionVectorState,
  type FaceVectorIndex,
  type FaceVectorIndexProvider,
  matrixIndexProvider,
} from './face-vector-index.js';
import { errorMessage, loadDriver, runtimeHint } from './load-driver.js';
import { migrate } from './migrations.js';
import { decodeVector, encodeVector } from './vector-blob.js';
import { VectorMatrix } from './vector-matrix.js';

/** Options of {@link createSqliteFaceStore}. */
export interface SqliteFaceStoreOptions {
  /**
   * Database file path (its parent directory is created if missing), or `':memory:'` for a
   * private in-memory database that disappears on `close()`.
   */
  path: string;
  /**
   * How long a write waits for another process holding the write lock, in milliseconds, before
   * failing with `ThrottlingException`. The wait blocks the event loop (better-sqlite3 is
   * synchronous), so keep it short. Default 5000.
   */
  busyTimeoutMs?: number;
  /**
   * SQLite `synchronous` level. `'normal'` (default): in WAL mode every acknowledged write
   * survives a crash or kill of the process, but the last transactions may be lost on power
   * loss or an OS crash. `'full'`: also survives power loss, at one fsync per write.
   */
  synchronous?: 'normal' | 'full';
  /**
   * The face vector index of each collection. Default: exact brute-force search over the
   * vectors in memory. `@facekit/storage-faiss` passes a faiss index here.
   */
  faceIndex?: FaceVectorIndexProvider;
}

/**
 * A persistent {@link FaceStore} in one SQLite file, through `better-sqlite3` 12: collections,
 * faces (metadata and float32 vectors), users and tags in tables; exact (brute-force) search.
 *
 * The database is opened in WAL mode with foreign keys on, and migrated to the current schema
 * in a transaction. Several processes may share the file: each method is one SQLite
 * transaction (writes take the write lock up front), and the in-memory search matrices are
 * dropped whenever another connection commits.
 *
 * `better-sqlite3` is an optional native dependency loaded on first call.
 *
 * @throws {InternalServerError} when `better-sqlite3` 12 cannot be loaded (the message says how
 * to install it), the file is not a facekit SQLite database or is corrupted, or its schema is
 * newer than this package knows.
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/collections.html
 */
export async function createSqliteFaceStore(options: SqliteFaceStoreOptions): Promise<FaceStore> {
  const Database = await loadDriver();
  const {
    path,
    busyTimeoutMs = 5000,
    synchronous = 'normal',
    faceIndex = matrixIndexProvider,
  } = options;
  const inMemory = path === ':memory:';
  const timeoutMs = Number.isFinite(busyTimeoutMs) ? Math.max(0, Math.floor(busyTimeoutMs)) : 5000;
  let db: BetterSqlite3.Database;
  try {
    if (!inMemory && path !== '') mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path, { timeout: timeoutMs });
  } catch (cause) {
    throw openError(path, cause);
  }
  try {
    // Fails with SQLITE_NOTADB on a file that is not a SQLite database.
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL syncs the WAL only at checkpoints: a commit is in the OS page cache once the
    // call returns, so it survives a process crash (the acknowledged-write guarantee we need);
    // only power loss / kernel crash can lose the latest commits. `'full'` closes that gap.
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${timeoutMs}`);
    migrate(db, path);
    return new SqliteFaceStore(db, !inMemory, faceIndex);
  } catch (cause) {
    db.close();
    throw openError(path, cause);
  }
}

function openError(path: string, cause: unknown): RekognitionError {
  if (RekognitionError.isInstance(cause)) return cause;
  const code = sqliteCode(cause);
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    return new InternalServerError(
      `${path} is not a SQLite database or is corrupted (${errorMessage(cause)}); facekit cannot open it.`,
      { cause },
    );
  }
  const hint = runtimeHint();
  return new InternalServerError(
    `Cannot open SQLite database ${path}: ${errorMessage(cause)}${hint ? ` ${hint}` : ''}`,
    { cause },
  );
}

/** Turns a driver error into a core error (a core error passes through unchanged). */
function storageError(error: unknown): RekognitionError {
  if (RekognitionError.isInstance(error)) return error;
  const code = sqliteCode(error);
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new ThrottlingException(
      'The SQLite database is locked by another connection; try again.',
      { cause: error },
    );
  }
  return new InternalServerError(`SQLite storage failed: ${errorMessage(error)}`, { cause: error });
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Cursors are a row's `seq` as a decimal string; rows start at 1 and stay below 2^53. */
const CURSOR = /^[1-9]\d{0,14}$/;

function parseCursor(after: string | undefined): number {
  if (after === undefined) return 0;
  if (!CURSOR.test(after)) throw new InvalidPaginationTokenException('Invalid Pagination Token');
  return Number(after);
}

/** Rows fetched with `LIMIT limit + 1`, so one extra row says that more follow. */
function toPage<R extends { seq: number }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? String(items[items.length - 1].seq) : undefined;
  return next === undefined ? { items: items.map(map) } : { items: items.map(map), next };
}

interface CollectionRow {
  seq: number;
  collection_id: string;
  face_model_version: string;
  created_at: number;
}

interface FaceRow {
  seq: number;
  face_id: string;
  image_id: string;
  external_image_id: string | null;
  bbox_width: number;
  bbox_height: number;
  bbox_left: number;
  bbox_top: number;
  confidence: number;
  index_faces_model_version: string;
  user_id: string | null;
  created_at: number;
}

interface FaceVectorRow extends FaceRow {
  vector: Buffer;
}

interface UserRow {
  seq: number;
  user_id: string;
  created_at: number;
  face_count: number;
}

interface OwnershipRow {
  seq: number;
  user_seq: number | null;
  user_id: string | null;
}

function collectionRecord(row: CollectionRow): CollectionRecord {
  return {
    collectionId: row.collection_id,
    faceModelVersion: row.face_model_version,
    createdAt: row.created_at,
  };
}

function faceMetadata(row: FaceRow): FaceMetadata {
  const face: FaceMetadata = {
    faceId: row.face_id,
    imageId: row.image_id,
    boundingBox: {
      width: row.bbox_width,
      height: row.bbox_height,
      left: row.bbox_left,
      top: row.bbox_top,
    },
    confidence: row.confidence,
    indexFacesModelVersion: row.index_faces_model_version,
    createdAt: row.created_at,
  };
  if (row.external_image_id !== null) face.externalImageId = row.external_image_id;
  if (row.user_id !== null) face.userId = row.user_id;
  return face;
}

function userRecord(row: UserRow): UserRecord {
  return { userId: row.user_id, createdAt: row.created_at, faceCount: row.face_count };
}

const FACE_COLUMNS = `f.seq, f.face_id, f.image_id, f.external_image_id, f.bbox_width,
  f.bbox_height, f.bbox_left, f.bbox_top, f.confidence, f.index_faces_model_version,
  u.user_id, f.created_at`;
const USER_COLUMNS = `seq, user_id, created_at,
  (SELECT count(*) FROM faces WHERE faces.user_seq = users.seq) AS face_count`;

/** Searchable user vectors of one collection: centroids in creation order plus their records. */
interface UserIndex {
  matrix: VectorMatrix;
  records: Map<number, UserRecord>;
  seqByUserId: Map<string, number>;
}

const NO_SEQS: ReadonlySet<number> = new Set();

function prepareStatements(db: BetterSqlite3.Database) {
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

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The store. Every method runs synchronously (better-sqlite3) inside one SQLite transaction, so
 * it is atomic both against other calls in this process and against other processes; writes use
 * `BEGIN IMMEDIATE` so they never fail half-way on a lock upgrade.
 *
 * Search caches: per collection, a {@link VectorMatrix} of face vectors and one of user
 * centroids, built lazily from the database. Own writes update (faces) or drop (users) them
 * right after commit, in the same synchronous turn; commits by other connections are detected
 * with `PRAGMA data_version` at the start of each search and drop every cache.
 */
class SqliteFaceStore implements FaceStore {
  readonly specificationVersion = 'v1' as const;
  readonly name: string;
  readonly capabilities: FaceStore['capabilities'];

  private readonly statements: Statements;
  private readonly faceIndexes = new Map<number, FaceVectorIndex>();
  private readonly userIndexes = new Map<number, UserIndex>();
  private dataVersion = -1;

  constructor(
    private readonly db: BetterSqlite3.Database,
    persistent: boolean,
    private readonly indexProvider: FaceVectorIndexProvider,
  ) {
    this.name = indexProvider.name ?? 'sqlite';
    this.capabilities = { persistent, search: indexProvider.search };
    this.statements = prepareStatements(db);
  }

  async createCollection(record: CollectionRecord, tags: Readonly<Record<string, string>> = {}) {
    return this.write(() => {
      const s = this.statements;
      if (s.collection.get(record.collectionId)) {
        throw new ResourceAlreadyExistsException(
          `The collection id: ${record.collectionId} already exists.`,
        );
      }
      const seq = Number(
        s.insertCollection.run(record.collectionId, record.faceModelVersion, record.createdAt)
          .lastInsertRowid,
      );
      for (const [key, value] of Object.entries(tags)) s.upsertTag.run(seq, key, value);
    });
  }

  async deleteCollection(collectionId: string) {
    return this.write(
      () => {
        const { seq } = this.collection(collectionId);
        this.statements.deleteCollection.run(seq);
        return seq;
      },
      (seq) => {
        this.faceIndexes.get(seq)?.release();
        this.faceIndexes.delete(seq);
        this.userIndexes.delete(seq);
        this.indexProvider.drop(seq);
      },
    ).then(() => undefined);
  }

  async describeCollection(collectionId: string): Promise<CollectionStats> {
    return this.read(() => {
      const row = this.collection(collectionId);
      return {
        ...collectionRecord(row),
        faceCount: this.statements.countFaces.get(row.seq) ?? 0,
        userCount: this.statements.countUsers.get(row.seq) ?? 0,
      };
    });
  }

  async listCollections(page: PageRequest) {
    return this.read(() => {
      const after = parseCursor(page.after);
      const rows = this.statements.listCollections.all(after, page.limit + 1);
      return toPage(rows, page.limit, collectionRecord);
    });
  }

  async getTags(collectionId: string) {
    return this.read(() => this.tagsOf(this.collection(collectionId).seq));
  }

  async tagCollection(
    collectionId: string,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ) {
    return this.write(() => {
      const { seq } = this.collection(collectionId);
      const merged = new Set([...Object.keys(this.tagsOf(seq)), ...Object.keys(tags)]);
      if (merged.size > maxTags) {
        throw new ServiceQuotaExceededException(
          `Resource would have ${merged.size} tags; the limit is ${maxTags}.`,
        );
      }
      for (const [key, value] of Object.entries(tags))
        this.statements.upsertTag.run(seq, key, value);
    });
  }

  async untagCollection(collectionId: string, keys: readonly string[]) {
    return this.write(() => {
      const { seq } = this.collection(collectionId);
      for (const key of keys) this.statements.deleteTag.run(seq, key);
    });
  }

  async putFaces(collectionId: string, faces: readonly StoredFace[]) {
    return this.write(
      () => {
        const s = this.statements;
        const { seq: collectionSeq } = this.collection(collectionId);
        const seen = new Set<string>();
        for (const face of faces) {
          if (seen.has(face.faceId) || s.faceExists.get(collectionSeq, face.faceId) !== undefined) {
            throw new ConflictException(`Face ${face.faceId} already exists in ${collectionId}.`);
          }
          seen.add(face.faceId);
        }
        if (faces.length > 0) {
          const dimensions = s.collectionDimensions.get(collectionSeq) ?? faces[0].vector.length;
          for (const face of faces) {
            if (face.vector.length !== dimensions) {
              throw new InvalidParameterException(
                `Face ${face.faceId} has a ${face.vector.length}-dimensional vector; faces in ${collectionId} have ${dimensions} dimensions.`,
              );
            }
          }
        }
        const seqs = faces.map((face) =>
          Number(
            s.insertFace.run(
              collectionSeq,
              face.faceId,
              face.imageId,
              face.externalImageId ?? null,
              face.boundingBox.width,
              face.boundingBox.height,
              face.boundingBox.left,
              face.boundingBox.top,
              face.confidence,
              face.indexFacesModelVersion,
              face.createdAt,
              encodeVector(face.vector),
            ).lastInsertRowid,
          ),
        );
        return { collectionSeq, seqs };
      },
      ({ collectionSeq, seqs }) => {
        this.faceIndexes.get(collectionSeq)?.add(
          seqs,
          faces.map((face) => face.vector),
        );
      },
    ).then(() => undefined);
  }

  async getFaces(collectionId: string, faceIds: readonly string[]) {
    return this.read(() => {
      const { seq } = this.collection(collectionId);
      if (faceIds.length === 0) return [];
      return this.statements.facesByIds
        .all(JSON.stringify(faceIds), seq)
        .map((row): StoredFace => ({ ...faceMetadata(row), vector: decodeVector(row.vector) }));
    });
  }

  async findFacesByImage(collectionId: string, imageId: string) {
    return this.read(() => {
      const { seq } = this.collection(collectionId);
      return this.statements.facesOfImage.all(seq, imageId).map(faceMetadata);
    });
  }

  async listFaces(collectionId: string, page: PageRequest, filter: FaceFilter = {}) {
    return this.read(() => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      const after = parseCursor(page.after);
      const limit = page.limit + 1;
      let userSeq: number | undefined;
      if (filter.userId !== undefined) {
        userSeq = s.user.get(seq, filter.userId)?.seq;
        if (userSeq === undefined) return { items: [] };
      }
      const ids = filter.faceIds === undefined ? undefined : JSON.stringify(filter.faceIds);
      let rows: FaceRow[];
      if (userSeq === undefined) {
        rows =
          ids === undefined
            ? s.listFaces.all(seq, after, limit)
            : s.listFacesByIds.all(seq, ids, after, limit);
      } else {
        rows =
          ids === undefined
            ? s.listFacesOfUser.all(seq, userSeq, after, limit)
            : s.listFacesOfUserByIds.all(seq, userSeq, ids, after, limit);
      }
      return toPage(rows, page.limit, faceMetadata);
    });
  }

  async deleteFaces(collectionId: string, faceIds: readonly string[]) {
    return this.write(
      () => {
        const s = this.statements;
        const { seq: collectionSeq } = this.collection(collectionId);
        const result: DeleteFacesResult = { deleted: [], unsuccessful: [] };
        const deletedSeqs = new Set<number>();
        for (const faceId of new Set(faceIds)) {
          const face = s.ownership.get(collectionSeq, faceId);
          if (!face) {
            result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
          } else if (face.user_seq !== null) {
            result.unsuccessful.push({
              faceId,
              userId: face.user_id as string,
              reason: 'ASSOCIATED_TO_AN_EXISTING_USER',
            });
          } else {
            s.deleteFace.run(face.seq);
            deletedSeqs.add(face.seq);
            result.deleted.push(faceId);
          }
        }
        return { result, collectionSeq, deletedSeqs };
      },
      ({ collectionSeq, deletedSeqs }) => this.faceIndexes.get(collectionSeq)?.remove(deletedSeqs),
    ).then(({ result }) => result);
  }

  async searchFaces(collectionId: string, vector: Float32Array, options: VectorSearchOptions) {
    return this.read((): ScoredFace[] => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      const matrix = this.faceIndex(seq);
      if (matrix.count === 0) return [];
      checkDimensions(vector, matrix.dim);
      const excluded = options.excludeFaceIds?.length
        ? new Set(s.faceSeqsByIds.all(JSON.stringify(options.excludeFaceIds), seq))
        : NO_SEQS;
      const hits = matrix.search(vector, options.limit, options.minScore, excluded);
      if (hits.length === 0) return [];
      const rows = new Map(
        s.facesBySeqs.all(JSON.stringify(hits.map((h) => h.seq))).map((row) => [row.seq, row]),
      );
      return hits.flatMap(({ seq: faceSeq, score }) => {
        const row = rows.get(faceSeq);
        return row ? [{ face: faceMetadata(row), score }] : [];
      });
    });
  }

  async createUser(collectionId: string, user: { userId: string; createdAt: number }) {
    return this.write((): UserRecord => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      if (s.user.get(seq, user.userId)) {
        throw new ConflictException(
          `User ${user.userId} already exists in collection ${collectionId}.`,
        );
      }
      s.insertUser.run(seq, user.userId, user.createdAt);
      return { userId: user.userId, createdAt: user.createdAt, faceCount: 0 };
    });
  }

  async deleteUser(collectionId: string, userId: string) {
    return this.write(
      () => {
        const { seq } = this.collection(collectionId);
        const user = this.user(seq, collectionId, userId);
        // faces.user_seq is ON DELETE SET NULL: the user's faces stay, unowned.
        this.statements.deleteUser.run(user.seq);
        return seq;
      },
      (seq) => this.userIndexes.delete(seq),
    ).then(() => undefined);
  }

  async getUser(collectionId: string, userId: string) {
    return this.read(() => {
      const row = this.statements.user.get(this.collection(collectionId).seq, userId);
      return row ? userRecord(row) : undefined;
    });
  }

  async listUsers(collectionId: string, page: PageRequest) {
    return this.read(() => {
      const { seq } = this.collection(collectionId);
      const after = parseCursor(page.after);
      const rows = this.statements.listUsers.all(seq, after, page.limit + 1);
      return toPage(rows, page.limit, userRecord);
    });
  }

  async associateFaces(
    collectionId: string,
    userId: string,
    faceIds: readonly string[],
    maxFacesPerUser: number,
  ) {
    return this.write(
      () => {
        const s = this.statements;
        const { seq: collectionSeq } = this.collection(collectionId);
        const user = this.user(collectionSeq, collectionId, userId);
        const result: FaceOwnershipResult = {
          changed: [],
          unsuccessful: [],
          user: userRecord(user),
        };
        const toAssociate: { faceId: string; seq: number }[] = [];
        for (const faceId of new Set(faceIds)) {
          const face = s.ownership.get(collectionSeq, faceId);
          if (!face) result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
          else if (face.user_seq === user.seq) continue;
          else if (face.user_seq !== null) {
            result.unsuccessful.push({
              faceId,
              userId: face.user_id as string,
              reason: 'ASSOCIATED_TO_A_DIFFERENT_USER',
            });
          } else toAssociate.push({ faceId, seq: face.seq });
        }
        if (user.face_count + toAssociate.length > maxFacesPerUser) {
          throw new ServiceQuotaExceededException(
            `User ${userId} has ${user.face_count} faces; associating ${toAssociate.length} more would exceed the limit of ${maxFacesPerUser}.`,
          );
        }
        for (const face of toAssociate) {
          s.setFaceUser.run(user.seq, face.seq);
          result.changed.push(face.faceId);
        }
        result.user = { ...result.user, faceCount: user.face_count + toAssociate.length };
        return { result, collectionSeq };
      },
      ({ result, collectionSeq }) => {
        if (result.changed.length > 0) this.userIndexes.delete(collectionSeq);
      },
    ).then(({ result }) => result);
  }

  async disassociateFaces(collectionId: string, userId: string, faceIds: readonly string[]) {
    return this.write(
      () => {
        const s = this.statements;
        const { seq: collectionSeq } = this.collection(collectionId);
        const user = this.user(collectionSeq, collectionId, userId);
        const result: FaceOwnershipResult = {
          changed: [],
          unsuccessful: [],
          user: userRecord(user),
        };
        for (const faceId of new Set(faceIds)) {
          const face = s.ownership.get(collectionSeq, faceId);
          if (!face) result.unsuccessful.push({ faceId, reason: 'FACE_NOT_FOUND' });
          else if (face.user_seq === null) continue;
          else if (face.user_seq !== user.seq) {
            result.unsuccessful.push({
              faceId,
              userId: face.user_id as string,
              reason: 'ASSOCIATED_TO_A_DIFFERENT_USER',
            });
          } else {
            s.setFaceUser.run(null, face.seq);
            result.changed.push(faceId);
          }
        }
        result.user = { ...result.user, faceCount: user.face_count - result.changed.length };
        return { result, collectionSeq };
      },
      ({ result, collectionSeq }) => {
        if (result.changed.length > 0) this.userIndexes.delete(collectionSeq);
      },
    ).then(({ result }) => result);
  }

  async getUserVector(collectionId: string, userId: string) {
    return this.read(() => {
      const user = this.statements.user.get(this.collection(collectionId).seq, userId);
      if (!user) return undefined;
      return centroid(this.statements.userVectors.all(user.seq).map(decodeVector));
    });
  }

  async searchUsers(collectionId: string, vector: Float32Array, options: UserSearchOptions) {
    return this.read((): ScoredUser[] => {
      const { seq } = this.collection(collectionId);
      const index = this.userIndex(seq);
      if (index.matrix.count === 0) return [];
      checkDimensions(vector, index.matrix.dim);
      const excluded = new Set<number>();
      for (const userId of options.excludeUserIds ?? []) {
        const userSeq = index.seqByUserId.get(userId);
        if (userSeq !== undefined) excluded.add(userSeq);
      }
      return index.matrix
        .search(vector, options.limit, options.minScore, excluded)
        .map(({ seq: userSeq, score }) => ({
          user: { ...(index.records.get(userSeq) as UserRecord) },
          score,
        }));
    });
  }

  async close() {
    this.releaseFaceIndexes();
    this.userIndexes.clear();
    this.indexProvider.close?.();
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in a deferred (read) transaction: one consistent snapshot. */
  private read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(fn).deferred());
    } catch (error) {
      return Promise.reject(storageError(error));
    }
  }

  /**
   * Runs `fn` in an immediate (write) transaction, then `afterCommit` in the same synchronous
   * turn, so no other call can observe the database and the caches out of step.
   */
  private write<T>(fn: () => T, afterCommit?: (result: T) => void): Promise<T> {
    try {
      const result = this.db.transaction(fn).immediate();
      try {
        afterCommit?.(result);
      } catch {
        // The write is committed; a cache that could not follow it is rebuilt on next use.
        this.releaseFaceIndexes();
        this.userIndexes.clear();
      }
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(storageError(error));
    }
  }

  private collection(collectionId: string): CollectionRow {
    const row = this.statements.collection.get(collectionId);
    if (!row) throw collectionNotFound(collectionId);
    return row;
  }

  private user(collectionSeq: number, collectionId: string, userId: string): UserRow {
    const row = this.statements.user.get(collectionSeq, userId);
    if (!row) throw userNotFound(collectionId, userId);
    return row;
  }

  private tagsOf(collectionSeq: number): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const { key, value } of this.statements.tags.all(collectionSeq)) tags[key] = value;
    return tags;
  }

  /** Drops every cache when another connection has committed since the last check. */
  private syncCaches(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version !== this.dataVersion) {
      this.releaseFaceIndexes();
      this.userIndexes.clear();
      this.dataVersion = version;
    }
  }

  private releaseFaceIndexes(): void {
    for (const index of this.faceIndexes.values()) index.release();
    this.faceIndexes.clear();
  }

  private faceIndex(collectionSeq: number): FaceVectorIndex {
    this.syncCaches();
    let index = this.faceIndexes.get(collectionSeq);
    if (!index) {
      const s = this.statements;
      index = this.indexProvider.open({
        collectionSeq,
        state: (upToSeq = Number.MAX_SAFE_INTEGER) =>
          s.collectionVectorState.get(collectionSeq, upToSeq) as CollectionVectorState,
        rows: (afterSeq = 0) => s.collectionVectorsAfter.iterate(collectionSeq, afterSeq),
        vector: (faceSeq) => s.faceVector.get(faceSeq, collectionSeq),
      });
      this.faceIndexes.set(collectionSeq, index);
    }
    return index;
  }

  private userIndex(collectionSeq: number): UserIndex {
    this.syncCaches();
    let index = this.userIndexes.get(collectionSeq);
    if (!index) {
      index = this.buildUserIndex(collectionSeq);
      this.userIndexes.set(collectionSeq, index);
    }
    return index;
  }

  private buildUserIndex(collectionSeq: number): UserIndex {
    const index: UserIndex = {
      matrix: new VectorMatrix(),
      records: new Map(),
      seqByUserId: new Map(),
    };
    let user:
      | { seq: number; userId: string; createdAt: number; vectors: Float32Array[] }
      | undefined;
    const flush = () => {
      if (!user) return;
      index.matrix.append(user.seq, centroid(user.vectors) as Float32Array);
      index.records.set(user.seq, {
        userId: user.userId,
        createdAt: user.createdAt,
        faceCount: user.vectors.length,
      });
      index.seqByUserId.set(user.userId, user.seq);
    };
    const rows = this.statements.collectionUserVectors.iterate(collectionSeq);
    for (const [seq, userId, createdAt, blob] of rows) {
      if (user?.seq !== seq) {
        flush();
        user = { seq, userId, createdAt, vectors: [] };
      }
      user.vectors.push(decodeVector(blob));
    }
    flush();
    return index;
  }
}

function checkDimensions(vector: Float32Array, dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new InvalidParameterException(
      `The query vector has ${vector.length} dimensions; the collection's vectors have ${dimensions}.`,
    );
  }
}
