import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createPgDriver, pgliteDriver, type SqlDriver } from '../src/index.js';

export interface SharedPGlite {
  /** The PGlite, called in-process. */
  inProcess: SqlDriver;
  /** The same PGlite through `pg` and a TCP socket (pglite-socket on a free loopback port). */
  overWire: SqlDriver;
  /** `postgres://` URL of the socket server, for more pools. */
  url: string;
  close(): Promise<void>;
}

/**
 * One in-memory PGlite with pgvector, served over the PostgreSQL wire protocol too. PGlite is
 * one backend: pglite-socket accepts several connections but runs one query at a time, and
 * while one connection is in a transaction it serves only that connection, so transactions
 * from several pools are serialised (the network code path is real; parallelism is not).
 * In-process calls bypass that queue: never run them concurrently with socket clients.
 */
export async function sharedPGlite(): Promise<SharedPGlite> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const overWire = await createPgDriver({ connectionString: url, pool: { max: 2 } });
  return {
    inProcess: pgliteDriver(db),
    overWire,
    url,
    async close() {
      await overWire.close();
      await server.stop();
      await db.close();
    },
  };
}

let counter = 0;
/** A schema name no other test of this process uses. */
export function freshSchema(): string {
  counter++;
  return `t_${process.pid}_${counter}`;
}
