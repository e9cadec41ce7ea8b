import { useTestPostgres } from '@facekit/postgres-test-server';
import { describe, expect, it } from 'vitest';
import { createPgDriver, createPostgresFaceStore } from '../src/index.js';
import { SCHEMA_VERSION } from '../src/migrations.js';
import { freshSchema } from './pglite-fixtures.js';
import {
  createVersion2Schema,
  describeContractOn,
  expectCountsKeptUnderConcurrentWrites,
  VERSION_2_COUNTS,
} from './store-fixtures.js';

// The contract suite on a Citus 13 cluster (a coordinator and 2 workers, built from
// ../shared/vendor by tools/postgres/install.sh): every schema is a Citus distributed schema, so
// its tables are single-shard tables on one worker and every statement of the store is routed
// there through the coordinator. One cluster and one pool for the file, a schema per test.
const citus = useTestPostgres({
  citus: true,
  connect: (url) => createPgDriver({ connectionString: url }),
});
const { unavailable } = citus;

describe.skipIf(unavailable)(
  `Citus cluster (coordinator + 2 workers)${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    it('lays an account out as a distributed schema: its tables on one worker, together', async () => {
      const schema = freshSchema();
      const store = await createPostgresFaceStore({
        driver: citus.driver,
        schema,
        closeDriver: false,
      });
      await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
      const shards = await citus.server.query<{ table_name: string; nodeport: number }>(
        `SELECT table_name::text, nodeport FROM citus_shards
         WHERE citus_table_type = 'schema' AND table_name::text LIKE $1 ORDER BY 1`,
        [`${schema}.%`],
      );
      expect(shards.map((s) => s.table_name.split('.')[1]).sort()).toEqual(
        [
          'collections',
          'face_separations',
          'face_user_separations',
          'facekit_migrations',
          'faces',
          'tags',
          'users',
        ].sort(),
      );
      expect(new Set(shards.map((s) => s.nodeport)).size).toBe(1);
      expect(citus.cluster.workers.map((w) => w.port)).toContain(shards[0].nodeport);
      await store.close();
    });

    it('distributes a schema that an earlier facekit created as a plain one on the coordinator', async () => {
      const schema = freshSchema();
      const plain = await createPostgresFaceStore({
        driver: citus.driver,
        schema,
        distribution: 'none',
        closeDriver: false,
      });
      await plain.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
      await plain.close();
      const before = await citus.server.query(
        'SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace($1)::oid',
        [schema],
      );
      expect(before).toEqual([]);
      const store = await createPostgresFaceStore({
        driver: citus.driver,
        schema,
        closeDriver: false,
      });
      const after = await citus.server.query(
        'SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace($1)::oid',
        [schema],
      );
      expect(after).toHaveLength(1);
      expect((await store.describeCollection('c')).collectionId).toBe('c');
      await store.close();
    });

    it('migrates a new account once when several processes open it at the same time', async () => {
      const schema = freshSchema();
      const drivers = await Promise.all(
        [1, 2, 3].map(() => createPgDriver({ connectionString: citus.server.url })),
      );
      const stores = await Promise.all(
        drivers.map((d) => createPostgresFaceStore({ driver: d, schema })),
      );
      const versions = await citus.server.query<{ version: number }>(
        `SELECT version FROM ${schema}.facekit_migrations ORDER BY version`,
      );
      // Each migration once, none twice.
      expect(versions.map((v) => Number(v.version))).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      const distributed = await citus.server.query(
        'SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace($1)::oid',
        [schema],
      );
      expect(distributed).toHaveLength(1);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('backfills the stored counts of a distributed schema written by version 2', async () => {
      const schema = freshSchema();
      await createVersion2Schema(citus.driver, schema, true);
      const distributed = await citus.server.query(
        'SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace($1)::oid',
        [schema],
      );
      expect(distributed).toHaveLength(1);
      const store = await createPostgresFaceStore({
        driver: citus.driver,
        schema,
        closeDriver: false,
      });
      for (const [id, faces, users] of VERSION_2_COUNTS) {
        const stats = await store.describeCollection(id);
        expect([stats.faceCount, stats.userCount]).toEqual([faces, users]);
      }
      await store.close();
    });

    it('keeps the stored counts equal to the rows under concurrent writes from two pools', async () => {
      const schema = freshSchema();
      const a = await createPostgresFaceStore({ driver: citus.driver, schema, closeDriver: false });
      const b = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: citus.server.url, pool: { max: 4 } }),
        schema,
      });
      await expectCountsKeptUnderConcurrentWrites(a, b, citus.driver, schema);
    }, 60_000);

    describeContractOn('Citus distributed schema', () => citus.driver);
  },
);
