import type { Pool, PoolConfig } from 'pg';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

/** Options of {@link createPgDriver}. */
export interface PgDriverOptions {
  /** `postgres://user:password@host:5432/database` (libpq URL; `?sslmode=require` works). */
  connectionString?: string;
  /**
   * Pool settings passed to `pg.Pool` (`max` connections, default 10; `idleTimeoutMillis`,
   * default 10 000; `connectionTimeoutMillis`, default 10 000: how long a query waits for a free
   * connection before failing with `ThrottlingException`).
   */
  pool?: PoolConfig;
}

/**
 * A {@link SqlDriver} on a PostgreSQL server through `pg` 8 with a connection pool. Each
 * transaction holds one pooled connection from `BEGIN` to `COMMIT`; plain queries take any free
 * connection.
 */
export async function createPgDriver(options: PgDriverOptions): Promise<SqlDriver> {
  const pg = await import('pg');
  const PoolClass = (pg.default?.Pool ??
    (pg as unknown as { Pool: typeof Pool }).Pool) as typeof Pool;
  const pool = new PoolClass({
    max: 10,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    ...options.pool,
    ...(options.connectionString === undefined
      ? {}
      : { connectionString: options.connectionString }),
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // drops it and the next query opens a new one.
  pool.on('error', () => {});
  const query: SqlQueryable['query'] = async (sql, params) =>
    (await pool.query(sql, params as unknown[] | undefined)).rows;
  return {
    kind: 'pg',
    query,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
