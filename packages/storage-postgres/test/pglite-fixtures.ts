import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createPgDriver, pgliteDriver, type SqlDriver } from '../src/index.js';

export interface SharedPGlite {
  /** The PGlite, called in-process. */
  inProcess: SqlDriver;
  /** The same PGlite through `pg` and a TCP socket (pglite-socket on a free loopback port). */
  overWire: SqlDriver;
  close(): Promise<void>;
}

/**
 * One in-memory PGlite with pgvector, served over the PostgreSQL wire protocol too. PGlite is
 * one backend: the socket server takes one connection, so the `pg` pool has one connection
 * (the network code path is real; parallelism is not).
 */
export async function sharedPGlite(): Promise<SharedPGlite> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  const overWire = await createPgDriver({
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
    pool: { max: 1 },
  });
  return {
    inProcess: pgliteDriver(db),
    overWire,
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
