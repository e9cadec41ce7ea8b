import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FaceStore } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import type { ServeConfig } from './serve-config.js';

/** What `serve` and the local commands need to open the configured store for any account. */
export interface StoreOpener {
  /** Where the default account's data lives, for people (`memory` for the memory store). */
  readonly location: string;
  /** Opens (creating if needed) the store of one account. */
  open(accountId: string): Promise<FaceStore>;
}

export type StoreConfig = Pick<ServeConfig, 'store' | 'dataDir' | 'accountId'> &
  Partial<Pick<ServeConfig, 'faissIndex' | 'databaseUrl' | 'pgSearch'>>;

/**
 * The one place that turns `--store` and `--data-dir` into stores, so `serve` and the in-process
 * commands always open the same data. Each account gets a store of its own.
 */
export function storeOpener(config: StoreConfig): StoreOpener {
  switch (config.store) {
    case 'memory':
      return { location: 'memory', open: async () => createMemoryFaceStore() };
    case 'sqlite':
      return {
        location: accountDatabasePath(config.dataDir, config.accountId, config.accountId),
        async open(accountId) {
          const path = accountDatabasePath(config.dataDir, accountId, config.accountId);
          await mkdir(dirname(path), { recursive: true });
          return createSqliteFaceStore({ path });
        },
      };
    case 'faiss':
      // The same facekit.sqlite as --store sqlite (so switching keeps the data), plus faiss/.
      return {
        location: accountDataDir(config.dataDir, config.accountId, config.accountId),
        async open(accountId) {
          // Loaded only when chosen: faiss-node is a native addon built against the system faiss.
          const { createFaissFaceStore } = await import('@facekit/storage-faiss');
          return createFaissFaceStore({
            dir: accountDataDir(config.dataDir, accountId, config.accountId),
            index: config.faissIndex ?? 'flat',
          });
        },
      };
    case 'postgres':
      return postgresOpener(config);
  }
}

/**
 * `--store postgres`: with `--database-url`, one schema `facekit_<accountId>` per account in that
 * database (each account's store has its own connection pool); without, an embedded PGlite
 * database per account in `<account dir>/postgres`. Loaded on demand, like the drivers.
 */
function postgresOpener(config: StoreConfig): StoreOpener {
  const { databaseUrl, pgSearch = 'exact' } = config;
  const search = pgSearch === 'exact' ? 'exact' : 'hnsw';
  // hnsw-half: the index holds half-precision vectors (halfvec), half the memory.
  const hnsw = pgSearch === 'hnsw-half' ? { precision: 'half' as const } : {};
  const pgliteDir = (accountId: string) =>
    join(accountDataDir(config.dataDir, accountId, config.accountId), 'postgres');
  return {
    location: databaseUrl ? redactPassword(databaseUrl) : pgliteDir(config.accountId),
    async open(accountId) {
      const postgres = await import('@facekit/storage-postgres');
      // accountDataDir checks the id (12 digits), so it is safe in a schema name.
      const dataDir = pgliteDir(accountId);
      const schema = `facekit_${accountId}`;
      if (databaseUrl) {
        const driver = await postgres.createPgDriver({ connectionString: databaseUrl });
        return postgres.createPostgresFaceStore({ driver, schema, search, hnsw });
      }
      await mkdir(dataDir, { recursive: true });
      const driver = await postgres.createPGliteDriver({ dataDir });
      return postgres.createPostgresFaceStore({ driver, schema, search, hnsw });
    },
  };
}

/** The URL without its password, for logs. */
function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

/**
 * Where an account's data lives under the data directory. The default account (`--account-id`,
 * also the one of `--auth none`) keeps `<data-dir>/facekit.sqlite`, so data from before accounts
 * existed stays visible; every other account gets its own directory `<data-dir>/accounts/<id>/`.
 * Account ids are 12 digits (checked when the keys are loaded), so they cannot escape the directory.
 */
export function accountDatabasePath(
  dataDir: string,
  accountId: string,
  defaultAccountId: string,
  fileName = 'facekit.sqlite',
) {
  return join(accountDataDir(dataDir, accountId, defaultAccountId), fileName);
}

/** The directory of one account's files: the data directory itself for the default account. */
export function accountDataDir(dataDir: string, accountId: string, defaultAccountId: string) {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`invalid account id ${accountId}`);
  return accountId === defaultAccountId ? dataDir : join(dataDir, 'accounts', accountId);
}
