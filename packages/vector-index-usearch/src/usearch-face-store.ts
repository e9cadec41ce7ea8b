import { join } from 'node:path';
import type { FaceStore } from '@facekit/core';
import { createSqliteFaceStore, type FaceVectorIndexProvider } from '@facekit/storage-sqlite';
import { createAutoIndexProvider } from './auto-index-provider.js';
import { createExactScanIndexProvider } from './exact-scan-provider.js';
import {
  createUsearchIndexProvider,
  type UsearchIndexProviderOptions,
} from './hnsw-index-provider.js';

/**
 * `exact`: every search scans the whole collection (int8 SIMD scan, exact rescoring).
 * `hnsw`: an HNSW graph per collection. `auto`: exact below `autoThreshold` faces, HNSW from there.
 */
export type VectorIndexKind = 'exact' | 'hnsw' | 'auto';

/**
 * Collections of at least this many faces use HNSW under `auto`. Measured: the int8 scan costs
 * about 0.12 µs per face (124 ms for 1M × 512 on this project's 2-core machine), so 50 000 faces
 * take about 6 ms, the most a search should spend before the graph pays; the switch builds the
 * graph once, in the write that crosses the line (a few seconds at this size on 2 cores).
 */
export const DEFAULT_AUTO_THRESHOLD = 50_000;

/** Options of {@link createUsearchFaceStore}. */
export interface UsearchFaceStoreOptions extends Omit<UsearchIndexProviderOptions, 'dir'> {
  /**
   * Directory of the store: `facekit.sqlite` (the `@facekit/storage-sqlite` database, source of
   * truth), `usearch/` (one HNSW index per collection) and `exact/` (the exact scan's int8 copies
   * per collection). Created if missing.
   */
  dir: string;
  /** Default `auto`. */
  index?: VectorIndexKind;
  /** See {@link DEFAULT_AUTO_THRESHOLD}. */
  autoThreshold?: number;
  /** Threads of one exact scan of 65 536 rows or more. Default 2. */
  scanThreads?: number;
  /** SQLite `synchronous` level, as in `@facekit/storage-sqlite`. Default `'normal'`. */
  synchronous?: 'normal' | 'full';
}

/** The face index provider of {@link createUsearchFaceStore}'s options, for a SQLite store. */
export function createVectorIndexProvider(
  options: UsearchFaceStoreOptions,
): FaceVectorIndexProvider {
  const {
    index = 'auto',
    autoThreshold = DEFAULT_AUTO_THRESHOLD,
    scanThreads,
    synchronous,
    ...rest
  } = options;
  void synchronous;
  const exact = () =>
    createExactScanIndexProvider({
      dir: join(options.dir, 'exact'),
      persistAfterMs: rest.persistAfterMs,
      threads: scanThreads,
    });
  if (index === 'exact') return exact();
  const hnsw = createUsearchIndexProvider({ ...rest, dir: join(options.dir, 'usearch') });
  if (index === 'hnsw') return hnsw;
  return createAutoIndexProvider({
    exact: exact(),
    approximate: hnsw,
    threshold: autoThreshold,
  });
}

/**
 * The SQLite store (`@facekit/storage-sqlite`) with its face search on usearch: an exact SIMD
 * scan, an HNSW graph per collection saved beside the database, or the one or the other by
 * collection size.
 *
 * @throws {InternalServerError} when usearch or better-sqlite3 cannot be loaded (the message
 * says what to install), or the database cannot be opened.
 */
export async function createUsearchFaceStore(options: UsearchFaceStoreOptions): Promise<FaceStore> {
  return createSqliteFaceStore({
    path: join(options.dir, 'facekit.sqlite'),
    synchronous: options.synchronous,
    faceIndex: createVectorIndexProvider(options),
  });
}
