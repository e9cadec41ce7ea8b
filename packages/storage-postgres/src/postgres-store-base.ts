import { collectionNotFound, type FaceStore, userNotFound } from '@facekit/core';
import {
  faceStandings,
  type SqlInt as Int8,
  type OwnedFaceRow,
  driverErrorCode as pgCode,
  type UserRow,
} from '@facekit/core/sql-store';
import { type HnswOptions, hnswIndexSql } from './hnsw-indexes.js';
import { RETRYABLE, storageError } from './postgres-errors.js';
import { type CollectionRow, json, type OwnershipRow } from './postgres-rows.js';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

/**
 * What every operation of the PostgreSQL store shares: its settings, transactions (`read`,
 * `write`, with retries and error mapping), and the row locks and lookups the writes take.
 */
export abstract class PostgresStoreBase {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'postgres';
  readonly capabilities: FaceStore['capabilities'];
  protected closed = false;

  constructor(
    protected readonly driver: SqlDriver,
    protected readonly schema: string,
    protected readonly search: 'exact' | 'hnsw',
    protected readonly hnsw: Required<HnswOptions>,
    protected readonly features: { iterativeScan: boolean; citus: boolean; closeDriver: boolean },
  ) {
    this.capabilities = { persistent: true, search: search === 'hnsw' ? 'approximate' : 'exact' };
  }

  protected userSelect(): string {
    const s = this.schema;
    return `SELECT seq, user_id, created_at,
      (SELECT count(*) FROM ${s}.faces f WHERE f.user_seq = users.seq) AS face_count
      FROM ${s}.users`;
  }

  /**
   * Runs a read. Plain reads are single statements or tolerate READ COMMITTED; an HNSW search
   * (`efSearch` given) runs in a transaction to raise `hnsw.ef_search` for itself only.
   */
  protected async read<T>(fn: (db: SqlQueryable) => Promise<T>, efSearch?: number): Promise<T> {
    try {
      if (efSearch === undefined) return await fn(this.driver);
      return await this.driver.transaction(async (tx) => {
        const ef = Math.min(1000, Math.max(this.hnsw.efSearch, efSearch));
        // SET LOCAL, not set_config(): Citus passes SET LOCAL (and only it) on to the worker
        // that runs the search, when told to. `ef` is an integer in 1..1000.
        if (this.features.citus) await tx.query("SET LOCAL citus.propagate_set_commands = 'local'");
        await tx.query(`SET LOCAL hnsw.ef_search = ${ef}`);
        if (this.features.iterativeScan) {
          // pgvector >= 0.8: keep scanning the graph when filters (exclusions, minScore)
          // remove candidates, instead of returning fewer than asked.
          await tx.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
        }
        return fn(tx);
      });
    } catch (error) {
      throw storageError(error);
    }
  }

  /** Runs `fn` in a transaction, again (up to 5 times) after a deadlock or serialization failure. */
  protected async write<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
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

  protected async collection(
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
  protected async fixDimension(
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

  /**
   * Adds to the collection's face and user counts, in the write's transaction. The UPDATE locks
   * the collection row until commit, so concurrent writers (of any process) count one after the
   * other; call it last in the transaction, so that the lock is held for as short as possible
   * and its holder waits for nothing else.
   */
  protected async addToCounts(tx: SqlQueryable, collectionSeq: Int8, faces: number, users: number) {
    if (faces === 0 && users === 0) return;
    await tx.query(
      `UPDATE ${this.schema}.collections
       SET face_count = face_count + $2, user_count = user_count + $3 WHERE seq = $1`,
      [collectionSeq, faces, users],
    );
  }

  protected async lockUser(
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
  protected async lockFaces(
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
  protected async faceStandings(
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
  protected async userIdsBySeq(
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

  protected async setOwner(tx: SqlQueryable, userSeq: Int8 | null, faceSeqs: string[]) {
    if (faceSeqs.length === 0) return;
    await tx.query(
      `UPDATE ${this.schema}.faces SET user_seq = $1
       WHERE seq IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)`,
      [userSeq, json(faceSeqs)],
    );
  }

  protected async tagsOf(db: SqlQueryable, collectionSeq: Int8): Promise<Record<string, string>> {
    const rows = await db.query<{ key: string; value: string }>(
      `SELECT key, value FROM ${this.schema}.tags WHERE collection_seq = $1 ORDER BY key`,
      [collectionSeq],
    );
    const tags: Record<string, string> = {};
    for (const { key, value } of rows) tags[key] = value;
    return tags;
  }

  protected async upsertTags(
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
