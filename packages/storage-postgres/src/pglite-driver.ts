import type { Extensions, PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

/** Options of {@link createPGliteDriver}. */
export interface PGliteDriverOptions {
  /**
   * Directory of the embedded database (created if missing; PGlite's `dataDir`). Absent: an
   * in-memory database that disappears on `close()`.
   */
  dataDir?: string;
  /**
   * Load the bundled pgvector extension (default `true`). `false` exists to test the error a
   * database without pgvector gives.
   */
  vector?: boolean;
}

/**
 * A {@link SqlDriver} on PGlite 0.4 (PostgreSQL 17 compiled to WebAssembly, in this process),
 * with its bundled pgvector 0.8. One connection: PGlite runs one query at a time and queues
 * transactions, so concurrent calls are serialised rather than run in parallel.
 */
export async function createPGliteDriver(options: PGliteDriverOptions = {}): Promise<SqlDriver> {
  const { PGlite } = await import('@electric-sql/pglite');
  const extensions: Extensions = {};
  if (options.vector !== false)
    extensions.vector = (await import('@electric-sql/pglite/vector')).vector;
  const db = await PGlite.create(options.dataDir, { extensions });
  return pgliteDriver(db, true);
}

/**
 * Wraps an open PGlite. `ownsDatabase`: whether `close()` closes it (false when the caller shares
 * one PGlite between several stores, e.g. one schema per test).
 */
export function pgliteDriver(db: PGlite, ownsDatabase = false): SqlDriver {
  const query: SqlQueryable['query'] = async (sql, params) =>
    (await db.query(sql, params as unknown[] | undefined)).rows as never;
  return {
    kind: 'pglite',
    query,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async (sql, params) => (await tx.query(sql, params as unknown[])).rows as never,
        }),
      ),
    close: async () => {
      if (ownsDatabase && !db.closed) await db.close();
    },
  };
}
