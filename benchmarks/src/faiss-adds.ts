/**
 * `pnpm bench:faiss-adds [--size 20k] [--dim 512] [--batches 1,1000,8192] [--threads 1,2]`
 *
 * Where faiss-node's HNSW adds spend their time, on the engine alone (no store, no SQLite): face-
 * like unit vectors added to `HNSW32` (efConstruction 64, inner product, the store's defaults) in
 * batches of each size on each OpenMP thread count, vectors/s; then one distance kernel
 * (`IndexFlatIP` search of one query: `size` inner products) to time a 512-d inner product.
 * Run it with `OMP_WAIT_POLICY=passive` too: libgomp's idle threads spin by default.
 * `--addon <faiss-node package dir>` loads another build (e.g. one without the patch's kernels).
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadFaiss, loadFaissFrom } from '@facekit/storage-faiss';
import { FaceLikeVectors } from './face-like-vectors.js';
import { formatTable, num } from './report-format.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '20k' },
    dim: { type: 'string', default: '512' },
    batches: { type: 'string', default: '1,1000,8192' },
    threads: { type: 'string', default: '1,2' },
    addon: { type: 'string' },
  },
  strict: true,
});

const count = (text: string) =>
  Math.round(Number.parseFloat(text) * (/m$/i.test(text) ? 1e6 : /k$/i.test(text) ? 1e3 : 1));
const size = count(args.size);
const dim = Number(args.dim);
const addon = args.addon;
const faiss = addon ? loadFaissFrom(() => createRequire(import.meta.url)(addon)) : loadFaiss();
const data = new FaceLikeVectors(dim, 7).take(size);

console.log(
  `faiss HNSW32 adds: ${size} face-like ${dim}-d vectors, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? '(unset)'}${addon ? `, addon ${addon}` : ''}`,
);
const rows: string[][] = [['threads', 'batch', 'vectors', 'vectors/s']];
for (const threads of args.threads.split(',').map(Number)) {
  for (const batch of args.batches.split(',').map(Number)) {
    const index = faiss.Index.fromFactory(dim, 'HNSW32', faiss.MetricType.METRIC_INNER_PRODUCT);
    index.setParameter('efConstruction', 64);
    faiss.setNumThreads(threads);
    const rowsToAdd = size;
    const start = performance.now();
    for (let row = 0; row < rowsToAdd; row += batch) {
      index.add(data.subarray(row * dim, Math.min(rowsToAdd, row + batch) * dim));
    }
    const seconds = (performance.now() - start) / 1000;
    rows.push([String(threads), String(batch), String(rowsToAdd), num(rowsToAdd / seconds, 0)]);
  }
}
console.log(formatTable(rows, '  ', 'rrrr'));

const flat = faiss.Index.fromFactory(dim, 'Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
flat.add(data);
faiss.setNumThreads(1);
const query = data.slice(0, dim);
let best = Number.POSITIVE_INFINITY;
for (let i = 0; i < 20; i++) {
  const start = performance.now();
  flat.search(query, 10);
  best = Math.min(best, performance.now() - start);
}
console.log(
  `one ${dim}-d inner product (flat search of ${size}, best of 20): ${((best * 1e6) / size).toFixed(1)} ns`,
);
