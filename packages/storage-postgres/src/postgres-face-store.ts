import {
  type CollectionRecord,
  type CollectionStats,
  ConflictException,
  collectionNotFound,
  type FaceFilter,
  type FaceStore,
  InternalServerError,
  InvalidParameterException,
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
import {
  checkDimensions,
  collectionRecord,
  deletion,
  errorMessage,
  FACE_COLUMNS,
  type FaceRow,
  faceMetadata,
  faceStandings,
  type SqlInt as Int8,
  type OwnedFaceRow,
  ownershipChange,
  parseSeqCursor,
  driverErrorCode as pgCode,
  type CollectionRow as SqlCollectionRow,
  toPage,
  type UserRow,
  userRecord,
} from '@facekit/core/sql-store';
import { centroid } from '@facekit/core/vector';
import { isConnectionError } from './connection-errors.js';
import { compareVersions, migrate, quoteIdentifier, SCHEMA_NAME } from './migrations.js';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';
import { parseVector, vectorLiteral } from './vector-text.js';

interface CollectionRow extends SqlCollectionRow {
  /** Set by the collection's first face: pgvector's `vector` column has no fixed dimension. */
  dimension: number | null;
}

/** Cursors are a row's `seq` (a bigint: at most 18 digits here). */
const parseCursor = (after: string | undefined) => parseSeqCursor(after, 18);

/** HNSW index parameters (pgvector's names and defaults). */
export interface HnswOptions {
  /** Neighbours per graph node (`m`), 2..100. Default 16. */
  m?: number;
  /** Candidate list while building (`ef_construction`), >= 2m. Default 64. */
  efConstruction?: number;
  /**
   * Candidate list while searching (`hnsw.ef_search`), 1..1000: higher is slower and finds more
   * of the true neighbours. A query asking for more matches raises it to its limit. Default 100.
   */
  efSearch?: number;
}

/** Options of {@link createPostgresFaceStore}. */
export interface PostgresFaceStoreOptions {
  /** The database: {@link createPgDriver} for a server, {@link createPGliteDriver} embedded. */
  driver: SqlDriver;
  /**
   * Schema holding this store's tables, created if missing: one per account (the CLI uses
   * `facekit_<accountId>`). Lower-case letters, digits and `_`. Default `facekit`.
   */
  schema?: string;
  /**
   * `exact` (default): every search compares the query with every face of the collection (a
   * sequential scan of the collection's rows, exact top-k). `hnsw`: one pgvector HNSW index per
   * collection (a partial index on the collection's rows), approximate and much faster on large
   * collections.
   */
  search?: 'exact' | 'hnsw';
  hnsw?: HnswOptions;
  /** Whether `close()` closes the driver. Default `true`. */
  closeDriver?: boolean;
}

/**
 * A persistent {@link FaceStore} on PostgreSQL >= 13 with pgvector >= 0.5 (or PGlite with its
 * bundled pgvector): collections, faces, users and tags in tables of one schema; face vectors in
 * a `vector` column, L2-normalised, compared with pgvector's inner product operator `<#>`
 * (cosine similarity of unit vectors).
 *
 * Opening migrates the schema (numbered migrations in `<schema>.facekit_migrations`, in one
 * transaction under an advisory lock). Every write is one transaction that locks the rows it
 * checks (`FOR UPDATE`, in a fixed order), so invariants hold with many processes on one
 * database; deadlocks and serialization failures are retried.
 *
 * @throws {InternalServerError} when pgvector is missing (the message says how to install it),
 * the schema is newer than this package, or the database cannot be reached.
 */
export async function createPostgresFaceStore(
  options: PostgresFaceStoreOptions,
): Promise<FaceStore> {
  const { driver, schema = 'facekit', search = 'exact', closeDriver = true } = options;
  try {
    if (!SCHEMA_NAME.test(schema)) {
      throw new InvalidParameterException(
        `Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 63).`,
      );
    }
    const hnsw = hnswSettings(options.hnsw);
    const info = await driver.transaction(async (tx) => {
      const found = await migrate(tx, schema);
      if (search === 'hnsw') await createMissingHnswIndexes(tx, quoteIdentifier(schema), hnsw);
      return found;
    });
    const iterativeScan = compareVersions(versionParts(info.pgvectorVersion), [0, 8, 0]) >= 0;
    return new PostgresFaceStore(driver, quoteIdentifier(schema), search, hnsw, {
      iterativeScan,
      closeDriver,
    });
  } catch (cause) {
    if (closeDriver) await driver.close().catch(() => {});
    if (RekognitionError.isInstance(cause)) throw cause;
    const message = `Cannot open the PostgreSQL store (schema ${schema}): ${errorMessage(cause)}`;
    if (isConnectionError(cause) || pgCode(cause) === '53300') {
      throw new ThrottlingException(`${message}; PostgreSQL is unavailable, try again.`, { cause });
    }
    throw new InternalServerError(message, { cause });
  }
}

function hnswSettings(options: HnswOptions = {}): Required<HnswOptions> {
  const int = (value: number | undefined, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidParameterException(`HNSW setting ${value} is outside ${min}..${max}.`);
    }
    return value;
  };
  const m = int(options.m, 16, 2, 100);
  return {
    m,
    efConstruction: int(options.efConstruction, 64, 2 * m, 1000),
    efSearch: int(options.efSearch, 100, 1, 1000),
  };
}

function versionParts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10) || 0);
}

function hnswIndexName(collectionSeq: number): string {
  return `faces_hnsw_${collectionSeq}`;
}

/**
 * The partial HNSW index of one collection. Its expression casts to the collection's dimension
 * (`vector(512)`): an HNSW index needs a fixed dimension, the column has none. Queries repeat
 * the same expression and the same literal collection number so the planner can use it.
 */
function hnswIndexSql(
  schema: string,
  collectionSeq: number,
  dimension: number,
  hnsw: Required<HnswOptions>,
): string {
  return `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collectionSeq)} ON ${schema}.faces
    USING hnsw ((embedding::vector(${dimension})) vector_ip_ops)
    WITH (m = ${hnsw.m}, ef_construction = ${hnsw.efConstruction})
    WHERE collection_seq = ${collectionSeq}`;
}

async function createMissingHnswIndexes(
  tx: SqlQueryable,
  schema: string,
  hnsw: Required<HnswOptions>,
): Promise<void> {
  const rows = await tx.query<{ seq: string | number; dimension: number }>(
    `SELECT c.seq, c.dimension FROM ${schema}.collections c WHERE c.dimension IS NOT NULL
     AND to_regclass($1 || '.faces_hnsw_' || c.seq) IS NULL`,
    [schema],
  );
  for (const row of rows) {
    await tx.query(hnswIndexSql(schema, Number(row.seq), row.dimension, hnsw));
  }
}

/** Deadlock and serialization failures: the transaction is safe to run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Turns a driver error into a core error (a core error passes through unchanged). */
function storageError(error: unknown): RekognitionError {
  if (RekognitionError.isInstance(error)) return error;
  const code = pgCode(error);
  if (code !== undefined && (RETRYABLE.has(code) || code === '53300' || code === '55P03')) {
    return new ThrottlingException(`PostgreSQL is busy (${errorMessage(error)}); try again.`, {
      cause: error,
    });
  }
  // PostgreSQL stopped, restarting or unreachable, or this call's connection was terminated:
  // a 500 ThrottlingException, which the AWS SDKs retry. What was not acknowledged was rolled back.
  if (isConnectionError(error)) {
    return new ThrottlingException(
      `PostgreSQL is unavailable (${errorMessage(error)}); try again.`,
      { cause: error },
    );
  }
  // 25006 read_only_sql_transaction: a standby or `default_transaction_read_only = on`.
  if (code === '25006') {
    return new InternalServerError(
      `The PostgreSQL database is read-only (${errorMessage(error)}): facekit writes need the primary; point --database-url at it.`,
      { cause: error },
    );
  }
  return new InternalServerError(`PostgreSQL storage failed: ${errorMessage(error)}`, {
    cause: error,
  });
}

interface OwnershipRow {
  seq: Int8;
  face_id: string;
  user_seq: Int8 | null;
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * The store. SQL is built from the quoted schema name once; values always travel as parameters
 * (lists as one JSON parameter), except integers that come from the database itself (collection
 * numbers and dimensions in the HNSW queries, which must be literals to match a partial index).
 */
class PostgresFaceStore implements FaceStore {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'postgres';
  readonly capabilities: FaceStore['capabilities'];
  private closed = false;

  constructor(
    private readonly driver: SqlDriver,
    private readonly schema: string,
    private readonly search: 'exact' | 'hnsw',
    private readonly hnsw: Required<HnswOptions>,
    private readonly features: { iterativeScan: boolean; closeDriver: boolean },
  ) {
    this.capabilities = { persistent: true, search: search === 'hnsw' ? 'approximate' : 'exact' };
  }

  async createCollection(record: CollectionRecord, tags: Readonly<Record<string, string>> = {}) {
    const s = this.schema;
    return this.write(async (tx) => {
      const inserted = await tx.query<{ seq: Int8 }>(
        `INSERT INTO ${s}.collections (collection_id, face_model_version, created_at)
         VALUES ($1, $2, $3) ON CONFLICT (collection_id) DO NOTHING RETURNING seq`,
        [record.collectionId, record.faceModelVersion, record.createdAt],
      );
      if (inserted.length === 0) {
        throw new ResourceAlreadyExistsException(
          `The collection id: ${record.collectionId} already exists.`,
        );
      }
      if (Object.keys(tags).length > 0) await this.upsertTags(tx, inserted[0].seq, tags);
    });
  }

  async deleteCollection(collectionId: string) {
    const s = this.schema;
    return this.write(async (tx) => {
      const deleted = await tx.query<{ seq: Int8 }>(
        `DELETE FROM ${s}.collections WHERE collection_id = $1 RETURNING seq`,
        [collectionId],
      );
      if (deleted.length === 0) throw collectionNotFound(collectionId);
      await tx.query(`DROP INDEX IF EXISTS ${s}.${hnswIndexName(Number(deleted[0].seq))}`);
    });
  }

  async describeCollection(collectionId: string): Promise<CollectionStats> {
    const s = this.schema;
    return this.read(async (db) => {
      const [row] = await db.query<CollectionRow & { face_count: Int8; user_count: Int8 }>(
        `SELECT c.*,
           (SELECT count(*) FROM ${s}.faces f WHERE f.collection_seq = c.seq) AS face_count,
           (SELECT count(*) FROM ${s}.users u WHERE u.collection_seq = c.seq) AS user_count
         FROM ${s}.collections c WHERE c.collection_id = $1`,
        [collectionId],
      );
      if (!row) throw collectionNotFound(collectionId);
      return {
        ...collectionRecord(row),
        faceCount: Number(row.face_count),
        userCount: Number(row.user_count),
      };
    });
  }

  async listCollections(page: PageRequest) {
    return this.read(async (db) => {
      const rows = await db.query<CollectionRow>(
        `SELECT * FROM ${this.schema}.collections WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [parseCursor(page.after), page.limit + 1],
      );
      return toPage(rows, page.limit, collectionRecord);
    });
  }

  async getTags(collectionId: string) {
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      return this.tagsOf(db, seq);
    });
  }

  async tagCollection(
    collectionId: string,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ) {
    return this.write(async (tx) => {
      // FOR UPDATE: concurrent taggers of one collection count the tags one after the other.
      const { seq } = await this.collection(tx, collectionId, 'FOR UPDATE');
      const merged = new Set([...Object.keys(await this.tagsOf(tx, seq)), ...Object.keys(tags)]);
      if (merged.size > maxTags) {
        throw new ServiceQuotaExceededException(
          `Resource would have ${merged.size} tags; the limit is ${maxTags}.`,
        );
      }
      await this.upsertTags(tx, seq, tags);
    });
  }

  async untagCollection(collectionId: string, keys: readonly string[]) {
    return this.write(async (tx) => {
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      await tx.query(
        `DELETE FROM ${this.schema}.tags WHERE collection_seq = $1
         AND key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
        [seq, json(keys)],
      );
    });
  }

  async putFaces(collectionId: string, faces: readonly StoredFace[]) {
    const s = this.schema;
    return this.write(async (tx) => {
      // FOR KEY SHARE: the collection cannot be deleted under us; other writers are not blocked.
      const collection = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      const seen = new Set<string>();
      for (const face of faces) {
        if (seen.has(face.faceId)) {
          throw new ConflictException(`Face ${face.faceId} already exists in ${collectionId}.`);
        }
        seen.add(face.faceId);
      }
      if (faces.length === 0) return;
      const dimension = await this.fixDimension(tx, collection, faces[0].vector.length);
      for (const face of faces) {
        if (face.vector.length !== dimension) {
          throw new InvalidParameterException(
            `Face ${face.faceId} has a ${face.vector.length}-dimensional vector; faces in ${collectionId} have ${dimension} dimensions.`,
          );
        }
      }
      const rows = faces.map((face) => ({
        face_id: face.faceId,
        image_id: face.imageId,
        external_image_id: face.externalImageId ?? null,
        bbox_width: face.boundingBox.width,
        bbox_height: face.boundingBox.height,
        bbox_left: face.boundingBox.left,
        bbox_top: face.boundingBox.top,
        confidence: face.confidence,
        index_faces_model_version: face.indexFacesModelVersion,
        created_at: face.createdAt,
        embedding: vectorLiteral(face.vector),
      }));
      // One statement for the batch; ORDER BY ord gives seq numbers in batch order.
      const inserted = await tx.query(
        `INSERT INTO ${s}.faces (collection_seq, face_id, image_id, external_image_id, bbox_width,
           bbox_height, bbox_left, bbox_top, confidence, index_faces_model_version, created_at,
           embedding)
         SELECT $1, r.face_id, r.image_id, r.external_image_id, r.bbox_width, r.bbox_height,
           r.bbox_left, r.bbox_top, r.confidence, r.index_faces_model_version, r.created_at,
           r.embedding::vector
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (face_id text, image_id text,
           external_image_id text, bbox_width double precision, bbox_height double precision,
           bbox_left double precision, bbox_top double precision, confidence double precision,
           index_faces_model_version text, created_at bigint, embedding text))
           WITH ORDINALITY AS r
         ORDER BY r.ordinality
         ON CONFLICT (collection_seq, face_id) DO NOTHING
         RETURNING seq`,
        [collection.seq, json(rows)],
      );
      if (inserted.length !== faces.length) {
        const existing = await tx.query<{ face_id: string }>(
          `SELECT face_id FROM ${s}.faces WHERE collection_seq = $1
           AND face_id IN (SELECT jsonb_array_elements_text($2::jsonb))
           AND NOT (seq IN (SELECT jsonb_array_elements_text($3::jsonb)::bigint)) LIMIT 1`,
          [collection.seq, json([...seen]), json(inserted.map((r) => String(r.seq)))],
        );
        const faceId = existing[0]?.face_id ?? faces[0].faceId;
        throw new ConflictException(`Face ${faceId} already exists in ${collectionId}.`);
      }
    });
  }

  async getFaces(collectionId: string, faceIds: readonly string[]) {
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      if (faceIds.length === 0) return [];
      const rows = await db.query<FaceRow & { embedding: string }>(
        `SELECT ${FACE_COLUMNS}, f.embedding::text AS embedding
         FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS j(face_id, ord)
         JOIN ${this.schema}.faces f ON f.collection_seq = $2 AND f.face_id = j.face_id
         LEFT JOIN ${this.schema}.users u ON u.seq = f.user_seq
         ORDER BY j.ord`,
        [json(faceIds), seq],
      );
      return rows.map(
        (row): StoredFace => ({ ...faceMetadata(row), vector: parseVector(row.embedding) }),
      );
    });
  }

  async findFacesByImage(collectionId: string, imageId: string) {
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      const rows = await db.query<FaceRow>(
        `SELECT ${FACE_COLUMNS} FROM ${this.schema}.faces f
         LEFT JOIN ${this.schema}.users u ON u.seq = f.user_seq
         WHERE f.collection_seq = $1 AND f.image_id = $2 ORDER BY f.seq`,
        [seq, imageId],
      );
      return rows.map(faceMetadata);
    });
  }

  async listFaces(collectionId: string, page: PageRequest, filter: FaceFilter = {}) {
    const s = this.schema;
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      const after = parseCursor(page.after);
      const params: unknown[] = [seq, after, page.limit + 1];
      let where = '';
      if (filter.userId !== undefined) {
        params.push(filter.userId);
        where += ` AND u.user_id = $${params.length}`;
      }
      if (filter.faceIds !== undefined) {
        params.push(json(filter.faceIds));
        where += ` AND f.face_id IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`;
      }
      const rows = await db.query<FaceRow>(
        `SELECT ${FACE_COLUMNS} FROM ${s}.faces f LEFT JOIN ${s}.users u ON u.seq = f.user_seq
         WHERE f.collection_seq = $1 AND f.seq > $2${where} ORDER BY f.seq LIMIT $3`,
        params,
      );
      return toPage(rows, page.limit, faceMetadata);
    });
  }

  async deleteFaces(collectionId: string, faceIds: readonly string[]) {
    const s = this.schema;
    return this.write(async (tx) => {
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      const { result, toDelete } = deletion(await this.faceStandings(tx, seq, faceIds));
      if (toDelete.length > 0) {
        await tx.query(
          `DELETE FROM ${s}.faces WHERE seq IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
          [json(toDelete.map(String))],
        );
      }
      return result;
    });
  }

  async searchFaces(collectionId: string, vector: Float32Array, options: VectorSearchOptions) {
    const s = this.schema;
    const useIndex = this.search === 'hnsw';
    return this.read(
      async (db): Promise<ScoredFace[]> => {
        const collection = await this.collection(db, collectionId);
        const dimension = collection.dimension;
        if (dimension === null) return [];
        checkDimensions(vector, dimension);
        const seq = Number(collection.seq);
        // The exact query compares the raw column (no index matches it); the HNSW one repeats the
        // index expression and the literal collection number.
        const embedding = useIndex ? `f.embedding::vector(${dimension})` : 'f.embedding';
        const query = useIndex ? `$1::vector(${dimension})` : '$1::vector';
        const distance = `(${embedding} <#> ${query})`;
        const params: unknown[] = [vectorLiteral(vector), options.limit];
        let where = `f.collection_seq = ${useIndex ? seq : '$3'}`;
        if (!useIndex) params.push(seq);
        if (options.excludeFaceIds?.length) {
          params.push(json(options.excludeFaceIds));
          where += ` AND f.face_id NOT IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`;
        }
        if (options.minScore !== undefined) {
          params.push(-options.minScore);
          where += ` AND ${distance} <= $${params.length}`;
        }
        // An index scan yields rows by distance only; ties by indexing order are sorted outside.
        const order = useIndex ? 'distance' : 'distance, f.seq';
        const rows = await db.query<FaceRow & { distance: number }>(
          `SELECT ${FACE_COLUMNS}, h.distance FROM (
           SELECT f.seq, ${distance} AS distance FROM ${s}.faces f
           WHERE ${where} ORDER BY ${order} LIMIT $2
         ) h JOIN ${s}.faces f ON f.seq = h.seq LEFT JOIN ${s}.users u ON u.seq = f.user_seq
         ORDER BY h.distance, f.seq`,
          params,
        );
        return rows.map((row) => ({ face: faceMetadata(row), score: -row.distance }));
      },
      useIndex ? options.limit : undefined,
    );
  }

  async createUser(collectionId: string, user: { userId: string; createdAt: number }) {
    return this.write(async (tx): Promise<UserRecord> => {
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      const inserted = await tx.query(
        `INSERT INTO ${this.schema}.users (collection_seq, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (collection_seq, user_id) DO NOTHING RETURNING seq`,
        [seq, user.userId, user.createdAt],
      );
      if (inserted.length === 0) {
        throw new ConflictException(
          `User ${user.userId} already exists in collection ${collectionId}.`,
        );
      }
      return { userId: user.userId, createdAt: user.createdAt, faceCount: 0 };
    });
  }

  async deleteUser(collectionId: string, userId: string) {
    return this.write(async (tx) => {
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      // faces.user_seq is ON DELETE SET NULL: the user's faces stay, unowned.
      const deleted = await tx.query(
        `DELETE FROM ${this.schema}.users WHERE collection_seq = $1 AND user_id = $2 RETURNING seq`,
        [seq, userId],
      );
      if (deleted.length === 0) throw userNotFound(collectionId, userId);
    });
  }

  async getUser(collectionId: string, userId: string) {
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      const [row] = await db.query<UserRow>(
        `${this.userSelect()} WHERE collection_seq = $1 AND user_id = $2`,
        [seq, userId],
      );
      return row ? userRecord(row) : undefined;
    });
  }

  async listUsers(collectionId: string, page: PageRequest) {
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      const rows = await db.query<UserRow>(
        `${this.userSelect()} WHERE collection_seq = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [seq, parseCursor(page.after), page.limit + 1],
      );
      return toPage(rows, page.limit, userRecord);
    });
  }

  async associateFaces(
    collectionId: string,
    userId: string,
    faceIds: readonly string[],
    maxFacesPerUser: number,
  ) {
    return this.write(async (tx) => {
      const { user, result, free } = await this.lockOwnership(tx, collectionId, userId, faceIds);
      const faceCount = Number(user.face_count);
      if (faceCount + free.length > maxFacesPerUser) {
        throw new ServiceQuotaExceededException(
          `User ${userId} has ${faceCount} faces; associating ${free.length} more would exceed the limit of ${maxFacesPerUser}.`,
        );
      }
      await this.setOwner(
        tx,
        user.seq,
        free.map((face) => String(face.seq)),
      );
      result.changed.push(...free.map((face) => face.faceId));
      result.user = { ...result.user, faceCount: faceCount + free.length };
      return result;
    });
  }

  async disassociateFaces(collectionId: string, userId: string, faceIds: readonly string[]) {
    return this.write(async (tx) => {
      const { user, result, own } = await this.lockOwnership(tx, collectionId, userId, faceIds);
      await this.setOwner(
        tx,
        null,
        own.map((face) => String(face.seq)),
      );
      result.changed.push(...own.map((face) => face.faceId));
      result.user = { ...result.user, faceCount: Number(user.face_count) - own.length };
      return result;
    });
  }

  /**
   * What AssociateFaces and DisassociateFaces share: locks the collection, the user and the named
   * faces (in the order every writer locks them: collection, user, faces by seq; the user's lock
   * serialises its quota check, the faces' locks decide which of two racing users gets a face),
   * reports missing faces and faces of another user, and sorts the rest into the user's own and
   * free ones, in request order.
   */
  private async lockOwnership(
    tx: SqlQueryable,
    collectionId: string,
    userId: string,
    faceIds: readonly string[],
  ) {
    const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
    const user = await this.lockUser(tx, seq, collectionId, userId);
    const faces = await this.faceStandings(tx, seq, faceIds, user.seq);
    const { result, own, free } = ownershipChange(faces, userRecord(user));
    return { user, result, own, free };
  }

  async getUserVector(collectionId: string, userId: string) {
    const s = this.schema;
    return this.read(async (db) => {
      const { seq } = await this.collection(db, collectionId);
      const rows = await db.query<{ embedding: string }>(
        `SELECT f.embedding::text AS embedding FROM ${s}.users u
         JOIN ${s}.faces f ON f.user_seq = u.seq
         WHERE u.collection_seq = $1 AND u.user_id = $2 ORDER BY f.seq`,
        [seq, userId],
      );
      // The same centroid code as every other store, on the exact stored vectors.
      return centroid(rows.map((row) => parseVector(row.embedding)));
    });
  }

  async searchUsers(collectionId: string, vector: Float32Array, options: UserSearchOptions) {
    const s = this.schema;
    return this.read(async (db): Promise<ScoredUser[]> => {
      const collection = await this.collection(db, collectionId);
      if (collection.dimension === null) return [];
      checkDimensions(vector, collection.dimension);
      const params: unknown[] = [collection.seq, vectorLiteral(vector), options.limit];
      let exclude = '';
      if (options.excludeUserIds?.length) {
        params.push(json(options.excludeUserIds));
        exclude = ` AND u.user_id NOT IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`;
      }
      let minScore = '';
      if (options.minScore !== undefined) {
        params.push(options.minScore);
        minScore = `WHERE score >= $${params.length}`;
      }
      // A user's vector is the normalised mean of its faces: cosine = <mean, q> / |mean|.
      const rows = await db.query<UserRow & { score: number }>(
        `SELECT * FROM (
           SELECT u.seq, u.user_id, u.created_at, count(*) AS face_count,
             -(avg(f.embedding) <#> $2::vector) / vector_norm(avg(f.embedding)) AS score
           FROM ${s}.users u JOIN ${s}.faces f ON f.user_seq = u.seq
           WHERE u.collection_seq = $1${exclude}
           GROUP BY u.seq
         ) scored ${minScore} ORDER BY score DESC, seq LIMIT $3`,
        params,
      );
      return rows.map((row) => ({ user: userRecord(row), score: row.score }));
    });
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.features.closeDriver) await this.driver.close();
  }

  private userSelect(): string {
    const s = this.schema;
    return `SELECT seq, user_id, created_at,
      (SELECT count(*) FROM ${s}.faces f WHERE f.user_seq = users.seq) AS face_count
      FROM ${s}.users`;
  }

  /**
   * Runs a read. Plain reads are single statements or tolerate READ COMMITTED; an HNSW search
   * (`efSearch` given) runs in a transaction to raise `hnsw.ef_search` for itself only.
   */
  private async read<T>(fn: (db: SqlQueryable) => Promise<T>, efSearch?: number): Promise<T> {
    try {
      if (efSearch === undefined) return await fn(this.driver);
      return await this.driver.transaction(async (tx) => {
        const ef = Math.min(1000, Math.max(this.hnsw.efSearch, efSearch));
        await tx.query("SELECT set_config('hnsw.ef_search', $1, true)", [String(ef)]);
        if (this.features.iterativeScan) {
          // pgvector >= 0.8: keep scanning the graph when filters (exclusions, minScore)
          // remove candidates, instead of returning fewer than asked.
          await tx.query("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)");
        }
        return fn(tx);
      });
    } catch (error) {
      throw storageError(error);
    }
  }

  /** Runs `fn` in a transaction, again (up to 5 times) after a deadlock or serialization failure. */
  private async write<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.driver.transaction(fn);
      } catch (error) {
        const code = pgCode(error);
        if (attempt < 5 && code !== undefined && RETRYABLE.has(code)) continue;
        throw storageError(error);
      }
    }
  }

  private async collection(
    db: SqlQueryable,
    collectionId: string,
    lock: '' | 'FOR KEY SHARE' | 'FOR UPDATE' = '',
  ): Promise<CollectionRow> {
    const [row] = await db.query<CollectionRow>(
      `SELECT * FROM ${this.schema}.collections WHERE collection_id = $1 ${lock}`,
      [collectionId],
    );
    if (!row) throw collectionNotFound(collectionId);
    return row;
  }

  /**
   * The collection's vector dimension, set by its first face (and then its HNSW index built, in
   * HNSW mode). Two first writers race on the UPDATE; the loser sees the winner's dimension.
   */
  private async fixDimension(
    tx: SqlQueryable,
    collection: CollectionRow,
    dimension: number,
  ): Promise<number> {
    if (collection.dimension !== null) return collection.dimension;
    const s = this.schema;
    const updated = await tx.query(
      `UPDATE ${s}.collections SET dimension = $2 WHERE seq = $1 AND dimension IS NULL RETURNING seq`,
      [collection.seq, dimension],
    );
    if (updated.length === 0) {
      const [row] = await tx.query<{ dimension: number }>(
        `SELECT dimension FROM ${s}.collections WHERE seq = $1`,
        [collection.seq],
      );
      return row.dimension;
    }
    if (this.search === 'hnsw') {
      await tx.query(hnswIndexSql(s, Number(collection.seq), dimension, this.hnsw));
    }
    return dimension;
  }

  private async lockUser(
    tx: SqlQueryable,
    collectionSeq: Int8,
    collectionId: string,
    userId: string,
  ): Promise<UserRow> {
    const s = this.schema;
    const [row] = await tx.query<UserRow>(
      `SELECT seq, user_id, created_at FROM ${s}.users
       WHERE collection_seq = $1 AND user_id = $2 FOR UPDATE`,
      [collectionSeq, userId],
    );
    if (!row) throw userNotFound(collectionId, userId);
    // Counted after the lock: every change of this user's faces holds it.
    const [{ count }] = await tx.query<{ count: Int8 }>(
      `SELECT count(*) AS count FROM ${s}.faces WHERE user_seq = $1`,
      [row.seq],
    );
    return { ...row, face_count: count };
  }

  /** Locks the faces with these ids (in seq order, so lockers never deadlock), by face id. */
  private async lockFaces(
    tx: SqlQueryable,
    collectionSeq: Int8,
    faceIds: readonly string[],
  ): Promise<Map<string, OwnershipRow>> {
    if (faceIds.length === 0) return new Map();
    const rows = await tx.query<OwnershipRow>(
      `SELECT seq, face_id, user_seq FROM ${this.schema}.faces
       WHERE collection_seq = $1 AND face_id IN (SELECT jsonb_array_elements_text($2::jsonb))
       ORDER BY seq FOR UPDATE`,
      [collectionSeq, json(faceIds)],
    );
    return new Map(rows.map((row) => [row.face_id, row]));
  }

  /** Locks the named faces and sorts them by owner (see `faceStandings`). */
  private async faceStandings(
    tx: SqlQueryable,
    collectionSeq: Int8,
    faceIds: readonly string[],
    userSeq?: Int8,
  ) {
    const found = await this.lockFaces(tx, collectionSeq, [...new Set(faceIds)]);
    const owners = await this.userIdsBySeq(tx, found);
    const find = (faceId: string): OwnedFaceRow | undefined => {
      const face = found.get(faceId);
      if (!face) return undefined;
      const userId = face.user_seq === null ? null : (owners.get(String(face.user_seq)) ?? null);
      return { seq: face.seq, userSeq: face.user_seq, userId };
    };
    return faceStandings(faceIds, find, userSeq);
  }

  /** The user ids of the owners of these faces, by user seq. */
  private async userIdsBySeq(
    tx: SqlQueryable,
    faces: Map<string, OwnershipRow>,
  ): Promise<Map<string, string>> {
    const seqs = [
      ...new Set(
        [...faces.values()].flatMap((f) => (f.user_seq === null ? [] : [String(f.user_seq)])),
      ),
    ];
    if (seqs.length === 0) return new Map();
    const rows = await tx.query<{ seq: Int8; user_id: string }>(
      `SELECT seq, user_id FROM ${this.schema}.users
       WHERE seq IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
      [json(seqs)],
    );
    return new Map(rows.map((row) => [String(row.seq), row.user_id]));
  }

  private async setOwner(tx: SqlQueryable, userSeq: Int8 | null, faceSeqs: string[]) {
    if (faceSeqs.length === 0) return;
    await tx.query(
      `UPDATE ${this.schema}.faces SET user_seq = $1
       WHERE seq IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)`,
      [userSeq, json(faceSeqs)],
    );
  }

  private async tagsOf(db: SqlQueryable, collectionSeq: Int8): Promise<Record<string, string>> {
    const rows = await db.query<{ key: string; value: string }>(
      `SELECT key, value FROM ${this.schema}.tags WHERE collection_seq = $1 ORDER BY key`,
      [collectionSeq],
    );
    const tags: Record<string, string> = {};
    for (const { key, value } of rows) tags[key] = value;
    return tags;
  }

  private async upsertTags(
    tx: SqlQueryable,
    collectionSeq: Int8,
    tags: Readonly<Record<string, string>>,
  ) {
    await tx.query(
      `INSERT INTO ${this.schema}.tags (collection_seq, key, value)
       SELECT $1, t.key, t.value FROM jsonb_each_text($2::jsonb) AS t
       ON CONFLICT (collection_seq, key) DO UPDATE SET value = excluded.value`,
      [collectionSeq, json(tags)],
    );
  }
}
