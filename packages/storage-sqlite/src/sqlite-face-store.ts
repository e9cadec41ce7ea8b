import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FaceStore } from '@facekit/core';
import type BetterSqlite3 from 'better-sqlite3';
import { type FaceVectorIndexProvider, matrixIndexProvider } from './face-vector-index.js';
import { loadDriver } from './load-driver.js';
import { migrate } from './migrations.js';
import { openError } from './sqlite-errors.js';
import { SqliteFaceStore } from './sqlite-store.js';

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
