import { afterAll, beforeAll } from 'vitest';
import {
  type CitusCluster,
  type PostgresServer,
  postgresUnavailableReason,
  startCitusCluster,
  startPostgres,
} from './clusters.js';

/** The server of a test file, started by {@link useTestPostgres}. */
export interface TestPostgres<D> {
  /** Why the server cannot run here (tools/postgres/install.sh not run), else undefined. */
  readonly unavailable: string | undefined;
  /** The server; with `citus`, the cluster's coordinator. Set once `beforeAll` has run. */
  readonly server: PostgresServer;
  /** The Citus cluster (only with `citus`). */
  readonly cluster: CitusCluster;
  /** The file's pool, made by `connect` (only with `connect`). */
  readonly driver: D;
}

/**
 * One throwaway PostgreSQL server (or, with `citus`, a Citus cluster: a coordinator and 2
 * workers) for a test file, started in `beforeAll`, with a pool to it made by `connect`, both
 * closed in `afterAll`. Nothing starts when the server is not installed: skip the file's tests
 * on `unavailable`. Call at the top level of the file.
 */
export function useTestPostgres<D extends { close(): Promise<void> } = never>(
  options: { name?: string; citus?: boolean; connect?: (url: string) => Promise<D> } = {},
): TestPostgres<D> {
  const unavailable = postgresUnavailableReason({ citus: options.citus });
  let server: PostgresServer | undefined;
  let cluster: CitusCluster | undefined;
  let driver: D | undefined;
  beforeAll(
    async () => {
      if (unavailable) return;
      if (options.citus) {
        cluster = await startCitusCluster();
        server = cluster.coordinator;
      } else {
        server = await startPostgres({ name: options.name });
      }
      driver = await options.connect?.(server.url);
    },
    options.citus ? 180_000 : 120_000,
  );
  afterAll(async () => {
    await driver?.close();
    await (cluster ?? server)?.close();
  }, 60_000);
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: ${unavailable ?? 'not started yet'}`);
    return value;
  };
  return {
    unavailable,
    get server() {
      return started(server, 'server');
    },
    get cluster() {
      return started(cluster, 'Citus cluster');
    },
    get driver() {
      return started(driver, 'driver');
    },
  };
}
