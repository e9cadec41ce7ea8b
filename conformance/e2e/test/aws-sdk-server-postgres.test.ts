import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { storeOpener } from '@facekit/cli';
import { describeApiScenarios } from '@facekit/conformance/api';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import { afterAll, beforeAll, describe } from 'vitest';
import { sdkServerHarness } from './harnesses.js';

// PostgreSQL here is PGlite (PostgreSQL 17 + pgvector in WebAssembly) served over the wire
// protocol, so the store runs exactly as against a server: `pg` pool, TCP, `--database-url`.
let db: PGlite;
let server: PGLiteSocketServer;
let databaseUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'facekit-conformance-pg-'));

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  databaseUrl = `postgres://postgres@${server.getServerConn()}/postgres`;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let account = 100_000_000_000;
describeApiScenarios('AWS SDK → HTTP server, PostgreSQL store', async () => {
  // Opened the way `facekit serve --store postgres --database-url` opens it; each scenario in an
  // account (= schema) of its own.
  const opener = storeOpener({
    store: 'postgres',
    dataDir,
    accountId: '000000000000',
    databaseUrl,
  });
  account++;
  return sdkServerHarness(await opener.open(String(account)));
});

// The same on a real PostgreSQL 15 server with pgvector 0.8.6 (tools/postgres/install.sh builds
// it from ../shared/vendor), exact and HNSW search.
const noServer = postgresUnavailableReason();
let realServer: PostgresServer | undefined;
afterAll(async () => {
  await realServer?.close();
});
describe.skipIf(noServer)(
  `PostgreSQL 15 server${noServer ? ` (SKIPPED: ${noServer})` : ''}`,
  () => {
    beforeAll(async () => {
      realServer = await startPostgres({ name: 'facekit-pg-api' });
    }, 120_000);
    for (const pgSearch of ['exact', 'hnsw'] as const) {
      describeApiScenarios(
        `AWS SDK → HTTP server, PostgreSQL 15 server store (${pgSearch})`,
        async () => {
          const opener = storeOpener({
            store: 'postgres',
            dataDir,
            accountId: '000000000000',
            databaseUrl: (realServer as PostgresServer).url,
            pgSearch,
          });
          account++;
          return sdkServerHarness(await opener.open(String(account)));
        },
      );
    }
  },
);
