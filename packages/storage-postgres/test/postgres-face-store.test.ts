import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUnitVectors } from '@facekit/conformance/storage';
import { type FaceStore, RekognitionError, type StoredFace } from '@facekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGliteDriver, createPgDriver, createPostgresFaceStore } from '../src/index.js';
import { SCHEMA_VERSION } from '../src/migrations.js';
import { freshSchema, type SharedPGlite, sharedPGlite } from './pglite-fixtures.js';
import {
  createVersion2Schema,
  expectCountsKeptUnderConcurrentWrites,
  VERSION_2_COUNTS,
} from './store-fixtures.js';

let shared: SharedPGlite;
beforeAll(async () => {
  shared = await sharedPGlite();
}, 120_000);
afterAll(() => shared?.close());

const face = (vector: Float32Array, i: number): StoredFace => ({
  faceId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  imageId: crypto.randomUUID(),
  boundingBox: { width: 0.5, height: 0.5, left: 0.25, top: 0.25 },
  confidence: 99,
  indexFacesModelVersion: '1.0',
  createdAt: 1_700_000_000_000 + i,
  vector,
});
const faces = (count: number, dimension: number, seed: number) =>
  randomUnitVectors(count, dimension, seed).map((v, i) => face(v, i));

const collection = (store: FaceStore, collectionId = 'c') =>
  store.createCollection({ collectionId, faceModelVersion: '1.0', createdAt: 1 });

async function errorOf(promise: Promise<unknown>): Promise<RekognitionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RekognitionError.isInstance(error), `not a RekognitionError: ${String(error)}`).toBe(true);
  return error as RekognitionError;
}

describe('migrations', () => {
  it('run once however often and however concurrently the schema is opened', async () => {
    const schema = freshSchema();
    const second = await createPgDriver({ connectionString: shared.url, pool: { max: 2 } });
    const open = (driver = shared.overWire) =>
      createPostgresFaceStore({ driver, schema, closeDriver: false });
    // Three at once from two pools: the advisory lock lets one of them migrate.
    const stores = await Promise.all([open(), open(second), open()]);
    await collection(stores[0]);
    for (const store of stores) await store.close();
    await second.close();
    const again = await open(shared.inProcess);
    expect((await again.describeCollection('c')).collectionId).toBe('c');
    await again.close();
    const rows = await shared.inProcess.query<{ version: number }>(
      `SELECT version FROM ${schema}.facekit_migrations ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });

  it('refuses a schema written by a newer facekit', async () => {
    const schema = freshSchema();
    const store = await createPostgresFaceStore({
      driver: shared.inProcess,
      schema,
      closeDriver: false,
    });
    await store.close();
    await shared.inProcess.query(
      `INSERT INTO ${schema}.facekit_migrations (version) VALUES (${SCHEMA_VERSION + 1})`,
    );
    const error = await errorOf(
      createPostgresFaceStore({ driver: shared.inProcess, schema, closeDriver: false }),
    );
    expect(error.name).toBe('InternalServerError');
    expect(error.message).toMatch(/newer facekit/);
  });

  it('3 backfills the face and user counts of a database written by version 2', async () => {
    const schema = freshSchema();
    const db = shared.inProcess;
    await createVersion2Schema(db, schema);
    const store = await createPostgresFaceStore({ driver: db, schema, closeDriver: false });
    const counts = async (id: string) => {
      const { faceCount, userCount } = await store.describeCollection(id);
      return [faceCount, userCount];
    };
    for (const [id, faces, users] of VERSION_2_COUNTS)
      expect(await counts(id)).toEqual([faces, users]);
    // And kept from then on.
    await store.deleteFaces('a', ['f2', 'f3']);
    await store.deleteUser('a', 'u1');
    expect(await counts('a')).toEqual([1, 1]);
    await store.close();
  });

  it('refuses a schema name that would need quoting', async () => {
    const error = await errorOf(
      createPostgresFaceStore({ driver: shared.inProcess, schema: 'a"; DROP', closeDriver: false }),
    );
    expect(error.message).toMatch(/schema name/);
  });
});

describe('without pgvector', () => {
  it('tells the user to install pgvector >= 0.5 and CREATE EXTENSION vector', async () => {
    const driver = await createPGliteDriver({ vector: false });
    const error = await errorOf(createPostgresFaceStore({ driver }));
    expect(error.name).toBe('InternalServerError');
    expect(error.message).toMatch(/pgvector >= 0\.5/);
    expect(error.message).toMatch(/CREATE EXTENSION vector/);
    // The store closed the driver it could not use.
    await expect(driver.query('SELECT 1')).rejects.toThrow();
  }, 120_000);
});

describe('concurrent writers', () => {
  it('two stores with their own pools on one schema keep every invariant', async () => {
    const schema = freshSchema();
    const other = await createPgDriver({ connectionString: shared.url, pool: { max: 2 } });
    const a = await createPostgresFaceStore({ driver: other, schema });
    const b = await createPostgresFaceStore({
      driver: shared.overWire,
      schema,
      closeDriver: false,
    });
    await collection(a);
    const batches = Array.from({ length: 10 }, (_, i) =>
      randomUnitVectors(4, 128, 500 + i).map((v, j) => face(v, i * 4 + j)),
    );
    await Promise.all(batches.map((batch, i) => (i % 2 ? a : b).putFaces('c', batch)));
    expect((await b.describeCollection('c')).faceCount).toBe(40);

    const created = await Promise.allSettled(
      [a, b, a, b].map((s) => s.createUser('c', { userId: 'ana', createdAt: 1 })),
    );
    expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await b.createUser('c', { userId: 'bo', createdAt: 1 });
    const target = batches[0][0].faceId;
    const owners = await Promise.all([
      a.associateFaces('c', 'ana', [target], 100),
      b.associateFaces('c', 'bo', [target], 100),
    ]);
    expect(owners.map((r) => r.changed.length).sort()).toEqual([0, 1]);
    const ids = batches.flat().map((f) => f.faceId);
    await Promise.allSettled(
      [0, 1, 2, 3].map((i) =>
        (i % 2 ? a : b).associateFaces('c', 'ana', ids.slice(4 + i * 4, 8 + i * 4), 10),
      ),
    );
    const ana = await a.getUser('c', 'ana');
    expect(ana?.faceCount).toBeLessThanOrEqual(10);
    expect((await b.listFaces('c', { limit: 100 }, { userId: 'ana' })).items).toHaveLength(
      ana?.faceCount ?? -1,
    );
    await a.close();
    await b.close();
  });
});

describe('collection counts', () => {
  it('stay equal to the rows after concurrent writes from two stores on one schema', async () => {
    const schema = freshSchema();
    const other = await createPgDriver({ connectionString: shared.url, pool: { max: 2 } });
    const a = await createPostgresFaceStore({ driver: other, schema });
    const b = await createPostgresFaceStore({
      driver: shared.overWire,
      schema,
      closeDriver: false,
    });
    await expectCountsKeptUnderConcurrentWrites(a, b, shared.overWire, schema);
  }, 60_000);
});

describe('HNSW', () => {
  it('builds a partial index per collection at its first face, uses it, drops it with the collection', async () => {
    const schema = freshSchema();
    const store = await createPostgresFaceStore({
      driver: shared.inProcess,
      schema,
      search: 'hnsw',
      hnsw: { exactBelow: 0 }, // the index even for 2000 faces
      closeDriver: false,
    });
    await collection(store, 'big');
    await collection(store, 'small');
    const indexes = () =>
      shared.inProcess.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'faces_hnsw_%'`,
        [schema],
      );
    expect(await indexes()).toEqual([]);
    const stored = faces(2000, 128, 7);
    for (let i = 0; i < stored.length; i += 500)
      await store.putFaces('big', stored.slice(i, i + 500));
    await store.putFaces('small', faces(3, 512, 8));
    const defs = (await indexes()).map((i) => i.indexdef);
    expect(defs).toHaveLength(2);
    expect(
      defs.some((d) => /hnsw .*vector\(128\).*vector_ip_ops.*WHERE \(collection_seq = /s.test(d)),
    ).toBe(true);
    expect(defs.some((d) => d.includes('vector(512)'))).toBe(true);

    // At 1000 faces the planner already prefers scanning and sorting (as it should: exact and
    // cheap); at 2000 the index wins.
    await shared.inProcess.query(`ANALYZE ${schema}.faces`);
    const [{ seq }] = await shared.inProcess.query<{ seq: number }>(
      `SELECT seq FROM ${schema}.collections WHERE collection_id = 'big'`,
    );
    const plan = await shared.inProcess.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT seq FROM ${schema}.faces f WHERE f.collection_seq = ${seq}
       ORDER BY (f.embedding::vector(128) <#> $1::vector(128)) LIMIT 10`,
      [`[${Array.from(stored[0].vector).join(',')}]`],
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(new RegExp(`faces_hnsw_${seq}`));

    // The face itself is its own nearest neighbour, found through the index.
    const [best] = await store.searchFaces('big', stored[1234].vector, { limit: 1 });
    expect(best.face.faceId).toBe(stored[1234].faceId);
    expect(best.score).toBeCloseTo(1, 5);

    await store.deleteCollection('big');
    expect(await indexes()).toHaveLength(1);
    await store.close();
  }, 120_000);
});

describe('embedded PGlite in a data directory', () => {
  it('keeps everything across close and reopen', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facekit-pglite-'));
    try {
      const open = async () =>
        createPostgresFaceStore({ driver: await createPGliteDriver({ dataDir }) });
      const first = await open();
      await collection(first);
      const stored = faces(5, 512, 9);
      await first.putFaces('c', stored);
      await first.close();

      const second = await open();
      expect((await second.describeCollection('c')).faceCount).toBe(5);
      const [back] = await second.getFaces('c', [stored[3].faceId]);
      expect(Array.from(back.vector)).toEqual(Array.from(stored[3].vector));
      const [best] = await second.searchFaces('c', stored[3].vector, { limit: 1 });
      expect(best.face.faceId).toBe(stored[3].faceId);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
