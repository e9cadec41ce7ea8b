import { describeFaceStoreContract, randomUnitVectors } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import { expect } from 'vitest';
import { createPostgresFaceStore, type SqlDriver, type SqlQueryable } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { freshSchema } from './pglite-fixtures.js';

const open = (driver: () => SqlDriver, search: 'exact' | 'hnsw', schema = freshSchema()) =>
  createPostgresFaceStore({
    driver: driver(),
    schema,
    search,
    // The suite's collections are small: without this they would be searched exactly.
    hnsw: { exactBelow: 0 },
    closeDriver: false,
  });
const schemas = new WeakMap<object, string>();

/** The contract suite's factory (a fresh schema per store on `driver`) and reopen. */
export const reopenable = (driver: () => SqlDriver, search: 'exact' | 'hnsw') => ({
  factory: async () => {
    const schema = freshSchema();
    const store = await open(driver, search, schema);
    schemas.set(store, schema);
    return store;
  },
  reopen: async (store: object & { close(): Promise<void> }) => {
    await store.close();
    return open(driver, search, schemas.get(store));
  },
});

/** The contract suite with exact search and with HNSW, on `driver`, named after `where`. */
export function describeContractOn(where: string, driver: () => SqlDriver): void {
  const exact = reopenable(driver, 'exact');
  describeFaceStoreContract(`postgres (${where})`, exact.factory, { reopen: exact.reopen });
  const hnsw = reopenable(driver, 'hnsw');
  describeFaceStoreContract(`postgres (HNSW, ${where})`, hnsw.factory, {
    search: 'approximate',
    reopen: hnsw.reopen,
  });
}

let n = 0;
/** A face with this vector and ids and a creation time no other face of this process has. */
export const newFace = (vector: Float32Array): StoredFace => {
  n++;
  return {
    faceId: crypto.randomUUID(),
    imageId: `image-${n}`,
    boundingBox: { width: 0.25, height: 0.375, left: 0.125, top: 0.0625 },
    confidence: 99.5,
    indexFacesModelVersion: '7.0',
    createdAt: 1_700_000_000_000 + n,
    vector,
  };
};

/** The error a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** What {@link concurrentCountWrites} found: DescribeCollection's counts and the real ones. */
export interface CountsSeen {
  described: { faces: number; users: number };
  counted: { faces: number; users: number };
  /** The counts the writes must have left, whatever order they ran in. */
  expected: { faces: number; users: number };
  /** The other collection's counts, which these writes must not change (expected: 2 faces, 1 user). */
  other: { faces: number; users: number };
}

/**
 * Two stores (`a`, `b`, on different pools) on one schema add and remove faces and users of
 * collection `c` at once, racing on the same ids too (both delete the same faces and users, both
 * create the same user and put the same faces); `db` then counts the rows of `schema` itself.
 */
export async function concurrentCountWrites(
  a: FaceStore,
  b: FaceStore,
  db: SqlQueryable,
  schema: string,
): Promise<CountsSeen> {
  const created = { collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 };
  await a.createCollection(created);
  await b.createCollection({ ...created, collectionId: 'other' });
  await b.putFaces('other', randomUnitVectors(2, 32, 90).map(newFace));
  await b.createUser('other', { userId: 'u', createdAt: 1 });
  const batches = Array.from({ length: 8 }, (_, i) =>
    randomUnitVectors(5, 32, 100 + i).map(newFace),
  );
  const store = (i: number) => (i % 2 ? a : b);
  const userIds = Array.from({ length: 6 }, (_, i) => `user-${i}`);
  // 1: 40 faces and 6 users, interleaved.
  await Promise.all([
    ...batches.map((batch, i) => store(i).putFaces('c', batch)),
    ...userIds.map((userId, i) => store(i + 1).createUser('c', { userId, createdAt: 1 })),
  ]);
  // 2: both stores delete the same 10 faces and 2 users, put the same 5 faces and create the same
  // user (one of each pair wins), while 5 more faces arrive: 40 - 10 + 5 + 5 faces, 6 - 2 + 1 users.
  const doomed = batches.slice(0, 2).flatMap((batch) => batch.map((f) => f.faceId));
  const twice = randomUnitVectors(5, 32, 200).map(newFace);
  const more = randomUnitVectors(5, 32, 201).map(newFace);
  await Promise.allSettled([
    ...[a, b].flatMap((s) => [
      s.deleteFaces('c', doomed.slice(0, 5)),
      s.deleteFaces('c', doomed.slice(5)),
      s.deleteUser('c', userIds[0]),
      s.deleteUser('c', userIds[1]),
      s.putFaces('c', twice),
      s.createUser('c', { userId: 'late', createdAt: 2 }),
    ]),
    a.putFaces('c', more),
  ]);
  const counts = async (collectionId: string) => {
    const stats = await store(collectionId.length).describeCollection(collectionId);
    return { faces: stats.faceCount, users: stats.userCount };
  };
  const [counted] = await db.query<{ faces: number | string; users: number | string }>(
    `SELECT (SELECT count(*) FROM ${schema}.faces f WHERE f.collection_seq = c.seq) AS faces,
       (SELECT count(*) FROM ${schema}.users u WHERE u.collection_seq = c.seq) AS users
     FROM ${schema}.collections c WHERE c.collection_id = 'c'`,
  );
  return {
    described: await counts('c'),
    counted: { faces: Number(counted.faces), users: Number(counted.users) },
    expected: { faces: 40, users: 5 },
    other: await counts('other'),
  };
}

/**
 * {@link concurrentCountWrites}, then what must hold whatever order the writes ran in:
 * DescribeCollection's counts equal the rows and the expected result, and the other collection
 * is untouched. Closes both stores.
 */
export async function expectCountsKeptUnderConcurrentWrites(
  a: FaceStore,
  b: FaceStore,
  db: SqlQueryable,
  schema: string,
): Promise<void> {
  const seen = await concurrentCountWrites(a, b, db, schema);
  expect(seen.described).toEqual(seen.counted);
  expect(seen.described).toEqual(seen.expected);
  expect(seen.other).toEqual({ faces: 2, users: 1 });
  await a.close();
  await b.close();
}

/**
 * `schema` as facekit schema version 2 left it (before the stored counts): collection `a` has
 * 3 faces (`f1` of user `u1`, `f2`, `f3`) and users `u1`, `u2`; `b` has 1 face; `empty` none.
 * `citus`: created as a Citus distributed schema, as the store creates them.
 */
export async function createVersion2Schema(db: SqlDriver, schema: string, citus = false) {
  await db.transaction(async (tx) => {
    await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
    if (citus) await tx.query('SET LOCAL citus.enable_schema_based_sharding = on');
    await tx.query(`CREATE SCHEMA ${schema}`);
    await tx.query(`CREATE TABLE ${schema}.facekit_migrations (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const statement of MIGRATIONS.slice(0, 2).flat()) {
      await tx.query(statement.replaceAll('{schema}', schema));
    }
    await tx.query(`INSERT INTO ${schema}.facekit_migrations (version) VALUES (1), (2)`);
  });
  await db.query(`INSERT INTO ${schema}.collections (collection_id, face_model_version,
    created_at, dimension) VALUES ('a', '7.0', 1, 3), ('b', '7.0', 1, 3), ('empty', '7.0', 1, NULL)`);
  const seq = `(SELECT seq FROM ${schema}.collections WHERE collection_id = v.c)`;
  await db.query(`INSERT INTO ${schema}.users (collection_seq, user_id, created_at)
    SELECT ${seq}, v.u, 1 FROM (VALUES ('a', 'u1'), ('a', 'u2')) AS v(c, u)`);
  await db.query(`INSERT INTO ${schema}.faces (collection_seq, face_id, image_id, bbox_width,
    bbox_height, bbox_left, bbox_top, confidence, index_faces_model_version, user_seq,
    created_at, embedding)
    SELECT ${seq}, v.f, 'i', 0.5, 0.5, 0.25, 0.25, 99, '7.0',
      (SELECT seq FROM ${schema}.users WHERE user_id = v.u), 1, '[1,0,0]'
    FROM (VALUES ('a', 'f1', 'u1'), ('a', 'f2', NULL), ('a', 'f3', NULL), ('b', 'f4', NULL))
      AS v(c, f, u)`);
}

/** The [collection, faces, users] that {@link createVersion2Schema} wrote. */
export const VERSION_2_COUNTS = [
  ['a', 3, 2],
  ['b', 1, 0],
  ['empty', 0, 0],
] as const;
