import { join } from 'node:path';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import {
  createPGliteDriver,
  createPgDriver,
  createPostgresFaceStore,
  type SqlDriver,
} from '@facekit/storage-postgres';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

const SCHEMA = 'facekit_000000000000';

function postgresSubject(search: 'exact' | 'hnsw'): SearchBenchSubject {
  // Where and how `facekit serve --store postgres --data-dir dir` keeps the default account, so the
  // HTTP row serves the very collection measured in process.
  const open = async (dir: string, efSearch?: number) => {
    const driver = await createPGliteDriver({ dataDir: join(dir, 'postgres') });
    return createPostgresFaceStore({
      driver,
      schema: SCHEMA,
      search,
      ...(efSearch === undefined ? {} : { hnsw: { efSearch } }),
    });
  };
  return {
    name: `postgres-${search}`,
    ...(search === 'hnsw'
      ? {
          variants: [40, 200, 400].map((efSearch) => ({
            label: `ef_search=${efSearch}`,
            open: (dir: string) => open(dir, efSearch),
          })),
        }
      : {}),
    open: (dir) => open(dir),
    diskBytes: directoryBytes,
    serveArgs: (dir) => ['--store', 'postgres', '--pg-search', search, '--data-dir', dir],
  };
}

/**
 * `@facekit/storage-postgres` on embedded PGlite (PostgreSQL 17 + pgvector 0.8 in WebAssembly):
 * exact scans, or one HNSW index per collection (default ef_search 100, plus 40, 200 and 400).
 */
export const postgresExactSubject = postgresSubject('exact');
export const postgresHnswSubject = postgresSubject('hnsw');

/**
 * The same store on a real PostgreSQL 15 server with pgvector 0.8.6: a throwaway server from
 * tools/postgres (started once per measurement, the bench's child process) in the default
 * account's schema, as `facekit serve --store postgres --database-url` uses it. Disk is the
 * faces table with its indexes.
 */
function postgresServerSubject(search: 'exact' | 'hnsw'): SearchBenchSubject {
  let server: Promise<PostgresServer> | undefined;
  let serverUrl: string | undefined;
  const started = () => {
    server ??= startPostgres({
      name: 'facekit-bench-search-pg',
      // The HNSW graph of 100k × 512 must fit in maintenance memory to be built quickly.
      // 1M × 512 needs ~3 GB.
      settings: { shared_buffers: '1GB', maintenance_work_mem: '4GB' },
    }).then((s) => {
      serverUrl = s.url;
      return s;
    });
    return server;
  };
  const open = async (efSearch?: number, as: 'exact' | 'hnsw' = search) => {
    const { url } = await started();
    return createPostgresFaceStore({
      driver: await createPgDriver({ connectionString: url }),
      schema: SCHEMA,
      search: as,
      hnsw: { exactBelow: 0, ...(efSearch === undefined ? {} : { efSearch }) },
    });
  };
  return {
    name: `postgres-server-${search}`,
    ...(search === 'hnsw' ? { bulkLoad: () => open(undefined, 'exact') } : {}),
    unavailable: async () => postgresUnavailableReason(),
    ...(search === 'hnsw'
      ? {
          variants: [40, 200, 400].map((efSearch) => ({
            label: `ef_search=${efSearch}`,
            open: () => open(efSearch),
          })),
        }
      : {}),
    open: () => open(),
    async diskBytes() {
      const { url } = await started();
      const driver: SqlDriver = await createPgDriver({ connectionString: url });
      try {
        const [{ bytes }] = await driver.query<{ bytes: string }>(
          `SELECT pg_total_relation_size('${SCHEMA}.faces') AS bytes`,
        );
        return Number(bytes);
      } finally {
        await driver.close();
      }
    },
    async destroy() {
      await (await server)?.close();
      server = undefined;
    },
    serveArgs: (dir) => [
      '--store',
      'postgres',
      '--pg-search',
      search,
      '--database-url',
      // serveArgs is called after open(), so the server is up.
      serverUrl ?? '',
      '--data-dir',
      dir,
    ],
  };
}

export const postgresServerExactSubject = postgresServerSubject('exact');
export const postgresServerHnswSubject = postgresServerSubject('hnsw');
