import {
  type FaceStore,
  InternalServerError,
  InvalidParameterException,
  RekognitionError,
  ThrottlingException,
} from '@facekit/core';
import { errorMessage, driverErrorCode as pgCode } from '@facekit/core/sql-store';
import { isConnectionError } from './connection-errors.js';
import {
  createMissingHnswIndexes,
  type HnswOptions,
  hnswSettings,
  versionParts,
} from './hnsw-indexes.js';
import {
  citusVersion,
  compareVersions,
  migrate,
  quoteIdentifier,
  SCHEMA_NAME,
} from './migrations.js';
import { PostgresFaceStore } from './postgres-store.js';
import type { SqlDriver } from './sql-driver.js';

export type { HnswOptions } from './hnsw-indexes.js';

/** Options of {@link createPostgresFaceStore}. */
export interface PostgresFaceStoreOptions {
  /** The database: {@link createPgDriver} for a server, {@link createPGliteDriver} embedded. */
  driver: SqlDriver;
  /**
   * Schema holding this store's tables, created if missing: one per account (the CLI uses
   * `facekit_<accountId>`). Lower-case letters, digits and `_`. Default `facekit`.
   */
  schema?: string;
  /**
   * `exact` (default): every search compares the query with every face of the collection (a
   * sequential scan of the collection's rows, exact top-k). `hnsw`: one pgvector HNSW index per
   * collection (a partial index on the collection's rows), approximate and much faster on large
   * collections.
   */
  search?: 'exact' | 'hnsw';
  hnsw?: HnswOptions;
  /**
   * How the schema is laid out on a Citus cluster. `schema`: a Citus distributed schema, so an
   * account's tables live together on one worker node (chosen by Citus, moved whole by the
   * rebalancer) and every query of the store runs on that node alone. `none`: plain tables (on
   * Citus, all on the coordinator). `auto` (default): `schema` when the database has the citus
   * extension, else `none`.
   */
  distribution?: 'auto' | 'none' | 'schema';
  /** Whether `close()` closes the driver. Default `true`. */
  closeDriver?: boolean;
}

/**
 * A persistent {@link FaceStore} on PostgreSQL >= 13 with pgvector >= 0.5 (or PGlite with its
 * bundled pgvector): collections, faces, users and tags in tables of one schema; face vectors in
 * a `vector` column, L2-normalised, compared with pgvector's inner product operator `<#>`
 * (cosine similarity of unit vectors).
 *
 * Opening migrates the schema (numbered migrations in `<schema>.facekit_migrations`, in one
 * transaction under an advisory lock). Every write is one transaction that locks the rows it
 * checks (`FOR UPDATE`, in a fixed order), so invariants hold with many processes on one
 * database; deadlocks and serialization failures are retried.
 *
 * @throws {InternalServerError} when pgvector is missing (the message says how to install it),
 * the schema is newer than this package, or the database cannot be reached.
 */
export async function createPostgresFaceStore(
  options: PostgresFaceStoreOptions,
): Promise<FaceStore> {
  const { driver, schema = 'facekit', search = 'exact', closeDriver = true } = options;
  try {
    if (!SCHEMA_NAME.test(schema)) {
      throw new InvalidParameterException(
        `Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 63).`,
      );
    }
    const hnsw = hnswSettings(options.hnsw);
    const distribution = options.distribution ?? 'auto';
    if (!['auto', 'none', 'schema'].includes(distribution)) {
      throw new InvalidParameterException(
        `Invalid distribution ${JSON.stringify(distribution)}: use auto, none or schema.`,
      );
    }
    const citus = (await citusVersion(driver)) !== undefined;
    if (distribution === 'schema' && !citus) {
      throw new InvalidParameterException(
        'distribution "schema" needs a Citus database (CREATE EXTENSION citus on the coordinator); this one has no citus extension.',
      );
    }
    const distributeSchema = citus && distribution !== 'none';
    const info = await driver.transaction(async (tx) => {
      const found = await migrate(tx, schema, { distributeSchema });
      if (search === 'hnsw') await createMissingHnswIndexes(tx, quoteIdentifier(schema), hnsw);
      return found;
    });
    const iterativeScan = compareVersions(versionParts(info.pgvectorVersion), [0, 8, 0]) >= 0;
    return new PostgresFaceStore(driver, quoteIdentifier(schema), search, hnsw, {
      iterativeScan,
      citus,
      closeDriver,
    });
  } catch (cause) {
    if (closeDriver) await driver.close().catch(() => {});
    if (RekognitionError.isInstance(cause)) throw cause;
    const message = `Cannot open the PostgreSQL store (schema ${schema}): ${errorMessage(cause)}`;
    if (isConnectionError(cause) || pgCode(cause) === '53300') {
      throw new ThrottlingException(`${message}; PostgreSQL is unavailable, try again.`, { cause });
    }
    throw new InternalServerError(message, { cause });
  }
}
