import { describeFaceStoreContract } from '@facekit/conformance/storage';
import { afterAll, beforeAll } from 'vitest';
import { type SharedPGlite, sharedPGlite } from './pglite-fixtures.js';
import { reopenable } from './store-fixtures.js';

// One PGlite for the file (starting one takes seconds); every test gets a schema of its own.
let shared: SharedPGlite;
beforeAll(async () => {
  shared = await sharedPGlite();
}, 120_000);
afterAll(() => shared?.close());

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
