import {
  type CollectionRecord,
  type CollectionStats,
  collectionAlreadyExists,
  collectionNotFound,
  type FaceFilter,
  type FaceSeparation,
  type FaceStore,
  faceAlreadyExists,
  InvalidParameterException,
  type PageRequest,
  type ScoredFace,
  type ScoredUser,
  type StoredFace,
  tooManyTags,
  type UserRecord,
  type UserSearchOptions,
  userAlreadyExists,
  userFaceLimitExceeded,
  userNotFound,
  type VectorSearchOptions,
} from '@facekit/core';
import {
  checkDimensions,
  collectionRecord,
  deletion,
  faceMetadata,
  faceStandings,
  type OwnedFaceRow,
  ownershipChange,
  parseSeqCursor,
  toPage,
  userRecord,
} from '@facekit/core/sql-store';
import { centroid } from '@facekit/core/vector';
import type BetterSqlite3 from 'better-sqlite3';
import type {
  CollectionVectorState,
  FaceVectorIndex,
  FaceVectorIndexProvider,
} from './face-vector-index.js';
import { storageError } from './sqlite-errors.js';
import {
  type CollectionRow,
  type FaceRow,
  NO_SEQS,
  prepareStatements,
  type Statements,
  type UserRow,
} from './sqlite-statements.js';
import { buildUserIndex, refreshUser, type UserIndex } from './user-index.js';
import { decodeVector, encodeVector } from './vector-blob.js';
import { VectorMatrix } from './vector-matrix.js';

/** Cursors are a row's `seq`; rows start at 1 and stay below 2^53 (15 digits). */
const parseCursor = (after: string | undefined) => Number(parseSeqCursor(after, 15));

/**
 * The store. Every method runs synchronously (better-sqlite3) inside one SQLite transaction, so
 * it is atomic both against other calls in this process and against other processes; writes use
 * `BEGIN IMMEDIATE` so they never fail half-way on a lock upgrade.
 *
 * Caches: per collection, the face search index, a {@link VectorMatrix} of user centroids and the
 * face and user counts, built lazily from the database. Own writes update them right after
 * commit, in the same synchronous turn; commits by other connections are detected with
 * `PRAGMA data_version` before each use and drop every cache.
 */
export class SqliteFaceStore implements FaceStore {
  readonly specificationVersion = 'v1' as const;
  readonly name: string;
  readonly capabilities: FaceStore['capabilities'];

  private readonly statements: Statements;
  private readonly faceIndexes = new Map<number, FaceVectorIndex>();
  private readonly userIndexes = new Map<number, UserIndex>();
  /**
   * Faces and users per collection: `count(*)` walks an index (about 2 ms per 100 000 faces),
   * and every search asks (DescribeCollection is how the service reads a collection's model).
   */
  private readonly counts = new Map<number, { faces: number; users: number }>();
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
        throw collectionAlreadyExists(record.collectionId);
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
        this.counts.delete(seq);
        this.indexProvider.drop(seq);
      },
    ).then(() => undefined);
  }

  async describeCollection(collectionId: string): Promise<CollectionStats> {
    return this.read(() => {
      const row = this.collection(collectionId);
      const { faces, users } = this.countsOf(row.seq);
      return { ...collectionRecord(row), faceCount: faces, userCount: users };
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
        throw tooManyTags(merged.size, maxTags);
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
            throw faceAlreadyExists(face.faceId, collectionId);
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
        const counts = this.counts.get(collectionSeq);
        if (counts) counts.faces += seqs.length;
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
        const faces = faceStandings(faceIds, (faceId) => this.ownership(collectionSeq, faceId));
        const { result, toDelete } = deletion(faces);
        for (const seq of toDelete) s.deleteFace.run(seq);
        const deletedSeqs = new Set(toDelete);
        return { result, collectionSeq, deletedSeqs };
      },
      ({ collectionSeq, deletedSeqs }) => {
        const counts = this.counts.get(collectionSeq);
        if (counts) counts.faces -= deletedSeqs.size;
        this.faceIndexes.get(collectionSeq)?.remove(deletedSeqs);
      },
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
    return this.write(
      () => {
        const s = this.statements;
        const { seq } = this.collection(collectionId);
        if (s.user.get(seq, user.userId)) {
          throw userAlreadyExists(collectionId, user.userId);
        }
        s.insertUser.run(seq, user.userId, user.createdAt);
        const record: UserRecord = { userId: user.userId, createdAt: user.createdAt, faceCount: 0 };
        return { record, seq };
      },
      ({ seq }) => {
        const counts = this.counts.get(seq);
        if (counts) counts.users++;
      },
    ).then(({ record }) => record);
  }

  async deleteUser(collectionId: string, userId: string) {
    return this.write(
      () => {
        const { seq } = this.collection(collectionId);
        const user = this.user(seq, collectionId, userId);
        // faces.user_seq is ON DELETE SET NULL: the user's faces stay, unowned.
        this.statements.deleteUser.run(user.seq);
        return { seq, userSeq: user.seq };
      },
      ({ seq, userSeq }) => {
        const counts = this.counts.get(seq);
        if (counts) counts.users--;
        const index = this.userIndexes.get(seq);
        if (index) refreshUser(index, this.statements, userSeq, undefined);
      },
    ).then(() => undefined);
  }

  async getUser(collectionId: string, userId: string) {
    return this.read(() => {
      const row = this.statements.user.get(this.collection(collectionId).seq, userId);
      return row ? userRecord(row) : undefined;
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
        const { result, free: toAssociate } = ownershipChange(
          faceStandings(faceIds, (faceId) => this.ownership(collectionSeq, faceId), user.seq),
          userRecord(user),
        );
        if (user.face_count + toAssociate.length > maxFacesPerUser) {
          throw userFaceLimitExceeded(userId, user.face_count, toAssociate.length, maxFacesPerUser);
        }
        for (const face of toAssociate) {
          s.setFaceUser.run(user.seq, face.seq);
          result.changed.push(face.faceId);
        }
        result.user = { ...result.user, faceCount: user.face_count + toAssociate.length };
        return { result, collectionSeq, user };
      },
      ({ result, collectionSeq, user }) => {
        if (result.changed.length > 0) this.userChanged(collectionSeq, user);
      },
    ).then(({ result }) => result);
  }

  async disassociateFaces(collectionId: string, userId: string, faceIds: readonly string[]) {
    return this.write(
      () => {
        const s = this.statements;
        const { seq: collectionSeq } = this.collection(collectionId);
        const user = this.user(collectionSeq, collectionId, userId);
        const { result, own } = ownershipChange(
          faceStandings(faceIds, (faceId) => this.ownership(collectionSeq, faceId), user.seq),
          userRecord(user),
        );
        for (const face of own) {
          s.setFaceUser.run(null, face.seq);
          result.changed.push(face.faceId);
        }
        result.user = { ...result.user, faceCount: user.face_count - result.changed.length };
        return { result, collectionSeq, user };
      },
      ({ result, collectionSeq, user }) => {
        if (result.changed.length > 0) this.userChanged(collectionSeq, user);
      },
    ).then(({ result }) => result);
  }

  async listUsers(collectionId: string, page: PageRequest) {
    return this.read(() => {
      const { seq } = this.collection(collectionId);
      const after = parseCursor(page.after);
      const rows = this.statements.listUsers.all(seq, after, page.limit + 1);
      return toPage(rows, page.limit, userRecord);
    });
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
    this.counts.clear();
    this.indexProvider.close?.();
    if (this.db.open) this.db.close();
  }

  async putFaceSeparations(collectionId: string, separations: readonly FaceSeparation[]) {
    return this.write(() => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      for (const separation of separations) {
        const { faceId, otherFaceId, userId } = separation;
        if (otherFaceId === undefined) s.insertFaceUserSeparation.run(seq, faceId, seq, userId);
        else if (faceId !== otherFaceId) {
          const [low, high] = faceId < otherFaceId ? [faceId, otherFaceId] : [otherFaceId, faceId];
          s.insertFaceSeparation.run(seq, low, seq, high);
        }
      }
    });
  }

  async listFaceSeparations(collectionId: string): Promise<FaceSeparation[]> {
    return this.read(() => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      return [
        ...s.faceSeparations
          .all(seq)
          .map((row) => ({ faceId: row.face_id, otherFaceId: row.other_face_id })),
        ...s.faceUserSeparations
          .all(seq)
          .map((row) => ({ faceId: row.face_id, userId: row.user_id })),
      ];
    });
  }

  async deleteFaceSeparations(
    collectionId: string,
    separations: readonly FaceSeparation[],
  ): Promise<FaceSeparation[]> {
    return this.write(() => {
      const s = this.statements;
      const { seq } = this.collection(collectionId);
      const removed: FaceSeparation[] = [];
      for (const { faceId, otherFaceId, userId } of separations) {
        if (otherFaceId === undefined) {
          if (s.deleteFaceUserSeparation.run(seq, faceId, seq, userId).changes > 0) {
            removed.push({ faceId, userId });
          }
        } else {
          const [low, high] = faceId < otherFaceId ? [faceId, otherFaceId] : [otherFaceId, faceId];
          if (s.deleteFaceSeparation.run(seq, low, seq, high).changes > 0) {
            removed.push({ faceId: low, otherFaceId: high });
          }
        }
      }
      return removed;
    });
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
        this.counts.clear();
      }
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(storageError(error));
    }
  }

  private ownership(collectionSeq: number, faceId: string): OwnedFaceRow<number> | undefined {
    const row = this.statements.ownership.get(collectionSeq, faceId);
    return row && { seq: row.seq, userSeq: row.user_seq, userId: row.user_id };
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
      this.counts.clear();
      this.dataVersion = version;
    }
  }

  private releaseFaceIndexes(): void {
    for (const index of this.faceIndexes.values()) index.release();
    this.faceIndexes.clear();
  }

  private countsOf(collectionSeq: number): { faces: number; users: number } {
    this.syncCaches();
    let counts = this.counts.get(collectionSeq);
    if (!counts) {
      counts = {
        faces: this.statements.countFaces.get(collectionSeq) ?? 0,
        users: this.statements.countUsers.get(collectionSeq) ?? 0,
      };
      this.counts.set(collectionSeq, counts);
    }
    return counts;
  }

  /** A user's faces changed (committed): recompute its centroid alone, if users are cached. */
  private userChanged(collectionSeq: number, user: UserRow): void {
    const index = this.userIndexes.get(collectionSeq);
    if (!index) return;
    refreshUser(index, this.statements, user.seq, {
      userId: user.user_id,
      createdAt: Number(user.created_at),
    });
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
      index = buildUserIndex(this.statements, collectionSeq);
      this.userIndexes.set(collectionSeq, index);
    }
    return index;
  }
}
