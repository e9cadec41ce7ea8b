import type {
  CollectionRecord,
  CollectionStats,
  FaceFilter,
  FaceSeparation,
  FaceStore,
  PageRequest,
  ScoredFace,
  ScoredUser,
  StoredFace,
  UserRecord,
  UserSearchOptions,
  VectorSearchOptions,
} from '@facekit/core';
import {
  collectionAlreadyExists,
  collectionNotFound,
  faceAlreadyExists,
  InvalidParameterException,
  tooManyTags,
  userAlreadyExists,
  userFaceLimitExceeded,
  userNotFound,
} from '@facekit/core';
import {
  checkDimensions,
  collectionRecord,
  deletion,
  FACE_COLUMNS,
  type FaceRow,
  faceMetadata,
  type SqlInt as Int8,
  ownershipChange,
  toPage,
  type UserRow,
  userRecord,
} from '@facekit/core/sql-store';
import { centroid } from '@facekit/core/vector';
import { hnswIndexName, indexedEmbedding } from './hnsw-indexes.js';
import { type CollectionRow, json, parseCursor } from './postgres-rows.js';
import { PostgresStoreBase } from './postgres-store-base.js';
import type { SqlQueryable } from './sql-driver.js';
import { parseVector, vectorLiteral } from './vector-text.js';

/**
 * The store. SQL is built from the quoted schema name once; values always travel as parameters
 * (lists as one JSON parameter), except integers that come from the database itself (collection
 * numbers and dimensions in the HNSW queries, which must be literals to match a partial index).
 */
export class PostgresFaceStore extends PostgresStoreBase implements FaceStore {
  async createCollection(record: CollectionRecord, tags: Readonly<Record<string, string>> = {}) {
    const s = this.schema;
    return this.write(async (tx) => {
      const inserted = await tx.query<{ seq: Int8 }>(
        `INSERT INTO ${s}.collections (collection_id, face_model_version, created_at)
         VALUES ($1, $2, $3) ON CONFLICT (collection_id) DO NOTHING RETURNING seq`,
        [record.collectionId, record.faceModelVersion, record.createdAt],
      );
      if (inserted.length === 0) {
        throw collectionAlreadyExists(record.collectionId);
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
      for (const precision of ['single', 'half'] as const) {
        await tx.query(
          `DROP INDEX IF EXISTS ${s}.${hnswIndexName(Number(deleted[0].seq), precision)}`,
        );
      }
    });
  }

  async describeCollection(collectionId: string): Promise<CollectionStats> {
    const s = this.schema;
    return this.read(async (db) => {
      // The counts are kept by the writes (see `addToCounts`), not counted here.
      const [row] = await db.query<CollectionRow>(
        `SELECT * FROM ${s}.collections WHERE collection_id = $1`,
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
        throw tooManyTags(merged.size, maxTags);
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
          throw faceAlreadyExists(face.faceId, collectionId);
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
        throw faceAlreadyExists(faceId, collectionId);
      }
      await this.addToCounts(tx, collection.seq, inserted.length, 0);
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
        // Counted by the rows the DELETE removed.
        const deleted = await tx.query(
          `DELETE FROM ${s}.faces WHERE seq IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)
           RETURNING seq`,
          [json(toDelete.map(String))],
        );
        await this.addToCounts(tx, seq, -deleted.length, 0);
      }
      return result;
    });
  }

  async searchFaces(collectionId: string, vector: Float32Array, options: VectorSearchOptions) {
    const s = this.schema;
    const { precision, exactBelow } = this.hnsw;
    const search = async (db: SqlQueryable, hnsw: boolean): Promise<ScoredFace[]> => {
      const collection = await this.collection(db, collectionId);
      const dimension = collection.dimension;
      if (dimension === null) return [];
      checkDimensions(vector, dimension);
      const seq = Number(collection.seq);
      let useIndex = hnsw;
      if (useIndex && exactBelow > 0) {
        // Small collections are searched exactly (counted up to the threshold only).
        const [{ n }] = await db.query<{ n: Int8 }>(
          `SELECT count(*) AS n FROM (SELECT 1 FROM ${s}.faces WHERE collection_seq = $1 LIMIT $2) x`,
          [seq, exactBelow],
        );
        useIndex = Number(n) >= exactBelow;
      }
      if (useIndex && db !== this.driver) {
        // The size decided (exactBelow): keep the planner from scanning instead. Measured on
        // 10 000 faces, it sometimes preferred a 270 ms scan and sort to an 8 ms HNSW search
        // (pgvector's cost estimate grows with ef_search). Local to this search's transaction;
        // SET LOCAL so that Citus passes it on to the worker (see `read`).
        await db.query('SET LOCAL enable_seqscan = off');
        await db.query('SET LOCAL enable_sort = off');
      }
      // The exact query compares the raw column (no index matches it); the HNSW one repeats the
      // index expression and the literal collection number.
      const embedding = useIndex
        ? indexedEmbedding(dimension, precision, 'f.embedding')
        : 'f.embedding';
      const query = useIndex ? indexedEmbedding(dimension, precision, '$1') : '$1::vector';
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
    };
    return this.search === 'hnsw'
      ? this.read((db) => search(db, true), options.limit)
      : this.read((db) => search(db, false));
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
        throw userAlreadyExists(collectionId, user.userId);
      }
      await this.addToCounts(tx, seq, 0, 1);
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
      await this.addToCounts(tx, seq, 0, -1);
    });
  }

  async putFaceSeparations(collectionId: string, separations: readonly FaceSeparation[]) {
    await this.write(async (tx) => {
      const s = this.schema;
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      for (const { faceId, otherFaceId, userId } of separations) {
        if (otherFaceId === undefined) {
          await tx.query(
            `INSERT INTO ${s}.face_user_separations (face_seq, user_seq)
             SELECT f.seq, u.seq FROM ${s}.faces f, ${s}.users u
             WHERE f.collection_seq = $1 AND f.face_id = $2 AND u.collection_seq = $1 AND u.user_id = $3
             ON CONFLICT DO NOTHING`,
            [seq, faceId, userId],
          );
        } else if (faceId !== otherFaceId) {
          const [low, high] = faceId < otherFaceId ? [faceId, otherFaceId] : [otherFaceId, faceId];
          await tx.query(
            `INSERT INTO ${s}.face_separations (face_seq, other_face_seq)
             SELECT a.seq, b.seq FROM ${s}.faces a, ${s}.faces b
             WHERE a.collection_seq = $1 AND a.face_id = $2 AND b.collection_seq = $1 AND b.face_id = $3
             ON CONFLICT DO NOTHING`,
            [seq, low, high],
          );
        }
      }
    });
  }

  async deleteFaceSeparations(
    collectionId: string,
    separations: readonly FaceSeparation[],
  ): Promise<FaceSeparation[]> {
    return this.write(async (tx) => {
      const s = this.schema;
      const { seq } = await this.collection(tx, collectionId, 'FOR KEY SHARE');
      const removed: FaceSeparation[] = [];
      for (const { faceId, otherFaceId, userId } of separations) {
        if (otherFaceId === undefined) {
          const rows = await tx.query(
            `DELETE FROM ${s}.face_user_separations x USING ${s}.faces f, ${s}.users u
             WHERE x.face_seq = f.seq AND x.user_seq = u.seq
               AND f.collection_seq = $1 AND f.face_id = $2 AND u.collection_seq = $1 AND u.user_id = $3
             RETURNING 1`,
            [seq, faceId, userId],
          );
          if (rows.length > 0) removed.push({ faceId, userId });
        } else {
          const [low, high] = faceId < otherFaceId ? [faceId, otherFaceId] : [otherFaceId, faceId];
          const rows = await tx.query(
            `DELETE FROM ${s}.face_separations x USING ${s}.faces a, ${s}.faces b
             WHERE x.face_seq = a.seq AND x.other_face_seq = b.seq
               AND a.collection_seq = $1 AND a.face_id = $2 AND b.collection_seq = $1 AND b.face_id = $3
             RETURNING 1`,
            [seq, low, high],
          );
          if (rows.length > 0) removed.push({ faceId: low, otherFaceId: high });
        }
      }
      return removed;
    });
  }

  async listFaceSeparations(collectionId: string): Promise<FaceSeparation[]> {
    return this.read(async (db) => {
      const s = this.schema;
      const { seq } = await this.collection(db, collectionId);
      const pairs = await db.query<{ face_id: string; other_face_id: string }>(
        `SELECT a.face_id, b.face_id AS other_face_id FROM ${s}.face_separations x
         JOIN ${s}.faces a ON a.seq = x.face_seq JOIN ${s}.faces b ON b.seq = x.other_face_seq
         WHERE a.collection_seq = $1`,
        [seq],
      );
      const users = await db.query<{ face_id: string; user_id: string }>(
        `SELECT f.face_id, u.user_id FROM ${s}.face_user_separations x
         JOIN ${s}.faces f ON f.seq = x.face_seq JOIN ${s}.users u ON u.seq = x.user_seq
         WHERE f.collection_seq = $1`,
        [seq],
      );
      return [
        ...pairs.map((r) => ({ faceId: r.face_id, otherFaceId: r.other_face_id })),
        ...users.map((r) => ({ faceId: r.face_id, userId: r.user_id })),
      ];
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
        throw userFaceLimitExceeded(userId, faceCount, free.length, maxFacesPerUser);
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
}
