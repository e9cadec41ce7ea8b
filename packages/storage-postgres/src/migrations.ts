import { InternalServerError } from '@facekit/core';
import type { SqlQueryable } from './sql-driver.js';

/**
 * Numbered schema migrations, each a list of statements; `{schema}` is the account's quoted
 * schema name. Migration `i` (0-based) is version `i + 1` in `{schema}.facekit_migrations`.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  // 1: initial schema. `seq` identity columns give creation/indexing order and cursors; a
  // deleted row's number is never reused. `embedding` has no fixed dimension: collections of
  // different face models (512 or 128 dimensions) share the table, and `collections.dimension`
  // (set by the first face) says which one a collection uses.
  [
    `CREATE TABLE {schema}.collections (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      collection_id text NOT NULL UNIQUE,
      face_model_version text NOT NULL,
      created_at bigint NOT NULL,
      dimension integer
    )`,
    `CREATE TABLE {schema}.tags (
      collection_seq bigint NOT NULL REFERENCES {schema}.collections (seq) ON DELETE CASCADE,
      key text NOT NULL,
      value text NOT NULL,
      PRIMARY KEY (collection_seq, key)
    )`,
    `CREATE TABLE {schema}.users (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      collection_seq bigint NOT NULL REFERENCES {schema}.collections (seq) ON DELETE CASCADE,
      user_id text NOT NULL,
      created_at bigint NOT NULL,
      UNIQUE (collection_seq, user_id)
    )`,
    `CREATE INDEX users_collection ON {schema}.users (collection_seq, seq)`,
    `CREATE TABLE {schema}.faces (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      collection_seq bigint NOT NULL REFERENCES {schema}.collections (seq) ON DELETE CASCADE,
      face_id text NOT NULL,
      image_id text NOT NULL,
      external_image_id text,
      bbox_width double precision NOT NULL,
      bbox_height double precision NOT NULL,
      bbox_left double precision NOT NULL,
      bbox_top double precision NOT NULL,
      confidence double precision NOT NULL,
      index_faces_model_version text NOT NULL,
      user_seq bigint REFERENCES {schema}.users (seq) ON DELETE SET NULL,
      created_at bigint NOT NULL,
      embedding vector NOT NULL,
      UNIQUE (collection_seq, face_id)
    )`,
    `CREATE INDEX faces_collection ON {schema}.faces (collection_seq, seq)`,
    `CREATE INDEX faces_collection_image ON {schema}.faces (collection_seq, image_id, seq)`,
    `CREATE INDEX faces_user ON {schema}.faces (user_seq, seq) WHERE user_seq IS NOT NULL`,
  ],
  // 2: "not the same person" decisions (SeparateFaces), forgotten with their faces and users.
  // A face pair is stored once, its lower face id first.
  [
    `CREATE TABLE {schema}.face_separations (
      face_seq bigint NOT NULL REFERENCES {schema}.faces (seq) ON DELETE CASCADE,
      other_face_seq bigint NOT NULL REFERENCES {schema}.faces (seq) ON DELETE CASCADE,
      PRIMARY KEY (face_seq, other_face_seq)
    )`,
    `CREATE INDEX face_separations_other ON {schema}.face_separations (other_face_seq)`,
    `CREATE TABLE {schema}.face_user_separations (
      face_seq bigint NOT NULL REFERENCES {schema}.faces (seq) ON DELETE CASCADE,
      user_seq bigint NOT NULL REFERENCES {schema}.users (seq) ON DELETE CASCADE,
      PRIMARY KEY (face_seq, user_seq)
    )`,
    `CREATE INDEX face_user_separations_user ON {schema}.face_user_separations (user_seq)`,
  ],
  // 3: a collection's face and user counts, kept by every write that adds or removes faces or
  // users (in its own transaction), so DescribeCollection reads one row instead of counting
  // (72 ms per call at 1M faces).
  [
    `ALTER TABLE {schema}.collections
      ADD COLUMN face_count bigint NOT NULL DEFAULT 0,
      ADD COLUMN user_count bigint NOT NULL DEFAULT 0`,
    `UPDATE {schema}.collections c SET
      face_count = (SELECT count(*) FROM {schema}.faces f WHERE f.collection_seq = c.seq),
      user_count = (SELECT count(*) FROM {schema}.users u WHERE u.collection_seq = c.seq)`,
  ],
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Lowest pgvector with HNSW indexes. */
const MIN_PGVECTOR = [0, 5, 0];

/** Key of the advisory lock that serialises facekit's schema changes in a database. */
const MIGRATION_LOCK = "hashtext('facekit.migrations')";

/** What {@link migrate} found out about the database. */
export interface DatabaseInfo {
  /** pgvector's version, e.g. `0.8.1`. */
  pgvectorVersion: string;
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Make the schema a Citus distributed schema (the database has the citus extension): its
   * tables become single-shard tables placed together on one worker node, which the rebalancer
   * may move as a whole. A schema created earlier as a plain one is distributed too.
   */
  distributeSchema?: boolean;
}

/** The citus extension's version in this database, or `undefined` when it is not a Citus one. */
export async function citusVersion(db: SqlQueryable): Promise<string | undefined> {
  const rows = await db.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'citus'",
  );
  return rows[0]?.extversion;
}

/** Whether `schema` is a Citus distributed schema (the caller knows Citus is installed). */
async function isDistributedSchema(tx: SqlQueryable, schema: string): Promise<boolean> {
  const rows = await tx.query(
    'SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace($1)::oid',
    [quoteIdentifier(schema)],
  );
  return rows.length > 0;
}

/**
 * Brings `schema` to {@link SCHEMA_VERSION} in the caller's transaction, under a
 * transaction-level advisory lock, so several processes opening the same database at once
 * migrate it exactly once: makes sure pgvector is installed (creating the extension when the
 * role may), creates the schema and its migrations table, applies the missing migrations.
 *
 * @throws {InternalServerError} when pgvector is missing or too old (the message says how to
 * install it), or the schema was written by a newer facekit.
 */
export async function migrate(
  tx: SqlQueryable,
  schema: string,
  options: MigrateOptions = {},
): Promise<DatabaseInfo> {
  const quoted = quoteIdentifier(schema);
  const distribute = options.distributeSchema === true;
  // Already current: read only, write nothing and take no lock, so that a read-only database
  // (a hot standby, `default_transaction_read_only = on`) opens for searches and listings.
  const migrations = await tx.query<{ name: string | null }>(
    'SELECT to_regclass($1)::text AS name',
    [`${quoted}.facekit_migrations`],
  );
  if (migrations[0]?.name != null) {
    const [{ version }] = await tx.query<{ version: number | string }>(
      `SELECT coalesce(max(version), 0) AS version FROM ${quoted}.facekit_migrations`,
    );
    if (
      Number(version) === SCHEMA_VERSION &&
      (!distribute || (await isDistributedSchema(tx, schema)))
    ) {
      return { pgvectorVersion: await ensurePgvector(tx) };
    }
  }
  // On Citus the lock is the coordinator's: every facekit process connects to the coordinator.
  await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
  const pgvectorVersion = await ensurePgvector(tx);
  // Citus: a schema created with this on is a distributed schema, and so is every table created
  // in it afterwards (in this transaction too), all on one node.
  if (distribute) await tx.query('SET LOCAL citus.enable_schema_based_sharding = on');
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${quoted}.facekit_migrations (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const [{ version }] = await tx.query<{ version: number | string }>(
    `SELECT coalesce(max(version), 0) AS version FROM ${quoted}.facekit_migrations`,
  );
  const current = Number(version);
  if (current > SCHEMA_VERSION) {
    throw new InternalServerError(
      `PostgreSQL schema ${schema} has facekit schema version ${current}, but this @facekit/storage-postgres only knows versions up to ${SCHEMA_VERSION}; it was written by a newer facekit. Upgrade @facekit/storage-postgres to open it.`,
    );
  }
  for (let next = current; next < SCHEMA_VERSION; next++) {
    for (const statement of MIGRATIONS[next]) {
      await tx.query(statement.replaceAll('{schema}', quoted));
    }
    await tx.query(`INSERT INTO ${quoted}.facekit_migrations (version) VALUES ($1)`, [next + 1]);
  }
  // A schema facekit created on this database before it distributed schemas (or before Citus
  // was installed): its tables move from the coordinator to a worker.
  if (distribute && !(await isDistributedSchema(tx, schema))) {
    await tx.query('SELECT citus_schema_distribute($1::regnamespace)', [quoted]);
  }
  return { pgvectorVersion };
}

const INSTALL_HINT =
  'Install pgvector >= 0.5 on the PostgreSQL server (https://github.com/pgvector/pgvector#installation; e.g. the postgresql-16-pgvector package or the pgvector/pgvector Docker image) and run CREATE EXTENSION vector; in the database as a role allowed to create extensions.';

async function ensurePgvector(tx: SqlQueryable): Promise<string> {
  let installed = await extensionVersion(tx);
  if (installed === undefined) {
    const available = await tx.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (available.length === 0) {
      throw new InternalServerError(
        `The PostgreSQL extension "vector" (pgvector) is not installed on this server, and facekit needs it to store face vectors. ${INSTALL_HINT}`,
      );
    }
    try {
      await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (cause) {
      throw new InternalServerError(
        `pgvector is installed on the server but not enabled in this database, and facekit's role may not enable it (${(cause as Error).message}). Run CREATE EXTENSION vector; in the database as a role allowed to create extensions (pgvector >= 0.5).`,
        { cause },
      );
    }
    installed = (await extensionVersion(tx)) as string;
  }
  const parts = installed.split('.').map((p) => Number.parseInt(p, 10) || 0);
  if (compareVersions(parts, MIN_PGVECTOR) < 0) {
    throw new InternalServerError(
      `pgvector ${installed} is too old: facekit needs pgvector >= 0.5 (HNSW indexes). Upgrade it on the server and run ALTER EXTENSION vector UPDATE;.`,
    );
  }
  return installed;
}

async function extensionVersion(tx: SqlQueryable): Promise<string | undefined> {
  const rows = await tx.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
  );
  return rows[0]?.extversion;
}

/** Compares dotted versions numerically, e.g. [0, 10, 0] > [0, 5, 0]. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Schema names facekit accepts: lower-case letters, digits and `_`, at most 63 characters. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
