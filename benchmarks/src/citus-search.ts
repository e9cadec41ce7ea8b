/**
 * `pnpm bench:citus [--size 100k] [--queries 50] [--ef 40,100] [--layouts schema,faces]
 *   [--shards 4] [--http]`
 *
 * The postgres store on a throwaway Citus 13 cluster (a coordinator and 2 workers on this
 * machine, tools/postgres), with face-like 512-d vectors (`face-like-vectors.ts`: identities of
 * a few photos each, queries a new photo of a stored person). Two layouts:
 *
 * - `schema`: what facekit does on Citus. The account is a distributed schema, so the whole
 *   collection is one shard on one worker: add rate through `putFaces` (batches of 1000), exact
 *   and HNSW search through `searchFaces`, HNSW build time, table and index size. With `--http`,
 *   one more row through `facekit serve --database-url <coordinator>` and the AWS SDK.
 * - `faces`: one large collection spread by face id over `--shards` shards (2 per worker with the
 *   default 4): `ORDER BY embedding <#> q LIMIT 10` runs on every shard (each with its own HNSW
 *   index) and the coordinator merges. Raw SQL, not the store: it is the measured basis for
 *   sizing collections larger than one node.
 *
 * Every row carries the 1-minute load average, since the machine is shared.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RekognitionClient, SearchFacesCommand } from '@aws-sdk/client-rekognition';
import type { FaceStore, StoredFace } from '@facekit/core';
import { type CitusCluster, startCitusCluster } from '@facekit/postgres-test-server';
import { createPgDriver, createPostgresFaceStore } from '@facekit/storage-postgres';
import { startCliServer } from './cli-server.js';
import { FaceLikeVectors, faceLikeQueries } from './face-like-vectors.js';
import { percentile } from './timing-summary.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100k' },
    queries: { type: 'string', default: '50' },
    ef: { type: 'string', default: '40,100' },
    layouts: { type: 'string', default: 'schema,faces' },
    shards: { type: 'string', default: '4' },
    http: { type: 'boolean', default: false },
  },
});
const parseSize = (s: string) =>
  Math.round(Number.parseFloat(s) * (/m$/i.test(s) ? 1e6 : /k$/i.test(s) ? 1e3 : 1));
const N = parseSize(values.size);
const Q = Number(values.queries);
const EFS = values.ef.split(',').map(Number);
const SHARDS = Number(values.shards);
const LAYOUTS = values.layouts.split(',');
const DIM = 512;
const K = 10;
const BATCH = 1000;
const SCHEMA = 'facekit_000000000000'; // the default account of `facekit serve`
const COLLECTION = 'bench';

const now = () => performance.now();
const load = () => loadavg()[0].toFixed(1);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rows: string[] = [];
const report = (cells: (string | number)[]) => {
  const row = `| ${cells.join(' | ')} | ${load()} |`;
  rows.push(row);
  console.error(row);
};

console.error(`# ${N} face-like ${DIM}-d vectors and ${Q} queries`);
const data = new FaceLikeVectors(DIM, 42).take(N);
const vector = (i: number) => data.subarray(i * DIM, (i + 1) * DIM);
const queryData = faceLikeQueries(data, DIM, Q, 7);
const queries = Array.from({ length: Q }, (_, q) => queryData.subarray(q * DIM, (q + 1) * DIM));
console.error('# exact top-10 in JavaScript (ground truth)');
const truth = queries.map((query) => {
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let d = 0; d < DIM; d++) s += data[i * DIM + d] * query[d];
    if (best.length < K || s > best[K - 1].s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > K) best.pop();
    }
  }
  return new Set(best.map((b) => b.i));
});

const faceId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const rowOf = (id: string) => Number(id.slice(-12));
function face(i: number): StoredFace {
  return {
    faceId: faceId(i),
    imageId: faceId(i),
    boundingBox: { width: 0.2, height: 0.3, left: 0.1, top: 0.1 },
    confidence: 99.9,
    indexFacesModelVersion: '7.0',
    createdAt: 1_700_000_000_000 + i,
    vector: vector(i),
  };
}

/** p50/p99 latency and recall@10 of `search` over the queries (after one warm-up). */
async function measure(search: (q: Float32Array) => Promise<number[]>) {
  await search(queries[0]);
  const times: number[] = [];
  let found = 0;
  for (const [q, query] of queries.entries()) {
    const start = now();
    const hits = await search(query);
    times.push(now() - start);
    found += hits.filter((i) => truth[q].has(i)).length;
  }
  return {
    p50: percentile(times, 50).toFixed(1),
    p99: percentile(times, 99).toFixed(1),
    recall: (found / (K * Q)).toFixed(3),
  };
}

const literal = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

async function schemaLayout(cluster: CitusCluster) {
  const driver = await createPgDriver({ connectionString: cluster.url });
  const exact = await createPostgresFaceStore({ driver, schema: SCHEMA, closeDriver: false });
  await exact.createCollection({ collectionId: COLLECTION, faceModelVersion: '7.0', createdAt: 1 });
  console.error('# schema layout: putFaces');
  let start = now();
  for (let i = 0; i < N; i += BATCH) {
    await exact.putFaces(
      COLLECTION,
      Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => face(i + j)),
    );
  }
  const addRate = Math.round(N / ((now() - start) / 1000));
  const search = (store: FaceStore) => async (q: Float32Array) =>
    (await store.searchFaces(COLLECTION, q, { limit: K })).map((h) => rowOf(h.face.faceId));
  const e = await measure(search(exact));
  const [size] = await cluster.coordinator.query<{ bytes: string; node: number }>(
    `SELECT sum(shard_size) AS bytes, min(nodeport) AS node FROM citus_shards
     WHERE table_name::text LIKE '${SCHEMA}.%'`,
  );
  report([
    'schema (1 shard)',
    'exact',
    addRate,
    '',
    e.p50,
    e.p99,
    e.recall,
    mib(Number(size.bytes)),
  ]);

  console.error('# schema layout: HNSW index build');
  start = now();
  const first = await createPostgresFaceStore({
    driver,
    schema: SCHEMA,
    search: 'hnsw',
    hnsw: { efSearch: EFS[0] },
    closeDriver: false,
  });
  const build = ((now() - start) / 1000).toFixed(0);
  const [index] = await cluster.coordinator.query<{ bytes: string }>(
    `SELECT sum(shard_size) AS bytes FROM citus_shards WHERE table_name::text LIKE '${SCHEMA}.%'`,
  );
  for (const ef of EFS) {
    const store =
      ef === EFS[0]
        ? first
        : await createPostgresFaceStore({
            driver,
            schema: SCHEMA,
            search: 'hnsw',
            hnsw: { efSearch: ef },
            closeDriver: false,
          });
    const h = await measure(search(store));
    report([
      'schema (1 shard)',
      `HNSW ef_search ${ef}`,
      '',
      ef === EFS[0] ? `${build} s` : '',
      h.p50,
      h.p99,
      h.recall,
      ef === EFS[0] ? `${mib(Number(index.bytes))} with index` : '',
    ]);
  }
  await driver.close();
}

/** `facekit serve` on the coordinator, SearchFaces by FaceId through the AWS SDK. */
async function httpRow(cluster: CitusCluster, search: 'exact' | 'hnsw') {
  const server = await startCliServer([
    '--store',
    'postgres',
    '--database-url',
    cluster.url,
    '--pg-search',
    search,
  ]);
  try {
    const client = new RekognitionClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const times: number[] = [];
    for (let i = -3; i < Q; i++) {
      const command = new SearchFacesCommand({
        CollectionId: COLLECTION,
        FaceId: faceId(((i + 3) * 7919) % N),
        MaxFaces: K,
        FaceMatchThreshold: 0,
      });
      const start = now();
      await client.send(command);
      if (i >= 0) times.push(now() - start);
    }
    client.destroy();
    report([
      'schema, facekit serve + SDK',
      `${search} SearchFaces`,
      '',
      '',
      percentile(times, 50).toFixed(1),
      percentile(times, 99).toFixed(1),
      '',
      `server RSS ${mib(server.rss())}`,
    ]);
  } finally {
    await server.stop();
  }
}

async function facesLayout(cluster: CitusCluster) {
  const db = cluster.coordinator;
  console.error(`# faces layout: ${SHARDS} shards by face id`);
  const pool = await createPgDriver({ connectionString: cluster.url });
  await pool.query(`CREATE TABLE bench_faces (face bigint PRIMARY KEY, embedding vector(${DIM}))`);
  await pool.transaction(async (tx) => {
    await tx.query(`SET LOCAL citus.shard_count = ${SHARDS}`);
    await tx.query("SELECT create_distributed_table('bench_faces', 'face')");
  });
  let start = now();
  for (let i = 0; i < N; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({
      face: i + j,
      embedding: literal(vector(i + j)),
    }));
    await pool.query(
      `INSERT INTO bench_faces SELECT r.face, r.embedding::vector
       FROM jsonb_to_recordset($1::jsonb) AS r(face bigint, embedding text)`,
      [JSON.stringify(batch)],
    );
  }
  const addRate = Math.round(N / ((now() - start) / 1000));
  const layout = `faces (${SHARDS} shards)`;
  const exact = await measure(async (q) => {
    const hits = await pool.query<{ face: string }>(
      `SELECT face FROM bench_faces ORDER BY embedding <#> $1::vector(${DIM}) LIMIT ${K}`,
      [literal(q)],
    );
    return hits.map((h) => Number(h.face));
  });
  const size = async () =>
    Number(
      (
        await db.query<{ bytes: string }>(
          "SELECT sum(shard_size) AS bytes FROM citus_shards WHERE table_name = 'bench_faces'::regclass",
        )
      )[0].bytes,
    );
  report([layout, 'exact', addRate, '', exact.p50, exact.p99, exact.recall, mib(await size())]);
  console.error('# faces layout: HNSW index build (every shard, in parallel)');
  start = now();
  await pool.query(
    'CREATE INDEX bench_faces_hnsw ON bench_faces USING hnsw (embedding vector_ip_ops)',
  );
  const build = ((now() - start) / 1000).toFixed(0);
  for (const ef of EFS) {
    const h = await measure(async (q) =>
      pool.transaction(async (tx) => {
        await tx.query("SET LOCAL citus.propagate_set_commands = 'local'");
        await tx.query(`SET LOCAL hnsw.ef_search = ${ef}`);
        const hits = await tx.query<{ face: string }>(
          `SELECT face FROM bench_faces ORDER BY embedding <#> $1::vector(${DIM}) LIMIT ${K}`,
          [literal(q)],
        );
        return hits.map((r) => Number(r.face));
      }),
    );
    report([
      layout,
      `HNSW ef_search ${ef}`,
      '',
      ef === EFS[0] ? `${build} s` : '',
      h.p50,
      h.p99,
      h.recall,
      ef === EFS[0] ? `${mib(await size())} with index` : '',
    ]);
  }
  await pool.close();
}

console.error('# starting a Citus cluster: coordinator + 2 workers');
// Room for an HNSW build of the whole collection in memory (pgvector warns and slows down when
// the graph outgrows maintenance_work_mem).
const cluster = await startCitusCluster({
  settings: {
    maintenance_work_mem: '2GB',
    shared_buffers: '1GB',
    'citus.max_cached_conns_per_worker': 4,
  },
});
try {
  if (LAYOUTS.includes('schema')) {
    await schemaLayout(cluster);
    if (values.http) {
      await httpRow(cluster, 'exact');
      await httpRow(cluster, 'hnsw');
    }
  }
  if (LAYOUTS.includes('faces')) await facesLayout(cluster);
} finally {
  await cluster.close();
}

console.log(
  `Citus 13.2.2 + pgvector 0.8.6, coordinator + 2 workers on one 2-core machine (shared), ${N} face-like ${DIM}-d vectors, ${Q} queries per row, top-${K}; load = 1-min load average at the row's end`,
);
console.log(
  '| layout | search | add/s | index build | p50 ms | p99 ms | recall@10 | data on workers | load |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
