/**
 * `pnpm bench:postgres`: the postgres store on embedded PGlite (PostgreSQL 17 + pgvector 0.8.1
 * in WebAssembly, one core), with seeded random unit vectors of 512 dimensions:
 * insert rate, top-10 search latency exact and with HNSW at several ef_search, recall@10 of
 * HNSW against brute force, index build time, disk size and reopen time.
 *
 * Usage: pnpm bench:postgres [--sizes 10000,100000] [--queries 50] [--ef 40,100,200 | none]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nearbyUnitVector, randomUnitVectors } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import { createPGliteDriver, createPostgresFaceStore } from '@facekit/storage-postgres';
import { directoryBytes } from './search-subjects/disk-usage.js';
import { percentile } from './timing-summary.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '50' },
    ef: { type: 'string', default: '40,100,200' },
    dimension: { type: 'string', default: '512' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const queryCount = Number(values.queries);
const efs = values.ef === 'none' ? [] : values.ef.split(',').map(Number);
const dimension = Number(values.dimension);
const K = 10;
const BATCH = 1000;

const now = () => performance.now();
const ms = (x: number) => x.toFixed(1);

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
  await store.searchFaces('bench', queries[0], { limit: K }); // warm-up
  for (const [q, query] of queries.entries()) {
    const start = now();
    const hits = await store.searchFaces('bench', query, { limit: K });
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

/** Disk size, and the time to open the closed database again and answer one exact search. */
async function reopenRow(n: number, dir: string, query: Float32Array) {
  const bytes = await directoryBytes(dir);
  const start = now();
  const reopened = await createPostgresFaceStore({
    driver: await createPGliteDriver({ dataDir: dir }),
  });
  await reopened.searchFaces('bench', query, { limit: K });
  const reopenSeconds = (now() - start) / 1000;
  await reopened.close();
  report(
    `| ${n} | data dir ${(bytes / 2 ** 20).toFixed(0)} MiB; reopen + first exact search ${reopenSeconds.toFixed(1)} s | | | | |`,
  );
}
/** Keeps a table row, and shows it at once (a 100k run takes a while). */
const report = (row: string) => {
  rows.push(row);
  console.error(row);
};
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-pg-'));
  try {
    console.error(`# ${n} × ${dimension}: generating vectors`);
    const vectors = randomUnitVectors(n, dimension, 42);
    // Half the queries are a stored face seen again (similarity 0.7: the same person in another
    // photo), half are unrelated random vectors (nobody in the collection).
    const half = Math.ceil(queryCount / 2);
    const queries = [
      ...Array.from({ length: half }, (_, q) =>
        nearbyUnitVector(vectors[(q * 7919) % n], 0.7, 1000 + q),
      ),
      ...randomUnitVectors(queryCount - half, dimension, 7),
    ];
    const truth = queries.map((q) => trueTopK(vectors, q, K));

    const driver = await createPGliteDriver({ dataDir: dir });
    const exact = await createPostgresFaceStore({ driver, search: 'exact', closeDriver: false });
    await exact.createCollection({ collectionId: 'bench', faceModelVersion: '1.0', createdAt: 1 });
    console.error('# inserting');
    let start = now();
    for (let i = 0; i < n; i += BATCH) {
      await exact.putFaces(
        'bench',
        vectors.slice(i, i + BATCH).map((v, j) => face(v, i + j)),
      );
    }
    const addRate = n / ((now() - start) / 1000);
    console.error('# exact queries');
    const exactResult = await timeQueries(exact, queries, truth);
    report(
      `| ${n} | exact | ${Math.round(addRate)} | ${ms(exactResult.p50)} | ${ms(exactResult.p99)} | ${exactResult.recall.toFixed(3)} |`,
    );

    if (efs.length === 0) {
      await driver.close();
      await reopenRow(n, dir, queries[0]);
      continue;
    }
    console.error('# building the HNSW index');
    start = now();
    const hnswStores: FaceStore[] = [];
    for (const ef of efs) {
      hnswStores.push(
        await createPostgresFaceStore({
          driver,
          search: 'hnsw',
          hnsw: { efSearch: ef },
          closeDriver: false,
        }),
      );
    }
    const buildSeconds = (now() - start) / 1000;
    for (const [i, ef] of efs.entries()) {
      console.error(`# HNSW queries, ef_search ${ef}`);
      const r = await timeQueries(hnswStores[i], queries, truth);
      report(
        `| ${n} | HNSW ef_search ${ef} | | ${ms(r.p50)} | ${ms(r.p99)} | ${r.recall.toFixed(3)} |`,
      );
    }
    console.error('# inserting with the index');
    const extra = randomUnitVectors(BATCH, dimension, 43).map((v, j) => face(v, n + j));
    start = now();
    await hnswStores[0].putFaces('bench', extra);
    const indexedAddRate = BATCH / ((now() - start) / 1000);
    report(
      `| ${n} | HNSW: index built in ${buildSeconds.toFixed(1)} s; adding with the index | ${Math.round(indexedAddRate)} | | | |`,
    );
    await driver.close();
    const bytes = await directoryBytes(dir);

    start = now();
    const reopened = await createPostgresFaceStore({
      driver: await createPGliteDriver({ dataDir: dir }),
    });
    await reopened.searchFaces('bench', queries[0], { limit: K });
    const reopenSeconds = (now() - start) / 1000;
    await reopened.close();
    report(
      `| ${n} | data dir ${(bytes / 2 ** 20).toFixed(0)} MiB; reopen + first exact search ${reopenSeconds.toFixed(1)} s | | | | |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`postgres store on PGlite ${dimension}-d, ${queryCount} queries per row, top-${K}`);
console.log('| faces | search | add vectors/s | p50 ms | p99 ms | recall@10 |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
