import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import { faissUnavailableReason } from '@facekit/storage-faiss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempt,
  call,
  type Server,
  samples,
  serveProcessUnavailable,
  startServer,
} from './serve-process.js';

// Kills `facekit serve` with SIGKILL while IndexFaces calls are in flight, restarts it on the same
// data directory and checks that nothing acknowledged was lost and nothing half-written remains.
const why = serveProcessUnavailable ? ` (SKIPPED: ${serveProcessUnavailable})` : '';

type FaceRecord = {
  Face: { FaceId: string; ImageId: string; ExternalImageId: string; BoundingBox: unknown };
};

const faissMissing = faissUnavailableReason();
const postgresMissing = postgresUnavailableReason();
const postgresSkip = why || (postgresMissing ? ` (SKIPPED: ${postgresMissing})` : '');

// One real PostgreSQL 15 + pgvector server for the file, started by the tests that use it.
let postgres: PostgresServer | undefined;
const postgresServer = async () => {
  postgres ??= await startPostgres({ name: 'facekit-pg-crash' });
  return postgres;
};
afterAll(async () => {
  await postgres?.close();
});

const stores: {
  name: string;
  args: () => Promise<string[]>;
  skip: string;
  /** Whether the store saves a search index beside the database (checked after the restart). */
  savesIndex?: boolean;
}[] = [
  { name: 'SQLite', args: async () => ['--store', 'sqlite'], skip: why },
  {
    // The faiss index is saved only on close and when idle, so a kill leaves it stale: on restart
    // it must be caught up from the database (checked by searching every acknowledged face).
    name: 'faiss (HNSW)',
    args: async () => ['--store', 'faiss', '--faiss-index', 'hnsw'],
    skip: why || (faissMissing ? ` (SKIPPED: ${faissMissing})` : ''),
    savesIndex: true,
  },
  {
    name: 'PostgreSQL 15 server (HNSW)',
    args: async () => [
      '--store',
      'postgres',
      '--database-url',
      (await postgresServer()).url,
      '--pg-search',
      'hnsw',
    ],
    skip: postgresSkip,
  },
];

describe.each(stores)(
  'crash safety: SIGKILL during IndexFaces on $name$skip',
  ({ args, skip, savesIndex }) => {
    if (skip) {
      it.skip(skip, () => {});
      return;
    }
    let dataDir: string;
    let server: Server | undefined;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'facekit-crash-'));
    });
    afterAll(async () => {
      server?.child.kill('SIGKILL');
      await server?.exited;
      await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps every acknowledged face, whole, and no half-written image', async () => {
      const storeArgs = await args();
      server = await startServer(dataDir, storeArgs);
      await call(server.url, 'CreateCollection', { CollectionId: 'crash' });
      // Four concurrent writers; each records what the server acknowledged.
      const acknowledged = new Map<string, FaceRecord[]>(); // ExternalImageId → its records
      const sampleOf = new Map<string, number>();
      let stop = false;
      const writer = async (w: number, calls = Number.POSITIVE_INFINITY) => {
        for (let i = 0; !stop && i < calls; i++) {
          const externalImageId = `w${w}-${i}`;
          const sample = (w + i) % samples.length;
          sampleOf.set(externalImageId, sample);
          try {
            const body = await call((server as Server).url, 'IndexFaces', {
              CollectionId: 'crash',
              Image: { Bytes: samples[sample] },
              ExternalImageId: externalImageId,
              MaxFaces: 2,
              QualityFilter: 'NONE',
            });
            acknowledged.set(externalImageId, body.FaceRecords as FaceRecord[]);
          } catch {
            return; // the server is gone
          }
        }
      };
      if (savesIndex) {
        // A saved index from a clean restart, which the writes below then make stale: after the
        // kill it must be caught up from the database.
        await writer(9, 1);
        const [record] = acknowledged.get('w9-0') as FaceRecord[];
        const probe = { CollectionId: 'crash', FaceId: record.Face.FaceId };
        await call(server.url, 'SearchFaces', probe);
        server.child.kill('SIGTERM');
        await server.exited;
        expect(existsSync(join(dataDir, 'faiss', 'collection-1.json'))).toBe(true);
        server = await startServer(dataDir, storeArgs);
        await call(server.url, 'SearchFaces', probe);
      }
      const writers = [0, 1, 2, 3].map((w) => writer(w));
      // Kill once a good number of writes landed, with more in flight.
      while (acknowledged.size < 13) await new Promise((r) => setTimeout(r, 20));
      server.child.kill('SIGKILL');
      await server.exited;
      stop = true;
      await Promise.all(writers);

      server = await startServer(dataDir, storeArgs);
      const stored: FaceRecord['Face'][] = [];
      let token: string | undefined;
      do {
        const page = await call(server.url, 'ListFaces', {
          CollectionId: 'crash',
          MaxResults: 100,
          ...(token && { NextToken: token }),
        });
        stored.push(...(page.Faces as FaceRecord['Face'][]));
        token = page.NextToken as string | undefined;
      } while (token);

      // Nothing acknowledged is lost.
      const storedIds = new Set(stored.map((f) => f.FaceId));
      const ackedFaces = [...acknowledged.values()].flat().map((r) => r.Face.FaceId);
      expect(ackedFaces.length).toBeGreaterThanOrEqual(12);
      for (const id of ackedFaces) expect(storedIds.has(id)).toBe(true);

      // Every stored image is whole: as many faces as an acknowledged call on the same photo got.
      const perSample = new Map<number, number>();
      for (const [id, records] of acknowledged)
        perSample.set(sampleOf.get(id) ?? -1, records.length);
      const byImage = new Map<string, FaceRecord['Face'][]>();
      for (const f of stored)
        byImage.set(f.ExternalImageId, [...(byImage.get(f.ExternalImageId) ?? []), f]);
      for (const [externalImageId, faces] of byImage) {
        const sample = sampleOf.get(externalImageId);
        expect(sample, `unexpected face from ${externalImageId}`).toBeDefined();
        const expected = perSample.get(sample as number);
        if (expected !== undefined) expect(faces).toHaveLength(expected);
      }
      const described = await call(server.url, 'DescribeCollection', { CollectionId: 'crash' });
      expect(described.FaceCount).toBe(stored.length);

      // Stored faces are searchable with their vectors: a face finds its copies (the same face of
      // the same photo, indexed by other calls). 12 calls on 6 photos repeat at least one photo.
      const copiesOf = (probe: FaceRecord['Face']) =>
        stored.filter(
          (f) =>
            f.FaceId !== probe.FaceId &&
            sampleOf.get(f.ExternalImageId) === sampleOf.get(probe.ExternalImageId) &&
            JSON.stringify(f.BoundingBox) === JSON.stringify(probe.BoundingBox),
        );
      const probe = stored.find((f) => copiesOf(f).length > 0);
      if (!probe) throw new Error('no photo was indexed twice');
      const copies = copiesOf(probe);
      const search = await call(server.url, 'SearchFaces', {
        CollectionId: 'crash',
        FaceId: probe.FaceId,
        MaxFaces: 4096,
        FaceMatchThreshold: 99,
      });
      const matched = (search.FaceMatches as { Face: { FaceId: string } }[]).map(
        (m) => m.Face.FaceId,
      );
      expect(matched.sort()).toEqual(copies.map((f) => f.FaceId).sort());
      // Every acknowledged face is in the search index: it finds exactly its stored copies.
      for (const face of stored.filter((f) => ackedFaces.includes(f.FaceId)).slice(0, 24)) {
        const result = await call(server.url, 'SearchFaces', {
          CollectionId: 'crash',
          FaceId: face.FaceId,
          MaxFaces: 4096,
          FaceMatchThreshold: 99,
        });
        const ids = (result.FaceMatches as { Face: { FaceId: string } }[]).map(
          (m) => m.Face.FaceId,
        );
        expect(ids.sort()).toEqual(
          copiesOf(face)
            .map((f) => f.FaceId)
            .sort(),
        );
      }

      // And the store takes new writes.
      const after = await call(server.url, 'IndexFaces', {
        CollectionId: 'crash',
        Image: { Bytes: samples[0] },
        ExternalImageId: 'after-restart',
        MaxFaces: 1,
      });
      expect((after.FaceRecords as FaceRecord[]).length).toBe(1);
      if (savesIndex) {
        // A graceful stop saves the index, now in step with the database.
        server.child.kill('SIGTERM');
        await server.exited;
        server = undefined;
        const meta = JSON.parse(readFileSync(join(dataDir, 'faiss', 'collection-1.json'), 'utf8'));
        expect(meta.state.count).toBe(stored.length + 1);
      }
    }, 180_000);
  },
);

async function listAllFaces(url: string, collectionId: string) {
  const faces: FaceRecord['Face'][] = [];
  let token: string | undefined;
  do {
    const page = await call(url, 'ListFaces', {
      CollectionId: collectionId,
      MaxResults: 1000,
      ...(token && { NextToken: token }),
    });
    faces.push(...(page.Faces as FaceRecord['Face'][]));
    token = page.NextToken as string | undefined;
  } while (token);
  return faces;
}

describe(`crash safety: PostgreSQL itself restarted (pg_ctl -m immediate) during IndexFaces${postgresSkip}`, () => {
  if (postgresSkip) {
    it.skip(postgresSkip, () => {});
    return;
  }
  let dataDir: string;
  let server: Server | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'facekit-pg-restart-'));
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails calls during the outage with a clear error, serves again after it, loses no acknowledged face', async () => {
    const pg = await postgresServer();
    server = await startServer(dataDir, ['--store', 'postgres', '--database-url', pg.url]);
    let stderr = '';
    server.child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const url = server.url;
    await call(url, 'CreateCollection', { CollectionId: 'pg-restart' });
    const acknowledged: string[] = [];
    const failures: { status: number; type: unknown; message: unknown }[] = [];
    let ackedAfterRestart = 0;
    let restarted = false;
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        let result: Awaited<ReturnType<typeof attempt>>;
        try {
          result = await attempt(url, 'IndexFaces', {
            CollectionId: 'pg-restart',
            Image: { Bytes: samples[(w + i) % samples.length] },
            ExternalImageId: `w${w}-${i}`,
            MaxFaces: 1,
            QualityFilter: 'NONE',
          });
        } catch (error) {
          throw new Error(`facekit serve stopped answering: ${error}\n${stderr}`);
        }
        if (result.status === 200) {
          for (const r of result.body.FaceRecords as FaceRecord[]) acknowledged.push(r.Face.FaceId);
          if (restarted) ackedAfterRestart++;
        } else {
          failures.push({
            status: result.status,
            type: result.body.__type,
            message: result.body.message ?? result.body.Message,
          });
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const writers = [0, 1, 2, 3].map((w) => writer(w));
    try {
      while (acknowledged.length < 8) await new Promise((r) => setTimeout(r, 20));
      await pg.stop('immediate'); // a crash of PostgreSQL, with writes in flight
      const failuresBefore = failures.length;
      const outageEnds = Date.now() + 1500;
      while (Date.now() < outageEnds) {
        expect(server.child.exitCode, `facekit serve exited:\n${stderr}`).toBeNull();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(failures.length).toBeGreaterThan(failuresBefore);
      await pg.start();
      restarted = true;
      const deadline = Date.now() + 30_000;
      while (ackedAfterRestart < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    expect(server.child.exitCode, `facekit serve exited:\n${stderr}`).toBeNull();
    expect(stderr).not.toMatch(/Unhandled|uncaught/i);
    expect(ackedAfterRestart, 'serving again after PostgreSQL came back').toBeGreaterThanOrEqual(4);
    // Every failure said what happened, in a form the AWS SDKs retry (500, ThrottlingException).
    for (const failure of failures) {
      expect(failure).toMatchObject({ status: 500, type: 'ThrottlingException' });
      expect(String(failure.message)).toMatch(/PostgreSQL/);
    }

    // Nothing acknowledged was lost; nothing half-written (a face per call, counts agree).
    const stored = await listAllFaces(url, 'pg-restart');
    const storedIds = new Set(stored.map((f) => f.FaceId));
    for (const id of acknowledged) expect(storedIds.has(id)).toBe(true);
    const described = await call(url, 'DescribeCollection', { CollectionId: 'pg-restart' });
    expect(described.FaceCount).toBe(stored.length);
  }, 180_000);
});
