import { describeFaceStoreContract } from '@facekit/conformance/storage';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import { afterAll, beforeAll, describe } from 'vitest';
import { createPgDriver, createPostgresFaceStore, type SqlDriver } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';

// The contract suite on a real PostgreSQL 15 server with pgvector 0.8.6 (built from
// ../shared/vendor by tools/postgres/install.sh): one server and one pool for the file, a schema
// per test.
const unavailable = postgresUnavailableReason();
let server: PostgresServer;
let driver: SqlDriver;
beforeAll(async () => {
  if (unavailable) return;
  server = await startPostgres({ name: 'facekit-pg-contract' });
  driver = await createPgDriver({ connectionString: server.url });
}, 120_000);
afterAll(async () => {
  await driver?.close();
  await server?.close();
});

const schemas = new WeakMap<object, string>();
const reopenable = (search: 'exact' | 'hnsw') => {
  const open = (schema: string) =>
    createPostgresFaceStore({
      driver,
      schema,
      search,
      // The suite's collections are small: without this they would be searched exactly.
      hnsw: { exactBelow: 0 },
      closeDriver: false,
    });
  return {
    factory: async () => {
      const schema = freshSchema();
      const store = await open(schema);
      schemas.set(store, schema);
      return store;
    },
    reopen: async (store: object & { close(): Promise<void> }) => {
      await store.close();
      return open(schemas.get(store) as string);
    },
  };
};

describe.skipIf(unavailable)(
  `PostgreSQL 15 server${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    const exact = reopenable('exact');
    describeFaceStoreContract('postgres (PostgreSQL 15 + pgvector server)', exact.factory, {
      reopen: exact.reopen,
    });
    const hnsw = reopenable('hnsw');
    describeFaceStoreContract('postgres (HNSW, PostgreSQL 15 + pgvector server)', hnsw.factory, {
      search: 'approximate',
      reopen: hnsw.reopen,
    });
  },
);
