import { useTestPostgres } from '@facekit/postgres-test-server';
import { describe, it } from 'vitest';
import { createPgDriver, createPostgresFaceStore } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';
import { describeContractOn, expectCountsKeptUnderConcurrentWrites } from './store-fixtures.js';

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

describe.skipIf(pg.unavailable)(
  `collection counts on a PostgreSQL 15 server${pg.unavailable ? ` (SKIPPED: ${pg.unavailable})` : ''}`,
  () => {
    it('stay equal to the rows after concurrent writes from two stores (two pools)', async () => {
      const schema = freshSchema();
      const a = await createPostgresFaceStore({ driver: pg.driver, schema, closeDriver: false });
      const b = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: pg.server.url, pool: { max: 4 } }),
        schema,
      });
      await expectCountsKeptUnderConcurrentWrites(a, b, pg.driver, schema);
    }, 60_000);
  },
);
