/**
 * `pnpm bench:hnsw-study [--size 100k] [--data face|random] [--quantization i8|f16|f32] [--m 32]
 *   [--ef-construction 128,64] [--threads 1,2] [--ef 64,128,256,512] [--pool 32,64,128,256]
 *   [--queries 100] [--check 20000]`
 *
 * The settings behind `@facekit/vector-index-usearch`'s HNSW defaults, measured on usearch directly
 * (no database), on `bench:search`'s data (cached in the same files):
 *
 * - per build (M, efConstruction, threads): CPU time per added vector (all threads, so the cost
 *   whatever the load) and wall time, and how many of `--check` added vectors a search for their
 *   own vector does not find in its top 10 ("unreachable": usearch 2.25's parallel add strands
 *   some nodes, unum-cloud/USearch#735);
 * - per search setting (efSearch, candidate pool): recall@10 after rescoring the pool exactly in
 *   float32 (what the store does from SQLite), the share of the true top 10 at or above
 *   Similarity 80 found ("matches"), how many of the matches missed their own vector does not
 *   find either, and the graph search time (p50/p99, µs; the store's rescoring adds one SQLite
 *   point read per candidate on top).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadUsearch, quantizeInto } from '@facekit/vector-index-usearch';
import { formatTable, num } from './report-format.js';
import { type DataKind, dataOf, K, MATCH_COSINE } from './search-data.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '100k' },
    data: { type: 'string', default: 'face' },
    quantization: { type: 'string', default: 'i8' },
    m: { type: 'string', default: '32' },
    'ef-construction': { type: 'string', default: '128,64' },
    threads: { type: 'string', default: '1,2' },
    ef: { type: 'string', default: '64,128,256,512' },
    pool: { type: 'string', default: '32,64,128,256' },
    queries: { type: 'string', default: '100' },
    check: { type: 'string', default: '20000' },
  },
  strict: true,
});

const DIM = 512;
const BATCH = 1000;
const list = (text: string) => text.split(',').map((x) => Number(x.trim()));
const parseSize = (text: string) => {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad size ${text}`);
  return Math.round(Number(match[1]) * { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase() as 'k']);
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const log = (text: string) =>
  process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${text}\n`);

const usearch = loadUsearch();
const size = parseSize(args.size);
const queries = Number(args.queries);
const quantization = args.quantization as 'i8' | 'f16' | 'f32';
const { data, queryData, truths } = dataOf(args.data as DataKind, size, DIM, queries);

/** What the index stores: int8 rows scaled each to ±127 for i8 (as the store does), else f32. */
function rowsOf(vectors: Float32Array): Float32Array | Int8Array {
  if (quantization !== 'i8') return vectors;
  const out = new Int8Array(vectors.length);
  for (let offset = 0; offset < vectors.length; offset += DIM) {
    quantizeInto(vectors, offset, DIM, out, offset);
  }
  return out;
}
const rows = rowsOf(data);
const probes = rowsOf(queryData);

function newIndex(m: number, efConstruction: number, efSearch: number) {
  return new usearch.Index({
    dimensions: DIM,
    metric: quantization === 'i8' ? 'cos' : 'ip',
    quantization,
    connectivity: m,
    expansion_add: efConstruction,
    expansion_search: efSearch,
    multi: false,
  });
}

const buildRows: string[][] = [
  ['M', 'efConstruction', 'threads', 'CPU µs/add', 'adds per CPU-s', 'wall adds/s', 'unreachable'],
];
const searchRows: string[][] = [
  [
    'M',
    'efC',
    'threads',
    'efSearch',
    'pool',
    'recall@10',
    'matches found',
    'missed matches unreachable',
    'graph p50 µs',
    'graph p99 µs',
  ],
];
console.log(
  `bench:hnsw-study: ${args.data} ${size}×${DIM} ${quantization}, ${queries} queries; ${cpus().length} CPUs, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const dir = mkdtempSync(join(tmpdir(), 'facekit-hnsw-study-'));
try {
  for (const m of list(args.m)) {
    for (const efConstruction of list(args['ef-construction'])) {
      for (const threads of list(args.threads)) {
        const label = [String(m), String(efConstruction), String(threads)];
        log(`building M ${m} efConstruction ${efConstruction} on ${threads} thread(s)`);
        const index = newIndex(m, efConstruction, 128);
        const cpu = process.cpuUsage();
        const start = performance.now();
        for (let first = 0; first < size; first += BATCH) {
          const n = Math.min(BATCH, size - first);
          const keys = new BigUint64Array(n);
          for (let i = 0; i < n; i++) keys[i] = BigInt(first + i);
          index.add(keys, rows.slice(first * DIM, (first + n) * DIM), n >= 256 ? threads : 1);
        }
        const wall = (performance.now() - start) / 1000;
        const used = process.cpuUsage(cpu);
        const cpuSeconds = (used.user + used.system) / 1e6;
        // Self-search of evenly spaced rows: a reachable node is its own nearest neighbour.
        const check = Math.min(size, Number(args.check));
        let unreachable = 0;
        for (let c = 0; c < check; c++) {
          const row = Math.floor((c * size) / check);
          const { keys } = index.search(rows.slice(row * DIM, (row + 1) * DIM), K, 1);
          if (!Array.from(keys).includes(BigInt(row))) unreachable++;
        }
        buildRows.push([
          ...label,
          num((cpuSeconds / size) * 1e6, 0),
          num(size / cpuSeconds, 0),
          num(size / wall, 0),
          `${unreachable} of ${check}`,
        ]);
        console.log(formatTable([buildRows[0], buildRows.at(-1) as string[]]).split('\n')[1]);
        const file = join(dir, `m${m}-efc${efConstruction}-t${threads}.usearch`);
        index.save(file);
        for (const efSearch of list(args.ef)) {
          const view = newIndex(m, efConstruction, efSearch);
          view.view(file);
          for (const pool of list(args.pool)) {
            if (pool < K) continue;
            const times: number[] = [];
            const found = { top: 0, matches: 0, matchesFound: 0, missed: 0, unreachable: 0 };
            for (let q = -5; q < queries; q++) {
              const at = Math.max(0, q);
              const probe = probes.slice(at * DIM, (at + 1) * DIM);
              const t = performance.now();
              const { keys } = view.search(probe, pool, 1);
              if (q >= 0) times.push((performance.now() - t) * 1000);
              if (q < 0) continue;
              recallOf(keys, at, found, view);
            }
            times.sort((a, b) => a - b);
            searchRows.push([
              ...label,
              String(efSearch),
              String(pool),
              num(found.top / (queries * K), 3),
              num(found.matches > 0 ? found.matchesFound / found.matches : Number.NaN, 3),
              `${found.unreachable} of ${found.missed}`,
              num(percentile(times, 0.5), 0),
              num(percentile(times, 0.99), 0),
            ]);
            console.log(formatTable([searchRows[0], searchRows.at(-1) as string[]]).split('\n')[1]);
          }
        }
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nload average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`\n${formatTable(buildRows)}\n\n${formatTable(searchRows)}`);

/**
 * Counts the true neighbours among the best `K` of `keys` once rescored exactly (float32 inner
 * product), and those of them at or above {@link MATCH_COSINE}; of the matches missed, those
 * whose own vector does not find them in `index` either (no search leads to them).
 */
function recallOf(
  keys: BigUint64Array,
  query: number,
  found: {
    top: number;
    matches: number;
    matchesFound: number;
    missed: number;
    unreachable: number;
  },
  index: ReturnType<typeof newIndex>,
): void {
  const q = queryData.subarray(query * DIM, (query + 1) * DIM);
  const scored: { row: number; score: number }[] = [];
  for (const key of keys) {
    if (key === 0xffffffffffffffffn) continue;
    const row = Number(key);
    let score = 0;
    for (let j = 0; j < DIM; j++) score += q[j] * data[row * DIM + j];
    scored.push({ row, score });
  }
  scored.sort((a, b) => b.score - a.score || a.row - b.row);
  const returned = new Set(scored.slice(0, K).map((s) => s.row));
  for (const row of truths[query]) {
    let score = 0;
    for (let j = 0; j < DIM; j++) score += q[j] * data[row * DIM + j];
    if (returned.has(row)) found.top++;
    if (score < MATCH_COSINE) continue;
    found.matches++;
    if (returned.has(row)) {
      found.matchesFound++;
      continue;
    }
    found.missed++;
    const own = index.search(rows.slice(row * DIM, (row + 1) * DIM), K, 1).keys;
    if (!Array.from(own).includes(BigInt(row))) found.unreachable++;
  }
}
