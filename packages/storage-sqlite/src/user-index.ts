import type { UserRecord } from '@facekit/core';
import { centroid } from '@facekit/core/vector';
import type { Statements } from './sqlite-statements.js';
import { decodeVector } from './vector-blob.js';
import { VectorMatrix } from './vector-matrix.js';

/** Searchable user vectors of one collection: centroids in creation order plus their records. */
export interface UserIndex {
  matrix: VectorMatrix;
  records: Map<number, UserRecord>;
  seqByUserId: Map<string, number>;
}

export function buildUserIndex(statements: Statements, collectionSeq: number): UserIndex {
  const index: UserIndex = {
    matrix: new VectorMatrix(),
    records: new Map(),
    seqByUserId: new Map(),
  };
  let user: { seq: number; userId: string; createdAt: number; vectors: Float32Array[] } | undefined;
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
