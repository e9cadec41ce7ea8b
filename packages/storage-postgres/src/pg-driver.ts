import { ThrottlingException } from '@facekit/core';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { isConnectionError } from './connection-errors.js';
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
 *
 * A connection lost while in use (PostgreSQL stopped or restarted, `pg_terminate_backend`) fails
 * the call that uses it, never the process: the error reaches the caller, the connection is
 * discarded and the next call opens a new one. Waiting longer than `connectionTimeoutMillis` for
 * a connection fails with `ThrottlingException`.
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
  const max = pool.options.max ?? 10;

  /** Why no connection came: every one busy (ours to say) or the server unreachable. */
  const acquisitionError = (error: unknown): unknown => {
    if (!/timeout exceeded when trying to connect/i.test((error as Error)?.message ?? '')) {
      return error;
    }
    const busy = pool.totalCount >= max;
    return new ThrottlingException(
      busy
        ? `Every PostgreSQL connection of the pool (${max}) stayed busy for ${pool.options.connectionTimeoutMillis} ms; try again (or raise the pool size).`
        : `PostgreSQL did not accept a connection within ${pool.options.connectionTimeoutMillis} ms; try again.`,
      { cause: error },
    );
  };

  const query: SqlQueryable['query'] = async (sql, params) => {
    try {
      return (await pool.query(sql, params as unknown[] | undefined)).rows;
    } catch (error) {
      throw acquisitionError(error);
    }
  };
  return {
    kind: 'pg',
    query,
    async transaction(fn) {
      // A pooled connection can be dead without the pool knowing (a firewall or NAT dropped it,
      // a proxy restarted): then BEGIN fails. Nothing has run yet, so one more try on a new
      // connection is safe; later failures are the caller's (a COMMIT may have landed).
      for (let attempt = 1; ; attempt++) {
        try {
          return await transactionOnce(fn);
        } catch (error) {
          if (attempt === 1 && error instanceof BeginFailed) continue;
          throw error instanceof BeginFailed ? error.cause : error;
        }
      }
    },
    close: () => pool.end(),
  };

  async function transactionOnce<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw acquisitionError(error);
    }
    // A checked-out client has no listener of the pool's: without this one, the connection
    // ending between two queries of the transaction (PostgreSQL stopped, the backend
    // terminated) is an unhandled 'error' event that ends the process. The query in flight, or
    // the next one, rejects with the cause; the client is then discarded, not reused.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
    };
    client.on('error', onError);
    try {
      try {
        await client.query('BEGIN');
      } catch (error) {
        if (isConnectionError(error)) throw new BeginFailed(error);
        throw error;
      }
      const result = await fn({
        query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (error instanceof BeginFailed) {
        lost ??= error.cause as Error;
      } else if (!lost && !isConnectionError(error)) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          lost = rollbackError as Error;
        }
      } else {
        lost ??= error as Error;
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }
}

/** BEGIN failed on a dead connection: nothing ran, the transaction may be tried again. */
class BeginFailed extends Error {
  constructor(cause: unknown) {
    super('BEGIN failed on a lost connection', { cause });
  }
}
