import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempt,
  call,
  type Server,
  samples,
  serveProcessUnavailable,
  startServer,
} from './serve-process.js';

// Three `facekit serve` processes on one PostgreSQL database (the same account, so the same
// schema), racing: the database's row locks, not one process's memory, must keep the invariants.
const skip = serveProcessUnavailable ?? postgresUnavailableReason();

type Face = { FaceId: string; UserId?: string };

describe.skipIf(skip)(
  `several facekit serve processes writing to one PostgreSQL server${skip ? ` (SKIPPED: ${skip})` : ''}`,
  () => {
    let postgres: PostgresServer;
    const servers: Server[] = [];
    const dirs: string[] = [];
    beforeAll(async () => {
      postgres = await startPostgres({ name: 'facekit-pg-writers' });
      for (let i = 0; i < 3; i++) {
        const dir = await mkdtemp(join(tmpdir(), 'facekit-pg-writer-'));
        dirs.push(dir);
        servers.push(
          await startServer(dir, ['--store', 'postgres', '--database-url', postgres.url]),
        );
      }
    }, 120_000);
    afterAll(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((s) => s.exited));
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      await postgres?.close();
    });

    async function listFaces(url: string, collectionId: string) {
      const faces: Face[] = [];
      let token: string | undefined;
      do {
        const page = await call(url, 'ListFaces', {
          CollectionId: collectionId,
          MaxResults: 1000,
          ...(token && { NextToken: token }),
        });
        faces.push(...(page.Faces as Face[]));
        token = page.NextToken as string | undefined;
      } while (token);
      return faces;
    }

    it('one CreateCollection wins; every IndexFaces lands once; AssociateFaces gives a face to one user', async () => {
      // The same collection id created by all three at once: exactly one succeeds.
      const created = await Promise.all(
        servers.map((s) => attempt(s.url, 'CreateCollection', { CollectionId: 'shared' })),
      );
      expect(created.map((c) => c.status).sort()).toEqual([200, 400, 400]);
      for (const c of created.filter((c) => c.status !== 200)) {
        expect(c.body.__type).toBe('ResourceAlreadyExistsException');
      }

      // Two writers per process, four photos each, all at once.
      const acknowledged: string[] = [];
      await Promise.all(
        servers.flatMap((server, p) =>
          [0, 1].map(async (w) => {
            for (let i = 0; i < 4; i++) {
              const body = await call(server.url, 'IndexFaces', {
                CollectionId: 'shared',
                Image: { Bytes: samples[(p * 2 + w + i) % samples.length] },
                ExternalImageId: `p${p}-w${w}-${i}`,
                MaxFaces: 1,
                QualityFilter: 'NONE',
              });
              for (const r of body.FaceRecords as { Face: Face }[])
                acknowledged.push(r.Face.FaceId);
            }
          }),
        ),
      );
      expect(acknowledged).toHaveLength(24);
      expect(new Set(acknowledged).size).toBe(24);
      // Every process sees the same 24 faces and the same count.
      for (const server of servers) {
        const ids = (await listFaces(server.url, 'shared')).map((f) => f.FaceId).sort();
        expect(ids).toEqual([...acknowledged].sort());
        const described = await call(server.url, 'DescribeCollection', { CollectionId: 'shared' });
        expect(described.FaceCount).toBe(24);
      }

      // Each process creates its user and claims the same eight faces for it, at once: a face
      // goes to one user; the others are told it belongs to a different user.
      const contested = acknowledged.slice(0, 8);
      await Promise.all(
        servers.map((s, p) =>
          call(s.url, 'CreateUser', { CollectionId: 'shared', UserId: `user-${p}` }),
        ),
      );
      const claims = await Promise.all(
        servers.map(async (s, p) => {
          const { status, body } = await attempt(s.url, 'AssociateFaces', {
            CollectionId: 'shared',
            UserId: `user-${p}`,
            FaceIds: contested,
          });
          expect(status, JSON.stringify(body)).toBe(200);
          return {
            user: `user-${p}`,
            associated: (body.AssociatedFaces as { FaceId: string }[]).map((f) => f.FaceId),
            refused: body.UnsuccessfulFaceAssociations as { FaceId: string; Reasons: string[] }[],
          };
        }),
      );
      const owner = new Map<string, string>();
      for (const claim of claims) {
        for (const id of claim.associated) {
          expect(owner.has(id), `${id} associated twice`).toBe(false);
          owner.set(id, claim.user);
        }
        for (const refused of claim.refused) {
          expect(refused.Reasons).toContain('ASSOCIATED_TO_A_DIFFERENT_USER');
        }
      }
      expect([...owner.keys()].sort()).toEqual([...contested].sort());
      for (const face of await listFaces(servers[0].url, 'shared')) {
        expect(face.UserId).toBe(owner.get(face.FaceId));
      }
    }, 180_000);
  },
);
