import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUnitVectors } from '@facekit/conformance/storage';
import { type FaceStore, RekognitionError, type StoredFace } from '@facekit/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteFaceStore } from '../src/index.js';
import { APPLICATION_ID, SCHEMA_VERSION } from '../src/migrations.js';
import { tempDatabase } from './temp-db.js';

const DIMENSIONS = 16;
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

const cleanups: (() => void)[] = [];
const stores: FaceStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempPath(): string {
  const db = tempDatabase();
  cleanups.push(db.cleanup);
  return db.path;
}

async function open(path: string, options: { busyTimeoutMs?: number } = {}): Promise<FaceStore> {
  const store = await createSqliteFaceStore({ path, ...options });
  stores.push(store);
  return store;
}

function face(faceId: string, vector: Float32Array): StoredFace {
  return {
    faceId,
    imageId: `img-${faceId}`,
    boundingBox: { width: 0.5, height: 0.5, left: 0.1, top: 0.2 },
    confidence: 99,
    indexFacesModelVersion: '7.0',
    createdAt: 1,
    vector,
  };
}

async function rejection(promise: Promise<unknown>): Promise<RekognitionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RekognitionError.isInstance(error), `not a RekognitionError: ${String(error)}`).toBe(true);
  return error as RekognitionError;
}

function withRawDatabase<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('createSqliteFaceStore', () => {
  it('names itself and declares its capabilities', async () => {
    const file = await open(tempPath());
    const memory = await open(':memory:');
    expect(file.name).toBe('sqlite');
    expect(file.capabilities).toEqual({ persistent: true, search: 'exact' });
    expect(memory.capabilities).toEqual({ persistent: false, search: 'exact' });
  });

  it('creates missing parent directories', async () => {
    const path = tempPath();
    const nested = join(dirname(path), 'a', 'b', 'faces.db');
    await open(nested);
    expect(existsSync(nested)).toBe(true);
  });

  it('records the schema version, application id and WAL mode', async () => {
    const path = tempPath();
    await (await open(path)).close();
    withRawDatabase(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      expect(tables).toEqual(expect.arrayContaining(['collections', 'faces', 'tags', 'users']));
    });
    // Reopening an up-to-date database changes nothing.
    await (await open(path)).close();
    withRawDatabase(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    });
  });

  it('upgrades a version-1 database, keeping its data', async () => {
    const path = tempPath();
    const store = await open(path);
    await store.createCollection({ collectionId: 'old', faceModelVersion: '7.0', createdAt: 1 });
    await store.close();
    // Roll the file back to what schema version 1 wrote.
    withRawDatabase(path, (db) => {
      db.exec('DROP INDEX faces_collection_image');
      db.exec('DROP TABLE face_separations; DROP TABLE face_user_separations');
      db.pragma('user_version = 1');
    });
    const reopened = await open(path);
    expect((await reopened.describeCollection('old')).createdAt).toBe(1);
    await reopened.close();
    withRawDatabase(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const indexes = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index'")
        .pluck()
        .all();
      expect(indexes).toContain('faces_collection_image');
      expect(indexes).toContain('face_user_separations_user');
    });
  });

  it('refuses a database written by a newer version, and leaves it untouched', async () => {
    const path = tempPath();
    await (await open(path)).close();
    withRawDatabase(path, (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
    const error = await rejection(createSqliteFaceStore({ path }));
    expect(error.name).toBe('InternalServerError');
    expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(error.message).toMatch(/newer/);
    withRawDatabase(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    });
  });

  it('refuses a file that is not a SQLite database, with a clear error', async () => {
    const path = tempPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'this is definitely not a SQLite database\n'.repeat(200));
    const error = await rejection(createSqliteFaceStore({ path }));
    expect(error.name).toBe('InternalServerError');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not a SQLite database or is corrupted/);
    expect((error.cause as { code?: string }).code).toBe('SQLITE_NOTADB');
  });

  it("refuses another program's SQLite database instead of migrating it", async () => {
    const path = tempPath();
    mkdirSync(dirname(path), { recursive: true });
    withRawDatabase(path, (db) => db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)'));
    const error = await rejection(createSqliteFaceStore({ path }));
    expect(error.message).toMatch(/not a facekit database/);
    withRawDatabase(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(0);
    });
  });

  it('stores each vector as exactly 4 * dimensions bytes of little-endian float32', async () => {
    const path = tempPath();
    const store = await open(path);
    await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    const [vector] = randomUnitVectors(1, 512, 1);
    await store.putFaces('c', [face('f', vector)]);
    await store.close();
    withRawDatabase(path, (db) => {
      const blob = db.prepare('SELECT vector FROM faces').pluck().get() as Buffer;
      expect(blob.byteLength).toBe(4 * 512);
      for (let i = 0; i < 512; i++) expect(blob.readFloatLE(i * 4)).toBe(vector[i]);
    });
  });

  it('returns vectors that own their memory', async () => {
    const store = await open(':memory:');
    await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    const vectors = randomUnitVectors(3, 5, 2); // 20-byte blobs: unaligned in a shared pool
    await store.putFaces(
      'c',
      vectors.map((v, i) => face(`f${i}`, v)),
    );
    const got = await store.getFaces('c', ['f0', 'f1', 'f2']);
    for (const [i, stored] of got.entries()) {
      expect(stored.vector.byteOffset).toBe(0);
      expect(stored.vector.buffer.byteLength).toBe(20);
      expect(Array.from(stored.vector)).toEqual(Array.from(vectors[i]));
    }
    got[0].vector[0] = 42;
    expect((await store.getFaces('c', ['f0']))[0].vector[0]).toBe(vectors[0][0]);
  });

  it('rejects vectors whose dimension differs from the collection', async () => {
    const store = await open(':memory:');
    await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    await store.putFaces('c', [face('a', randomUnitVectors(1, DIMENSIONS, 3)[0])]);
    const put = await rejection(store.putFaces('c', [face('b', randomUnitVectors(1, 8, 4)[0])]));
    expect(put.name).toBe('InvalidParameterException');
    const search = await rejection(
      store.searchFaces('c', randomUnitVectors(1, 8, 5)[0], { limit: 1 }),
    );
    expect(search.name).toBe('InvalidParameterException');
    expect((await store.describeCollection('c')).faceCount).toBe(1);
  });

  it('turns a lock held by another connection into ThrottlingException', async () => {
    const path = tempPath();
    const store = await open(path, { busyTimeoutMs: 50 });
    await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const error = await rejection(store.createUser('c', { userId: 'u', createdAt: 1 }));
      expect(error.name).toBe('ThrottlingException');
      expect(error.$fault).toBe('server');
      // Reads still work while another connection writes (WAL).
      expect((await store.describeCollection('c')).userCount).toBe(0);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    await store.createUser('c', { userId: 'u', createdAt: 1 });
  });
});

describe('several connections on one file', () => {
  it("sees another instance's writes, including in search, and never returns its deletions", async () => {
    const path = tempPath();
    const a = await open(path);
    const b = await open(path);
    await a.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    const vectors = randomUnitVectors(4, DIMENSIONS, 6);
    await a.putFaces(
      'c',
      vectors.slice(0, 2).map((v, i) => face(`f${i}`, v)),
    );

    // b builds its search matrix now...
    expect((await b.searchFaces('c', vectors[0], { limit: 10 })).map((m) => m.face.faceId)).toEqual(
      expect.arrayContaining(['f0', 'f1']),
    );
    // ...then a adds and deletes faces and associates a user: b must not serve stale results.
    await a.putFaces(
      'c',
      vectors.slice(2).map((v, i) => face(`f${i + 2}`, v)),
    );
    await a.deleteFaces('c', ['f0']);
    const found = await b.searchFaces('c', vectors[0], { limit: 10 });
    expect(found.map((m) => m.face.faceId).sort()).toEqual(['f1', 'f2', 'f3']);
    expect((await b.searchFaces('c', vectors[3], { limit: 1 }))[0].face.faceId).toBe('f3');

    await a.createUser('c', { userId: 'ana', createdAt: 1 });
    expect(await b.searchUsers('c', vectors[2], { limit: 5 })).toEqual([]);
    await a.associateFaces('c', 'ana', ['f2'], 100);
    const users = await b.searchUsers('c', vectors[2], { limit: 5 });
    expect(users.map((m) => m.user)).toEqual([{ userId: 'ana', createdAt: 1, faceCount: 1 }]);
    expect(users[0].score).toBeCloseTo(1, 5);

    await b.deleteCollection('c');
    await expect(a.searchFaces('c', vectors[0], { limit: 1 })).rejects.toThrow(/does not exist/);
  });

  it('keeps its cached counts and user centroids in step with its own writes', async () => {
    const path = tempPath();
    const a = await open(path);
    const b = await open(path);
    await a.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
    const vectors = randomUnitVectors(8, DIMENSIONS, 9);
    // a caches counts and centroids now; b recomputes them from the database after each of a's
    // commits (another connection's write drops its caches): both must agree after every step.
    const agree = async () => {
      const [mine, fresh] = [await a.describeCollection('c'), await b.describeCollection('c')];
      expect(mine).toEqual(fresh);
      for (const v of vectors) {
        const [x, y] = [
          await a.searchUsers('c', v, { limit: 5 }),
          await b.searchUsers('c', v, { limit: 5 }),
        ];
        expect(x.map((m) => m.user)).toEqual(y.map((m) => m.user));
        expect(x.map((m) => m.score)).toEqual(y.map((m) => m.score));
      }
      return mine;
    };
    await agree();
    await a.putFaces(
      'c',
      vectors.map((v, i) => face(`f${i}`, v)),
    );
    expect((await agree()).faceCount).toBe(8);
    await a.createUser('c', { userId: 'ana', createdAt: 1 });
    await a.createUser('c', { userId: 'bo', createdAt: 2 });
    expect((await agree()).userCount).toBe(2);
    await a.associateFaces('c', 'ana', ['f0', 'f1', 'f2'], 100);
    await a.associateFaces('c', 'bo', ['f3'], 100);
    await agree();
    await a.disassociateFaces('c', 'ana', ['f1']);
    await agree();
    await a.deleteFaces('c', ['f6', 'f7', 'f1']);
    expect((await agree()).faceCount).toBe(5);
    await a.disassociateFaces('c', 'bo', ['f3']);
    await a.deleteUser('c', 'ana');
    const last = await agree();
    expect(last.userCount).toBe(1);
    expect(await a.searchUsers('c', vectors[0], { limit: 5 })).toEqual([]);
  });

  it('keeps every acknowledged write when the writing process is killed', async () => {
    const path = tempPath();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@facekit/source',
        join(packageDir, 'test/__fixtures__/write-and-crash.ts'),
        path,
        String(DIMENSIONS),
      ],
      { cwd: packageDir },
    ).catch((error: { stdout?: string; signal?: string; stderr?: string }) => {
      // The child kills itself: execFile reports that as a failure, with the output kept.
      expect(error.signal, error.stderr).toBe('SIGKILL');
      return { stdout: error.stdout ?? '' };
    });
    expect(JSON.parse(stdout)).toEqual({ acknowledged: true });
    expect(existsSync(`${path}-wal`)).toBe(true); // never checkpointed: recovery reads the WAL

    const store = await open(path);
    expect(await store.describeCollection('crash')).toEqual({
      collectionId: 'crash',
      faceModelVersion: '7.0',
      createdAt: 42,
      faceCount: 4,
      userCount: 1,
    });
    expect(await store.getTags('crash')).toEqual({ written: 'before-kill' });
    expect(await store.getUser('crash', 'ana')).toEqual({
      userId: 'ana',
      createdAt: 7,
      faceCount: 2,
    });
    const listed = await store.listFaces('crash', { limit: 10 });
    expect(listed.items.map((f) => [f.faceId, f.userId])).toEqual([
      ['face-0', undefined],
      ['face-1', 'ana'],
      ['face-2', 'ana'],
      ['face-3', undefined],
    ]);
    const query = new Float32Array(DIMENSIONS);
    query[3] = 1;
    const [best] = await store.searchFaces('crash', query, { limit: 1 });
    expect(best).toEqual({ face: expect.objectContaining({ faceId: 'face-3' }), score: 1 });
  }, 30_000);
});
