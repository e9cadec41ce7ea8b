import { describe, expect, it } from 'vitest';
import { faissUnavailableReason, loadFaiss } from '../src/index.js';

const unavailable = faissUnavailableReason();

/** Seeded values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  let state = seed;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out[i] = state / 2 ** 30 - 1;
  }
  return out;
}

// patches/faiss-node@0.5.1.patch replaces faiss's inner product and squared L2 kernels (AVX2 and
// FMA, 32 floats a step, then 8, then one at a time): every dimension's tail must count.
describe.skipIf(unavailable !== undefined)('faiss distance kernels', () => {
  it.each([1, 7, 8, 31, 37, 128, 512, 515])('score exactly enough at %i dimensions', (dim) => {
    const faiss = loadFaiss();
    const rows = 50;
    const data = values(rows * dim, dim);
    const query = values(dim, 1000 + dim);
    for (const metric of ['ip', 'l2'] as const) {
      const index = faiss.Index.fromFactory(
        dim,
        'Flat',
        metric === 'ip' ? faiss.MetricType.METRIC_INNER_PRODUCT : 1, // METRIC_L2
      );
      index.add(data);
      const { distances, labels } = index.search(query, rows);
      for (let i = 0; i < rows; i++) {
        const row = data.subarray(labels[i] * dim, (labels[i] + 1) * dim);
        let expected = 0;
        for (let j = 0; j < dim; j++) {
          expected += metric === 'ip' ? query[j] * row[j] : (query[j] - row[j]) ** 2;
        }
        expect(Math.abs(distances[i] - expected)).toBeLessThan(
          1e-4 * Math.max(1, Math.abs(expected)),
        );
      }
    }
  });
});
