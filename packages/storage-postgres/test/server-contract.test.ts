import { useTestPostgres } from '@facekit/postgres-test-server';
import { describe } from 'vitest';
import { createPgDriver } from '../src/index.js';
import { describeContractOn } from './store-fixtures.js';

// The contract suite on a real PostgreSQL 15 server with pgvector 0.8.6 (built from
// ../shared/vendor by tools/postgres/install.sh): one server and one pool for the file, a schema
// per test.
const pg = useTestPostgres({
  name: 'facekit-pg-contract',
  connect: (url) => createPgDriver({ connectionString: url }),
});

describe.skipIf(pg.unavailable)(
  `PostgreSQL 15 server${pg.unavailable ? ` (SKIPPED: ${pg.unavailable})` : ''}`,
  () => describeContractOn('PostgreSQL 15 + pgvector server', () => pg.driver),
);
