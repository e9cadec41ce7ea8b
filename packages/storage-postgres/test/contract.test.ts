import { describeFaceStoreContract } from '@facekit/conformance/storage';
import { afterAll, beforeAll } from 'vitest';
import { createPostgresFaceStore, type SqlDriver } from '../src/index.js';
import { freshSchema, type SharedPGlite, sharedPGlite } from './pglite-fixtures.js';

// One PGlite for the file (starting one takes seconds); every test gets a schema of its own.
let shared: SharedPGlite;
beforeAll(async () => {
  shared = await sharedPGlite();
}, 120_000);
afterAll(() => shared?.close());

const open = (driver: () => SqlDriver, search: 'exact' | 'hnsw', schema = freshSchema()) =>
  createPostgresFaceStore({
    driver: driver(),
    schema,
    search,
    // The suite's collections are small: without this they would be searched exactly.
    hnsw: { exactBelow: 0 },
    closeDriver: false,
  });
const schemas = new WeakMap<object, string>();
const reopenable = (driver: () => SqlDriver, search: 'exact' | 'hnsw') => ({
  factory: async () => {
    const schema = freshSchema();
    const store = await open(driver, search, schema);
    schemas.set(store, schema);
    return store;
  },
  reopen: async (store: object & { close(): Promise<void> }) => {
    await store.close();
    return open(driver, search, schemas.get(store));
  },
});

const inProcess = reopenable(() => shared.inProcess, 'exact');
describeFaceStoreContract('postgres (PGlite in-process)', inProcess.factory, {
  reopen: inProcess.reopen,
});

const wire = reopenable(() => shared.overWire, 'exact');
describeFaceStoreContract('postgres (pg driver → PGlite over the wire protocol)', wire.factory, {
  reopen: wire.reopen,
});

const hnsw = reopenable(() => shared.inProcess, 'hnsw');
describeFaceStoreContract('postgres (HNSW index, PGlite in-process)', hnsw.factory, {
  search: 'approximate',
  reopen: hnsw.reopen,
});
