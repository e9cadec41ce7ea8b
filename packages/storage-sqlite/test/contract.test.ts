import { describeFaceStoreContract } from '@facekit/conformance/storage';
import type { FaceStore } from '@facekit/core';
import { afterEach } from 'vitest';
import { createSqliteFaceStore } from '../src/index.js';
import { tempDatabase } from './temp-db.js';

const cleanups: (() => void)[] = [];
const paths = new WeakMap<FaceStore, string>();

// Registered before the suite's own afterEach (which closes the store), so it runs after it.
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function open(path: string): Promise<FaceStore> {
  const store = await createSqliteFaceStore({ path });
  paths.set(store, path);
  return store;
}

describeFaceStoreContract(
  'sqlite (file)',
  async () => {
    const db = tempDatabase();
    cleanups.push(db.cleanup);
    return open(db.path);
  },
  {
    reopen: async (store) => {
      await store.close();
      return open(paths.get(store) as string);
    },
  },
);

describeFaceStoreContract('sqlite (:memory:)', () => createSqliteFaceStore({ path: ':memory:' }));
