import { join } from 'node:path';
import type { FaceStore } from '@facekit/core';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import {
  createFaissIndexProvider,
  type FaissIndexKind,
  type HnswParameters,
} from './faiss-index-provider.js';

/** Options of {@link createFaissFaceStore}. */
export interface FaissFaceStoreOptions {
  /**
   * Directory of the store: `facekit.sqlite` (collections, faces with their vectors, users,
   * tags) and `faiss/` (one index per collection). Created if missing.
   */
  dir: string;
  /** `flat` (default): exact search. `hnsw`: approximate, much faster on large collections. */
  index?: FaissIndexKind;
  hnsw?: HnswParameters;
  /** See `FaissIndexProviderOptions.persistAfterMs`. Default 30 000 ms. */
  persistAfterMs?: number;
  /** SQLite `synchronous` level, as in `@facekit/storage-sqlite`. Default `'normal'`. */
  synchronous?: 'normal' | 'full';
}

/**
 * A persistent {@link FaceStore} whose face search runs on faiss: everything is stored in SQLite
 * (`@facekit/storage-sqlite`, the source of truth), and each collection's vectors are also held
 * in a faiss index (`IndexFlatIP` or `IndexHNSWFlat` with inner product on L2-normalised
 * vectors), saved to `faiss/` on close and after writes go idle, and checked against the database
 * on open: a missing, stale or corrupted index file is caught up or rebuilt from it. User search
 * stays the SQLite store's exact search (users are few).
 *
 * @throws {InternalServerError} when faiss-node or better-sqlite3 cannot be loaded (the message
 * says what to install), or the database cannot be opened.
 */
export async function createFaissFaceStore(options: FaissFaceStoreOptions): Promise<FaceStore> {
  const faceIndex = createFaissIndexProvider({
    dir: join(options.dir, 'faiss'),
    kind: options.index ?? 'flat',
    hnsw: options.hnsw,
    persistAfterMs: options.persistAfterMs,
  });
  return createSqliteFaceStore({
    path: join(options.dir, 'facekit.sqlite'),
    synchronous: options.synchronous,
    faceIndex,
  });
}
