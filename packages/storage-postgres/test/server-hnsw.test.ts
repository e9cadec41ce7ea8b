import { randomUnitVectors } from '@facekit/conformance/storage';
import type { StoredFace } from '@facekit/core';
import { useTestPostgres } from '@facekit/postgres-test-server';
import { describe, expect, it } from 'vitest';
import { createPgDriver, createPostgresFaceStore, type HnswOptions } from '../src/index.js';
import { freshSchema } from './pglite-fixtures.js';

// HNSW on a real PostgreSQL 15 + pgvector 0.8.6 server: which index a search really used (the
// server's own counter, pg_stat_user_indexes.idx_scan), half precision, exact search of small
// collections, and iterative index scans under filters.
const pg = useTestPostgres({
  name: 'facekit-pg-hnsw',
  connect: (url) => createPgDriver({ connectionString: url }),
});
const { unavailable } = pg;

const N = 2000;
const DIM = 128;
const vectors = randomUnitVectors(N, DIM, 21);
const faces: StoredFace[] = vectors.map((vector, i) => ({
  faceId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  imageId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
  boundingBox: { width: 0.25, height: 0.375, left: 0.125, top: 0.0625 },
  confidence: 99.5,
  indexFacesModelVersion: '7.0',
  createdAt: 1_700_000_000_000 + i,
  vector,
}));

/** Exact top-k face ids by inner product. */
function exactTop(query: Float32Array, k: number, exclude = new Set<string>()): string[] {
  return faces
    .filter((f) => !exclude.has(f.faceId))
    .map((f) => ({ id: f.faceId, s: f.vector.reduce((acc, x, j) => acc + x * query[j], 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

/**
 * A store with the 2000 faces, on a pool of its own: closing it ends its server backends, which
 * flushes their statistics, so `indexScans()` after `close()` counts every search it made.
 */
async function seeded(hnsw: HnswOptions) {
  const schema = freshSchema();
  const open = async () =>
    createPostgresFaceStore({
      driver: await createPgDriver({ connectionString: pg.server.url }),
      schema,
      search: 'hnsw',
      hnsw,
    });
  const store = await open();
  await store.createCollection({ collectionId: 'c', faceModelVersion: '7.0', createdAt: 1 });
  for (let i = 0; i < N; i += 500) await store.putFaces('c', faces.slice(i, i + 500));
  await pg.driver.query(`ANALYZE ${schema}.faces`);
  const counters = async () => {
    const rows = await pg.driver.query<{ indexrelname: string; idx_scan: string }>(
      `SELECT indexrelname, idx_scan FROM pg_stat_user_indexes
       WHERE schemaname = $1 AND indexrelname LIKE 'faces_hnsw%'`,
      [schema],
    );
    return Object.fromEntries(rows.map((r) => [r.indexrelname, Number(r.idx_scan)]));
  };
  // Exiting backends flush their counters a moment after their socket closes: poll a little
  // until a count other than `last` shows up (or 3 s pass: the count did not change).
  let last = 0;
  const indexScans = async () => {
    let scans = await counters();
    for (let i = 0; i < 30 && (Object.values(scans)[0] ?? 0) === last; i++) {
      await new Promise((r) => setTimeout(r, 100));
      scans = await counters();
    }
    last = Object.values(scans)[0] ?? 0;
    return scans;
  };
  return { store, open, indexScans };
}

describe.skipIf(unavailable)(
  `HNSW on a PostgreSQL 15 server${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    it('half precision: a halfvec index, used by the search, with the recall of single precision', async () => {
      const queries = randomUnitVectors(20, DIM, 22);
      const recall = async (hnsw: HnswOptions) => {
        // Default ef_search (100): at 2000 faces the planner alone would prefer a scan.
        const { store, indexScans } = await seeded({ ...hnsw, exactBelow: 0 });
        let found = 0;
        for (const q of queries) {
          const truth = new Set(exactTop(q, 10));
          const hits = await store.searchFaces('c', q, { limit: 10 });
          found += hits.filter((h) => truth.has(h.face.faceId)).length;
        }
        await store.close();
        return { recall: found / (10 * queries.length), scans: await indexScans() };
      };
      const single = await recall({ precision: 'single' });
      const half = await recall({ precision: 'half' });
      expect(Object.keys(single.scans)).toEqual([expect.stringMatching(/^faces_hnsw_\d+$/)]);
      expect(Object.keys(half.scans)).toEqual([expect.stringMatching(/^faces_hnsw_half_\d+$/)]);
      expect(Object.values(half.scans)[0]).toBeGreaterThanOrEqual(20);
      expect(half.recall).toBeGreaterThanOrEqual(single.recall - 0.05);
    }, 180_000);

    it('collections below exactBelow are searched exactly (the index untouched), larger ones through it', async () => {
      const { store, open, indexScans } = await seeded({ exactBelow: N + 1 });
      const [q] = randomUnitVectors(1, DIM, 23);
      const hits = await store.searchFaces('c', q, { limit: 10 });
      expect(hits.map((h) => h.face.faceId)).toEqual(exactTop(q, 10));
      await store.putFaces('c', [{ ...faces[0], faceId: crypto.randomUUID() }]); // N + 1 faces
      await store.close();
      expect(Object.values(await indexScans())).toEqual([0]);
      const again = await open();
      await again.searchFaces('c', q, { limit: 10 });
      await again.close();
      expect(Object.values(await indexScans())[0]).toBeGreaterThan(0);
    }, 180_000);

    it('iterative index scans: excluding the 300 nearest faces still returns 10 matches, the right ones', async () => {
      const { store } = await seeded({ efSearch: 40, exactBelow: 0 });
      const [q] = randomUnitVectors(1, DIM, 24);
      const excluded = exactTop(q, 300);
      const hits = await store.searchFaces('c', q, { limit: 10, excludeFaceIds: excluded });
      expect(hits).toHaveLength(10);
      const truth = new Set(exactTop(q, 10, new Set(excluded)));
      const found = hits.filter((h) => truth.has(h.face.faceId)).length;
      expect(found).toBeGreaterThanOrEqual(8);
      await store.close();
    }, 180_000);
  },
);
