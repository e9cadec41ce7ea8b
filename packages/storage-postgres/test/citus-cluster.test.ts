import { randomUnitVectors } from '@facekit/conformance/storage';
import { type FaceStore, type StoredFace, ThrottlingException } from '@facekit/core';
import { type PostgresServer, startPostgres, useTestPostgres } from '@facekit/postgres-test-server';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgDriver, createPostgresFaceStore } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';
import { newFace, rejection } from './store-fixtures.js';

// What is particular to a Citus cluster: search settings reaching the worker, a worker stopped in
// the middle of a query, and the rebalancer moving accounts onto a node added later. One cluster
// (coordinator + 2 workers, a 3rd added by the last test) for the file.
const citus = useTestPostgres({
  citus: true,
  connect: (url) => createPgDriver({ connectionString: url }),
});
const { unavailable } = citus;
let extraWorker: PostgresServer | undefined;
// Registered after the cluster's: runs before it is closed.
afterAll(() => extraWorker?.close(), 60_000);

/** Every account the file creates, with its faces: the rebalancing test checks them all. */
const accounts: { schema: string; faces: StoredFace[] }[] = [];

async function accountWithFaces(count: number, search: 'exact' | 'hnsw' = 'exact') {
  const schema = freshSchema();
  const store = await createPostgresFaceStore({
    driver: citus.driver,
    schema,
    search,
    hnsw: { exactBelow: 0 }, // the HNSW index even for a few faces
    closeDriver: false,
  });
  await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
  const faces = randomUnitVectors(count, 16, accounts.length + 1).map(newFace);
  await store.putFaces('c', faces);
  accounts.push({ schema, faces });
  return { schema, store, faces };
}

/** The port of the worker holding an account's tables. */
async function workerPortOf(schema: string): Promise<number> {
  const [row] = await citus.cluster.coordinator.query<{ nodeport: number }>(
    'SELECT nodeport FROM citus_shards WHERE table_name = $1::regclass',
    [`${schema}.faces`],
  );
  return row.nodeport;
}

/** Every face is its own best match, and getFaces returns it. */
async function expectAllFindable(store: FaceStore, faces: StoredFace[]) {
  for (const f of faces) {
    const [best] = await store.searchFaces('c', f.vector, { limit: 1 });
    expect(best.face.faceId).toBe(f.faceId);
  }
  const got = await store.getFaces(
    'c',
    faces.map((f) => f.faceId),
  );
  expect(got.map((f) => f.faceId)).toEqual(faces.map((f) => f.faceId));
}

describe.skipIf(unavailable)(
  `Citus cluster behaviour${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    it('HNSW search settings reach the worker: a search for 150 of 500 faces finds 150 (at the worker default ef_search 40 it stops at 40)', async () => {
      const { store, faces } = await accountWithFaces(500, 'hnsw');
      // So few rows would be scanned and sorted, not searched through the index: make the
      // workers' planners use it.
      const setSeqscan = (value: string) =>
        Promise.all(
          citus.cluster.workers.map(async (w) => {
            await w.query(`ALTER SYSTEM SET enable_seqscan = ${value}`);
            await w.query(`ALTER SYSTEM SET enable_sort = ${value}`);
            await w.query('SELECT pg_reload_conf()');
          }),
        );
      await setSeqscan('off');
      try {
        const hits = await store.searchFaces('c', faces[0].vector, { limit: 150 });
        expect(hits).toHaveLength(150);
        expect(hits[0].face.faceId).toBe(faces[0].faceId);
      } finally {
        await setSeqscan('on');
      }
      await store.close();
    }, 60_000);

    it('a worker stopped in the middle of a query fails that call with a clear ThrottlingException, not a wrong answer; accounts on the other worker keep working', async () => {
      const { schema, store, faces } = await accountWithFaces(20);
      const port = await workerPortOf(schema);
      const worker = citus.cluster.workers.find((w) => w.port === port) as PostgresServer;
      // An account on the other worker, which must keep working meanwhile.
      let other = await accountWithFaces(5);
      for (let i = 0; i < 5 && (await workerPortOf(other.schema)) === port; i++) {
        await other.store.close();
        other = await accountWithFaces(5);
      }
      expect(await workerPortOf(other.schema)).not.toBe(port);
      // Hold the account's faces shard locked on the worker, so the search waits there.
      const [{ shard }] = await citus.cluster.coordinator.query<{ shard: string }>(
        'SELECT shard_name AS shard FROM citus_shards WHERE table_name = $1::regclass',
        [`${schema}.faces`],
      );
      const locker = new pg.Client({ connectionString: worker.url });
      locker.on('error', () => {}); // the worker is stopped under it on purpose
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SET LOCAL citus.enable_manual_changes_to_shards = on');
      const qualified = shard.includes('.') ? shard : `${schema}.${shard}`;
      await locker.query(`LOCK TABLE ${qualified} IN ACCESS EXCLUSIVE MODE`);
      let settled = false;
      const search = rejection(
        store.searchFaces('c', faces[3].vector, { limit: 5 }).finally(() => {
          settled = true;
        }),
      );
      await new Promise((r) => setTimeout(r, 700));
      expect(settled).toBe(false); // waiting on the worker
      await worker.stop('immediate');
      const error = await search;
      await locker.end().catch(() => {});
      expect(ThrottlingException.isInstance(error)).toBe(true);
      expect(error.message).toMatch(/Citus worker node is unavailable|PostgreSQL is unavailable/);
      // While it is down, calls fail the same way instead of answering without its data.
      const whileDown = await rejection(store.searchFaces('c', faces[3].vector, { limit: 5 }));
      expect(error.name).toBe('ThrottlingException');
      expect(whileDown.message).toMatch(/Citus worker node is unavailable/);
      await expectAllFindable(other.store, other.faces);
      await other.store.close();
      await worker.start();
      await expectAllFindable(store, faces);
      await store.close();
    }, 60_000);

    it('after a worker is added, citus_rebalance_start moves accounts onto it and every face stays findable', async () => {
      const open = [];
      for (let i = 0; i < 4; i++) open.push(await accountWithFaces(25));
      const before = await Promise.all(accounts.map((a) => workerPortOf(a.schema)));
      extraWorker = await startPostgres({
        name: 'facekit-citus-worker3',
        extensions: ['citus', 'vector'],
        settings: { shared_preload_libraries: 'citus' },
      });
      await citus.cluster.coordinator.query('SELECT citus_add_node($1, $2)', [
        '127.0.0.1',
        extraWorker.port,
      ]);
      // block_writes: copy shards without logical replication (the test nodes run wal_level
      // replica); writes to a moving account wait for its move.
      await citus.cluster.coordinator.query(
        "SELECT citus_rebalance_start(shard_transfer_mode := 'block_writes')",
      );
      await citus.cluster.coordinator.query('SELECT citus_rebalance_wait()');
      const after = await Promise.all(accounts.map((a) => workerPortOf(a.schema)));
      expect(before).not.toContain(extraWorker.port);
      expect(after.filter((port) => port === extraWorker?.port).length).toBeGreaterThanOrEqual(2);
      // Stores opened before the move keep working (the coordinator routes to the new node).
      for (const { store, faces } of open) {
        await expectAllFindable(store, faces);
        await store.putFaces('c', [newFace(randomUnitVectors(1, 16, 999)[0])]);
        await store.close();
      }
      // And every account of the file, moved or not, opened afresh.
      for (const { schema, faces } of accounts) {
        const store = await createPostgresFaceStore({
          driver: citus.driver,
          schema,
          closeDriver: false,
        });
        await expectAllFindable(store, faces);
        await store.close();
      }
    }, 120_000);
  },
);
