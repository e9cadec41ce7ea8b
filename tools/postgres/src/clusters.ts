import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Where `tools/postgres/install.sh` looks for the pgvector and Citus sources. */
export const sharedDir = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../../../shared',
);

/** The PostgreSQL 15 binaries (Debian's layout; `FACEKIT_PG_BIN` overrides). */
export const pgBinDir = process.env.FACEKIT_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The OS user that runs the servers when this process is root (initdb refuses root). */
const SERVER_USER = 'postgres';

/** `pg_config --pkglibdir` of Debian's layout: where vector.so and citus.so are installed. */
const pkglibdir = join(pgBinDir, '..', 'lib');

/**
 * Why a real PostgreSQL server with pgvector (and Citus, when asked) cannot be started here, or
 * `undefined` when it can. Tests skip with this reason.
 */
export function postgresUnavailableReason(options: { citus?: boolean } = {}): string | undefined {
  if (!existsSync(sharedDir)) {
    return `${sharedDir} is absent (the real-PostgreSQL tests run where ../shared/vendor is)`;
  }
  if (!existsSync(join(pgBinDir, 'postgres')) || !existsSync(join(pgBinDir, 'initdb'))) {
    return `no PostgreSQL 15 server in ${pgBinDir}; run bash tools/postgres/install.sh`;
  }
  if (!existsSync(join(pkglibdir, 'vector.so'))) {
    return `pgvector is not installed (no vector.so in ${pkglibdir}); run bash tools/postgres/install.sh`;
  }
  if (options.citus && !existsSync(join(pkglibdir, 'citus.so'))) {
    return `Citus is not installed (no citus.so in ${pkglibdir}); run bash tools/postgres/install.sh`;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Runs a PostgreSQL binary, as the `postgres` OS user when we are root. */
async function runPg(binary: string, args: string[]): Promise<string> {
  const path = join(pgBinDir, binary);
  const [file, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', SERVER_USER, '--', path, ...args]] : [path, args];
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** Servers of this process still running: stopped when it exits, so none outlives a test run. */
const running = new Map<string, string>(); // data dir → temp root
process.once('exit', () => {
  for (const [dataDir, root] of running) {
    try {
      const args = ['-D', dataDir, '-m', 'immediate', 'stop'];
      const path = join(pgBinDir, 'pg_ctl');
      if (process.getuid?.() === 0)
        execFileSync('runuser', ['-u', SERVER_USER, '--', path, ...args]);
      else execFileSync(path, args);
    } catch {}
    rmSync(root, { recursive: true, force: true });
  }
});

function ownedByServerUser(path: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = serverUserIds();
  chownSync(path, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
function serverUserIds(): { uid: number; gid: number } {
  if (ids) return ids;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SERVER_USER}:`));
  if (!line)
    throw new Error(`no ${SERVER_USER} OS user to run PostgreSQL as (initdb refuses root)`);
  const [, , uid, gid] = line.split(':');
  ids = { uid: Number(uid), gid: Number(gid) };
  return ids;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Extra `postgresql.conf` settings (`-c name=value` at every start). */
  settings?: Record<string, string | number>;
  /** Extensions to create in the `postgres` database once started. Default `['vector']`. */
  extensions?: string[];
  /** Prefix of the temp directory. */
  name?: string;
  /**
   * Start a hot standby of this server instead of a new cluster (`pg_basebackup -R`): read-only,
   * following the primary by streaming replication. Give `extensions: []` (they replicate).
   */
  standbyOf?: PostgresServer;
}

/** A throwaway PostgreSQL 15 server in a temp directory on a loopback port. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Runs SQL on a new connection (as the superuser `postgres`, database `postgres`). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** `pg_ctl stop`: `fast` (default) rolls back open transactions, `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the stopped server again on the same port and data directory. */
  start(): Promise<void>;
  /** Whether the postmaster is running (per `pg_ctl status`). */
  running(): Promise<boolean>;
  /** Stops the server (immediately) and deletes its directory. */
  close(): Promise<void>;
  /** The server log so far (for assertion messages). */
  log(): string;
}

/**
 * Initialises and starts a PostgreSQL server in a new temp directory on a free loopback port,
 * with pgvector created in the `postgres` database. `fsync` is off: the tests crash the server
 * process, not the machine, and the OS keeps what was written.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const root = mkdtempSync(join(tmpdir(), `${options.name ?? 'facekit-pg'}-`));
  ownedByServerUser(root);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  try {
    await initialise();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  async function initialise() {
    if (options.standbyOf) {
      // A streaming-replication copy (-R writes standby.signal and primary_conninfo).
      await runPg('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(options.standbyOf.port),
        '-U',
        'postgres',
        '-D',
        dataDir,
        '-R',
        '--checkpoint=fast',
        '--no-sync',
      ]);
    } else {
      await runPg('initdb', [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ]);
    }
  }
  let port = 0;
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: root,
    fsync: 'off',
    max_connections: 100,
    ...options.settings,
  };
  const startOnce = async () => {
    const conf = Object.entries({ ...settings, port })
      .map(([k, v]) => `-c ${k}=${String(v).includes(' ') ? `'${v}'` : v}`)
      .join(' ');
    await runPg('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', conf, 'start']);
  };
  // A free port may be taken between asking and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await startOnce();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(root, { recursive: true, force: true });
        throw error;
      }
    }
  }
  running.set(dataDir, root);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const query = async <R>(sql: string, params?: unknown[]): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {}); // a server stopped under it; the query below rejects
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end().catch(() => {});
    }
  };
  const isRunning = async () => {
    try {
      await runPg('pg_ctl', ['-D', dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  };
  const server: PostgresServer = {
    url,
    port,
    dataDir,
    query,
    async stop(mode = 'fast') {
      await runPg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    },
    start: startOnce,
    running: isRunning,
    async close() {
      if (await isRunning()) await server.stop('immediate').catch(() => {});
      running.delete(dataDir);
      rmSync(root, { recursive: true, force: true });
    },
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
  try {
    for (const extension of options.extensions ?? ['vector']) {
      await query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** A Citus coordinator and its workers, each a {@link PostgresServer}. */
export interface CitusCluster {
  /** The coordinator's URL: the one facekit connects to. */
  readonly url: string;
  readonly coordinator: PostgresServer;
  readonly workers: PostgresServer[];
  /** Stops every node and deletes their directories. */
  close(): Promise<void>;
}

/**
 * A Citus 13 cluster on loopback: a coordinator and `workers` (default 2) worker nodes, each with
 * `shared_preload_libraries = 'citus'`, `CREATE EXTENSION citus` and `vector`, the workers added
 * to the coordinator (`citus_set_coordinator_host`, `citus_add_node`). Extra `settings` go to
 * every node.
 */
export async function startCitusCluster(
  options: { workers?: number; settings?: Record<string, string | number> } = {},
): Promise<CitusCluster> {
  const node = (name: string) =>
    startPostgres({
      name,
      extensions: ['citus', 'vector'],
      settings: { shared_preload_libraries: 'citus', ...options.settings },
    });
  const started: PostgresServer[] = [];
  try {
    // One at a time: initdb and startup are CPU-bound and the machine has few cores.
    const coordinator = await node('facekit-citus-coordinator');
    started.push(coordinator);
    const workers: PostgresServer[] = [];
    for (let i = 0; i < (options.workers ?? 2); i++) {
      const worker = await node(`facekit-citus-worker${i + 1}`);
      started.push(worker);
      workers.push(worker);
    }
    await coordinator.query('SELECT citus_set_coordinator_host($1, $2)', [
      '127.0.0.1',
      coordinator.port,
    ]);
    for (const worker of workers) {
      await coordinator.query('SELECT citus_add_node($1, $2)', ['127.0.0.1', worker.port]);
    }
    return {
      url: coordinator.url,
      coordinator,
      workers,
      async close() {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
