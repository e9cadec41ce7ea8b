import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { randomUnitVectors } from '@facekit/conformance/storage';
import { InternalServerError, RekognitionError, ThrottlingException } from '@facekit/core';
import { startPostgres, useTestPostgres } from '@facekit/postgres-test-server';
import { describe, expect, it } from 'vitest';
import { createPgDriver, createPostgresFaceStore } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';
import { newFace, rejection } from './store-fixtures.js';

// What the store does when the PostgreSQL server misbehaves, on a real server: a connection
// terminated in the middle of a transaction, the pool exhausted, the server's connection limit
// reached, a read-only database and a hot standby. (PostgreSQL stopped and restarted under
// `facekit serve` is in conformance/e2e/test/crash-safety.test.ts.)
const pg = useTestPostgres({ name: 'facekit-pg-failures' });
const { unavailable } = pg;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newCollection = { faceModelVersion: '7.0', createdAt: 1_700_000_000_000 };

describe.skipIf(unavailable)(
  `PostgreSQL server failures${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    it('a connection terminated between two queries of a transaction fails that call, not the process', async () => {
      const driver = await createPgDriver({ connectionString: pg.server.url });
      try {
        // Without an 'error' listener on the checked-out client, the server closing this
        // connection while the transaction waits is an unhandled 'error' event (issue 20):
        // vitest reports it and the run fails.
        const error = await rejection(
          driver.transaction(async (tx) => {
            const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
            await pg.server.query('SELECT pg_terminate_backend($1)', [pid]);
            await sleep(300); // the FATAL message and the socket's end arrive while idle
            return tx.query('SELECT 1');
          }),
        );
        expect(error.message).toMatch(/terminat|not queryable/i);
        // The broken connection was discarded: the next calls get working ones.
        for (let i = 0; i < 3; i++) {
          expect(await driver.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([
            { one: 1 },
          ]);
        }
      } finally {
        await driver.close();
      }
    }, 60_000);

    it('dropped connections (pg_terminate_backend) during writes: ThrottlingException for the calls hit, the rest and later ones succeed, nothing acknowledged lost', async () => {
      const store = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: pg.server.url, pool: { max: 4 } }),
        schema: freshSchema(),
      });
      try {
        await store.createCollection({ collectionId: 'drops', ...newCollection });
        const vectors = randomUnitVectors(400, 128, 7);
        const acknowledged: string[] = [];
        const failures: unknown[] = [];
        let stop = false;
        const writer = async (w: number) => {
          // Until told to stop, so the writes span every round of terminations below.
          for (let i = w; !stop; i += 4) {
            const f = newFace(vectors[i % vectors.length]);
            try {
              await store.putFaces('drops', [f]);
              acknowledged.push(f.faceId);
            } catch (error) {
              failures.push(error);
            }
          }
        };
        const writers = [0, 1, 2, 3].map(writer);
        for (let round = 0; round < 5; round++) {
          await sleep(100);
          await pg.server.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
          );
        }
        await sleep(200);
        stop = true;
        await Promise.all(writers);
        expect(failures.length).toBeGreaterThan(0);
        for (const failure of failures) {
          expect(failure).toBeInstanceOf(ThrottlingException);
          expect((failure as Error).message).toMatch(/PostgreSQL is unavailable/);
        }
        await store.putFaces('drops', [newFace(vectors[0])]); // and it writes again
        const ids = new Set<string>();
        let next: string | undefined;
        do {
          const page = await store.listFaces('drops', { limit: 1000, after: next });
          for (const f of page.items) ids.add(f.faceId);
          next = page.next;
        } while (next);
        for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('a pooled connection that died silently (a firewall or proxy dropped it): the next transaction runs on a new one', async () => {
      // A TCP proxy whose upstream side can be cut without telling the client: the client only
      // learns when it next writes (BEGIN), and the proxy then closes on it.
      const links: { upstream: Socket; downstream: Socket; cut: boolean }[] = [];
      const proxy = createServer((downstream) => {
        const link = { upstream: tcpConnect(pg.server.port, '127.0.0.1'), downstream, cut: false };
        links.push(link);
        downstream.on('data', (chunk) => {
          if (link.cut) downstream.destroy();
          else link.upstream.write(chunk);
        });
        link.upstream.on('data', (chunk) => downstream.write(chunk));
        downstream.on('close', () => link.upstream.destroy());
        downstream.on('error', () => {});
        link.upstream.on('error', () => {});
      });
      await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
      const { port } = proxy.address() as { port: number };
      const driver = await createPgDriver({
        connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
        pool: { max: 1 },
      });
      try {
        expect(await driver.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
        for (const link of links) {
          link.cut = true;
          link.upstream.destroy();
        }
        // The pool's one idle connection is dead; BEGIN fails on it and is tried again.
        expect(await driver.transaction((tx) => tx.query('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
        expect(links).toHaveLength(2);
      } finally {
        await driver.close();
        proxy.close();
      }
    }, 60_000);

    it('the pool exhausted: ThrottlingException naming the pool after connectionTimeoutMillis, served again once connections are free', async () => {
      const driver = await createPgDriver({
        connectionString: pg.server.url,
        pool: { max: 2, connectionTimeoutMillis: 300 },
      });
      const store = await createPostgresFaceStore({
        driver,
        schema: freshSchema(),
        closeDriver: false,
      });
      try {
        const hold = () => driver.transaction((tx) => tx.query('SELECT pg_sleep(1.5)'));
        const held = [hold(), hold()];
        await sleep(100);
        const error = await rejection(store.listCollections({ limit: 10 }));
        expect(error).toBeInstanceOf(ThrottlingException);
        expect(error.message).toMatch(/Every PostgreSQL connection of the pool \(2\)/);
        const writeError = await rejection(
          store.createCollection({ collectionId: 'busy', ...newCollection }),
        );
        expect(writeError).toBeInstanceOf(ThrottlingException);
        await Promise.all(held);
        await store.createCollection({ collectionId: 'busy', ...newCollection });
        expect((await store.listCollections({ limit: 10 })).items).toHaveLength(1);
      } finally {
        await store.close();
        await driver.close();
      }
    }, 60_000);

    it("the server's connection limit reached (53300): ThrottlingException, served again below it", async () => {
      await pg.server.query('CREATE ROLE limited LOGIN CONNECTION LIMIT 1');
      await pg.server.query('GRANT CREATE ON DATABASE postgres TO limited');
      const url = pg.server.url.replace('postgres@', 'limited@');
      const store = await createPostgresFaceStore({
        // Idle connections close at once, so the role's one connection is free after opening.
        driver: await createPgDriver({ connectionString: url, pool: { idleTimeoutMillis: 50 } }),
        schema: 'limited_schema',
      });
      const blocker = await createPgDriver({ connectionString: url, pool: { max: 1 } });
      try {
        await sleep(300);
        const held = blocker.transaction((tx) => tx.query('SELECT pg_sleep(1)'));
        await sleep(300);
        const error = await rejection(store.listCollections({ limit: 10 }));
        expect(error).toBeInstanceOf(ThrottlingException);
        expect(error.message).toMatch(/PostgreSQL is busy .*too many connections/);
        await held;
        await blocker.close();
        await sleep(300);
        expect((await store.listCollections({ limit: 10 })).items).toEqual([]);
      } finally {
        await store.close();
        await blocker.close().catch(() => {});
      }
    }, 60_000);

    it('a read-only database (default_transaction_read_only): reads work, writes fail with a clear InternalServerError', async () => {
      await pg.server.query('CREATE DATABASE replica_like');
      const url = pg.server.url.replace(/\/postgres$/, '/replica_like');
      const writable = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: url }),
        schema: 'facekit_000000000000',
      });
      const [v] = randomUnitVectors(1, 128, 3);
      await writable.createCollection({ collectionId: 'ro', ...newCollection });
      await writable.putFaces('ro', [newFace(v)]);
      await writable.close();
      await pg.server.query('ALTER DATABASE replica_like SET default_transaction_read_only = on');

      const store = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: url }),
        schema: 'facekit_000000000000',
      });
      try {
        expect((await store.listCollections({ limit: 10 })).items).toHaveLength(1);
        expect(await store.searchFaces('ro', v, { limit: 1 })).toHaveLength(1);
        const error = await rejection(store.putFaces('ro', [newFace(v)]));
        expect(error).toBeInstanceOf(InternalServerError);
        expect(error.message).toMatch(/PostgreSQL database is read-only .*need the primary/);
        const create = await rejection(
          store.createCollection({ collectionId: 'new', ...newCollection }),
        );
        expect(create.message).toMatch(/read-only/);
        // A schema that does not exist yet cannot be created there: a clear error at open.
        const fresh = await rejection(
          createPostgresFaceStore({
            driver: await createPgDriver({ connectionString: url }),
            schema: 'facekit_111111111111',
          }),
        );
        expect(RekognitionError.isInstance(fresh)).toBe(true);
        expect(fresh.message).toMatch(/Cannot open the PostgreSQL store .*read-only transaction/);
      } finally {
        await store.close();
      }
    }, 60_000);

    it('a hot standby (streaming replica): searches see the primary’s faces, writes fail with the read-only error', async () => {
      const primary = await createPostgresFaceStore({
        driver: await createPgDriver({ connectionString: pg.server.url }),
        schema: 'facekit_standby',
        search: 'hnsw',
      });
      const vectors = randomUnitVectors(50, 128, 11);
      await primary.createCollection({ collectionId: 'replicated', ...newCollection });
      await primary.putFaces('replicated', vectors.map(newFace));
      const standby = await startPostgres({
        name: 'facekit-pg-standby',
        standbyOf: pg.server,
        extensions: [],
      });
      try {
        const [{ recovery }] = await standby.query<{ recovery: boolean }>(
          'SELECT pg_is_in_recovery() AS recovery',
        );
        expect(recovery).toBe(true);
        // A face written on the primary after the copy streams over.
        const late = newFace(randomUnitVectors(1, 128, 12)[0]);
        await primary.putFaces('replicated', [late]);
        const store = await createPostgresFaceStore({
          driver: await createPgDriver({ connectionString: standby.url }),
          schema: 'facekit_standby',
          search: 'hnsw',
        });
        try {
          let found: string | undefined;
          for (let i = 0; i < 50 && found !== late.faceId; i++) {
            if (i > 0) await sleep(100);
            found = (await store.searchFaces('replicated', late.vector, { limit: 1 }))[0]?.face
              .faceId;
          }
          expect(found).toBe(late.faceId);
          const error = await rejection(store.putFaces('replicated', [newFace(vectors[0])]));
          expect(error).toBeInstanceOf(InternalServerError);
          expect(error.message).toMatch(/read-only/);
        } finally {
          await store.close();
        }
      } finally {
        await primary.close();
        await standby.close();
      }
    }, 120_000);
  },
);
