export { createPgDriver, type PgDriverOptions } from './pg-driver.js';
export { createPGliteDriver, type PGliteDriverOptions, pgliteDriver } from './pglite-driver.js';
export {
  createPostgresFaceStore,
  type HnswOptions,
  type PostgresFaceStoreOptions,
} from './postgres-face-store.js';
export type { SqlDriver, SqlQueryable } from './sql-driver.js';
