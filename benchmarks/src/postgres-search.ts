/**
 * `pnpm bench:postgres`: the postgres store on a real PostgreSQL 15 server with pgvector 0.8.6
 * (a throwaway one from tools/postgres, the default when installed) or on embedded PGlite
 * (PostgreSQL 17 + pgvector 0.8.1 in WebAssembly, `--target pglite`): insert rate, top-10 search
 * latency exact and with HNSW at several ef_search, in single and half precision, recall@10
 * against brute force, index build time, table and index sizes (an HNSW index must stay in
 * memory to be fast, so its size is the memory it needs).
 *
 * Vectors: `face-like` (default: identities with several photos each, the generator of
 * face-like-vectors.ts fitted to real face embeddings; queries are new photos of stored people)
 * or `uniform` (random unit vectors: the worst case for a graph index).
 *
 * Usage: pnpm bench:postgres [--target server|pglite] [--sizes 10k,100k] [--vectors face-like]
 *   [--queries 100] [--ef 40,100,200 | none] [--precision single,half] [--dimension 512]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUnitVectors } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import {
  createPGliteDriver,
  createPgDriver,
  createPostgresFaceStore,
  type HnswOptions,
  type SqlDriver,
} from '@facekit/storage-postgres';
import { FaceLikeVectors, faceLikeQueries } from './face-like-vectors.js';
import { directoryBytes } from './search-subjects/disk-usage.js';
import { percentile } from './timing-summary.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: postgresUnavailableReason() ? 'pglite' : 'server' },
    sizes: { type: 'string', default: '10k,100k' },
    vectors: { type: 'string', default: 'face-like' },
    queries: { type: 'string', default: '100' },
    ef: { type: 'string', default: '40,100,200' },
    precision: { type: 'string', default: 'single,half' },
    dimension: { type: 'string', default: '512' },
  },
});
const parseSize = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`bad size ${text}`);
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase() as 'k']);
};
const target = values.target as 'server' | 'pglite';
const sizes = values.sizes.split(',').map(parseSize);
const queryCount = Number(values.queries);
const efs = values.ef === 'none' ? [] : values.ef.split(',').map(Number);
const precisions = values.precision.split(',') as ('single' | 'half')[];
const dimension = Number(values.dimension);
const K = 10;
const BATCH = 1000;
const SCHEMA = 'facekit_000000000000';

const now = () => performance.now();
const ms = (x: number) => x.toFixed(1);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function face(vector: Float32Array, i: number): StoredFace {
  return {
    faceId: `f${i}`,
    imageId: `i${i}`,
    boundingBox: { width: 0.2, height: 0.3, left: 0.1, top: 0.1 },
    confidence: 99.9,
    indexFacesModelVersion: '1.0',
    createdAt: 1_700_000_000_000 + i,
    vector,
  };
}

/** Row-major vectors and queries of the chosen kind. */
function dataset(n: number): { rows: Float32Array[]; queries: Float32Array[] } {
  const split = (flat: Float32Array) =>
    Array.from({ length: flat.length / dimension }, (_, i) =>
      flat.subarray(i * dimension, (i + 1) * dimension),
    );
  if (values.vectors === 'uniform') {
    return {
      rows: randomUnitVectors(n, dimension, 42),
      queries: randomUnitVectors(queryCount, dimension, 7),
    };
  }
  if (values.vectors !== 'face-like') throw new Error(`--vectors face-like or uniform`);
  const flat = new FaceLikeVectors(dimension, 42).take(n);
  return { rows: split(flat), queries: split(faceLikeQueries(flat, dimension, queryCount, 7)) };
}

/** Exact top-k ids by brute force in JavaScript, the ground truth. */
function trueTopK(vectors: Float32Array[], query: Float32Array, k: number): string[] {
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    let s = 0;
    for (let d = 0; d < v.length; d++) s += v[d] * query[d];
    if (best.length < k || s > best[best.length - 1].s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => `f${b.i}`);
}

async function timeQueries(store: FaceStore, queries: Float32Array[], truth: string[][]) {
  const times: number[] = [];
  let found = 0;
  for (let q = -3; q < queries.length; q++) {
    const query = queries[Math.max(0, q)];
    const start = now();
    const hits = await store.searchFaces('bench', query, { limit: K });
    if (q < 0) continue; // warm-up
    times.push(now() - start);
    const want = new Set(truth[q]);
    found += hits.filter((h) => want.has(h.face.faceId)).length;
  }
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    recall: found / (K * queries.length),
  };
}

const rows: string[] = [];
/** Keeps a table row, and shows it at once (a 100k run takes a while). */
const report = (row: string) => {
  rows.push(row);
  console.error(row);
};

let server: PostgresServer | undefined;
if (target === 'server') {
  const why = postgresUnavailableReason();
  if (why) throw new Error(`--target server: ${why}`);
  // Enough maintenance memory for the HNSW graph of 100k × 512 to be built in memory (pgvector
  // falls back to a much slower build when it does not fit); one parallel worker on 2 cores.
  server = await startPostgres({
    name: 'facekit-bench-pg',
    settings: {
      shared_buffers: '1GB',
      maintenance_work_mem: '2GB',
      max_parallel_maintenance_workers: 1,
    },
  });
}

try {
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-pg-'));
    const openDriver = (): Promise<SqlDriver> =>
      server
        ? createPgDriver({ connectionString: server.url })
        : createPGliteDriver({ dataDir: dir });
    const driver = await openDriver();
    const open = (search: 'exact' | 'hnsw', hnsw: HnswOptions = {}) =>
      createPostgresFaceStore({
        driver,
        schema: SCHEMA,
        search,
        hnsw: { exactBelow: 0, ...hnsw },
        closeDriver: false,
      });
    const sizeOf = async (relation: string) => {
      const [{ bytes }] = await driver.query<{ bytes: string }>(
        'SELECT coalesce(pg_relation_size(to_regclass($1)), 0) AS bytes',
        [relation],
      );
      return Number(bytes);
    };
    try {
      console.error(`# ${n} × ${dimension} ${values.vectors} vectors: generating`);
      const { rows: vectors, queries } = dataset(n);
      const truth = queries.map((q) => trueTopK(vectors, q, K));

      const exact = await open('exact');
      await exact.createCollection({
        collectionId: 'bench',
        faceModelVersion: '1.0',
        createdAt: 1,
      });
      console.error('# inserting');
      let start = now();
      for (let i = 0; i < n; i += BATCH) {
        await exact.putFaces(
          'bench',
          vectors.slice(i, i + BATCH).map((v, j) => face(v, i + j)),
        );
      }
      const addRate = n / ((now() - start) / 1000);
      await driver.query(`ANALYZE ${SCHEMA}.faces`);
      const [{ table }] = await driver.query<{ table: string }>(
        `SELECT pg_table_size('${SCHEMA}.faces') AS table`,
      );
      console.error('# exact queries');
      const r = await timeQueries(exact, queries, truth);
      report(
        `| ${n} | exact | ${Math.round(addRate)} | | ${ms(r.p50)} | ${ms(r.p99)} | ${r.recall.toFixed(3)} | table ${mib(Number(table))} MiB |`,
      );

      for (const precision of efs.length === 0 ? [] : precisions) {
        console.error(`# building the HNSW index (${precision} precision)`);
        start = now();
        const first = await open('hnsw', { precision });
        const buildSeconds = (now() - start) / 1000;
        const indexBytes = await sizeOf(
          `${SCHEMA}.faces_hnsw_${precision === 'half' ? 'half_' : ''}1`,
        );
        await first.close();
        for (const ef of efs) {
          console.error(`# HNSW ${precision} queries, ef_search ${ef}`);
          const store = await open('hnsw', { precision, efSearch: ef });
          const h = await timeQueries(store, queries, truth);
          report(
            `| ${n} | HNSW ${precision}, ef_search ${ef} | | ${ef === efs[0] ? buildSeconds.toFixed(1) : ''} | ${ms(h.p50)} | ${ms(h.p99)} | ${h.recall.toFixed(3)} | ${ef === efs[0] ? `index ${mib(indexBytes)} MiB` : ''} |`,
          );
          await store.close();
        }
        if (precision === precisions[0]) {
          console.error('# inserting with the index');
          const indexed = await open('hnsw', { precision });
          const extra = randomUnitVectors(BATCH, dimension, 43).map((v, j) => face(v, n + j));
          start = now();
          for (let i = 0; i < extra.length; i += 100) {
            await indexed.putFaces('bench', extra.slice(i, i + 100));
          }
          const indexedAddRate = BATCH / ((now() - start) / 1000);
          await indexed.deleteFaces(
            'bench',
            extra.map((f) => f.faceId),
          );
          report(
            `| ${n} | adding with the ${precision}-precision index | ${Math.round(indexedAddRate)} | | | | | |`,
          );
          await indexed.close();
        }
      }
      await exact.close();
      if (!server) {
        report(
          `| ${n} | PGlite data directory | | | | | | ${mib(await directoryBytes(dir))} MiB |`,
        );
      }
    } finally {
      if (server) await driver.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await server?.close();
}

console.log(
  `postgres store on ${server ? 'a PostgreSQL 15 server, pgvector 0.8.6' : 'PGlite (pgvector 0.8.1)'}: ${dimension}-d ${values.vectors} vectors, ${queryCount} queries per row, top-${K}`,
);
console.log(
  '| faces | search | add vectors/s | index build s | p50 ms | p99 ms | recall@10 | size |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
