/**
 * The small query interface the store is written against, so the same SQL runs on a PostgreSQL
 * server (through `pg`) and on PGlite in-process. Parameters are `$1, $2, ...`; rows come back as
 * plain objects keyed by column name. `bigint` columns may come back as strings (`pg`) or numbers
 * (PGlite): callers convert with `Number()`.
 */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** A database connection (or pool) that can run transactions. */
export interface SqlDriver extends SqlQueryable {
  /** `pg` for a PostgreSQL server, `pglite` for the embedded database. */
  readonly kind: 'pg' | 'pglite';
  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one connection: committed when `fn`
   * resolves, rolled back when it throws (the error is rethrown).
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
}
