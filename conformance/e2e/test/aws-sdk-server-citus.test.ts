import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeOpener } from '@facekit/cli';
import { describeApiScenarios } from '@facekit/conformance/api';
import {
  type CitusCluster,
  postgresUnavailableReason,
  startCitusCluster,
} from '@facekit/postgres-test-server';
import { afterAll, beforeAll, describe } from 'vitest';
import { sdkServerHarness } from './harnesses.js';

// The API scenarios through the HTTP server on a Citus 13 cluster (a coordinator and 2 workers,
// built from ../shared/vendor by tools/postgres/install.sh), opened the way
// `facekit serve --store postgres --database-url <coordinator>` opens it: each account's schema
// becomes a Citus distributed schema on one worker. Exact and HNSW search.
const unavailable = postgresUnavailableReason({ citus: true });
let cluster: CitusCluster | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'facekit-conformance-citus-'));
afterAll(async () => {
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

let account = 200_000_000_000;
describe.skipIf(unavailable)(
  `Citus cluster${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      cluster = await startCitusCluster();
    }, 180_000);
    for (const pgSearch of ['exact', 'hnsw'] as const) {
      describeApiScenarios(
        `AWS SDK → HTTP server, PostgreSQL store on Citus (${pgSearch})`,
        async () => {
          const opener = storeOpener({
            store: 'postgres',
            dataDir,
            accountId: '000000000000',
            databaseUrl: (cluster as CitusCluster).url,
            pgSearch,
          });
          account++;
          return sdkServerHarness(await opener.open(String(account)));
        },
      );
    }
  },
);
