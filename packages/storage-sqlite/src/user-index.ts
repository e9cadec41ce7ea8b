import type { UserRecord } from '@facekit/core';
import { centroid } from '@facekit/core/vector';
import type { Statements } from './sqlite-statements.js';
import { decodeVector } from './vector-blob.js';
import { VectorMatrix } from './vector-matrix.js';

/** Searchable user vectors of one collection: centroids of users with faces, plus their records. */
export interface UserIndex {
  matrix: VectorMatrix;
  records: Map<number, UserRecord>;
  seqByUserId: Map<string, number>;
}

/** Reads every owned face of the collection once: on the first SearchUsers after open. */
export function buildUserIndex(statements: Statements, collectionSeq: number): UserIndex {
  const index: UserIndex = {
    matrix: new VectorMatrix(),
    records: new Map(),
    seqByUserId: new Map(),
  };
  let user: { seq: number; userId: string; createdAt: number; vectors: Float32Array[] } | undefined;
  const flush = () => {
    if (!user) return;
    setUser(index, user.seq, { userId: user.userId, createdAt: user.createdAt }, user.vectors);
  };
  const rows = statements.collectionUserVectors.iterate(collectionSeq);
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

/**
 * Brings one user up to date after its faces changed (or it was deleted: `user` undefined),
 * reading only that user's faces (at most the per-user limit, by the `faces_user` index), so
 * that AssociateFaces and friends do not make the next SearchUsers re-read the collection.
 */
export function refreshUser(
  index: UserIndex,
  statements: Statements,
  userSeq: number,
  user: { userId: string; createdAt: number } | undefined,
): void {
  const old = index.records.get(userSeq);
  if (old) {
    index.matrix.remove(new Set([userSeq]));
    index.records.delete(userSeq);
    index.seqByUserId.delete(old.userId);
  }
  if (!user) return;
  setUser(index, userSeq, user, statements.userVectors.all(userSeq).map(decodeVector));
}

function setUser(
  index: UserIndex,
  userSeq: number,
  user: { userId: string; createdAt: number },
  vectors: Float32Array[],
): void {
  // Users without faces are not searchable.
  if (vectors.length === 0) return;
  index.matrix.append(userSeq, centroid(vectors) as Float32Array);
  index.records.set(userSeq, { ...user, faceCount: vectors.length });
  index.seqByUserId.set(user.userId, userSeq);
}
