import { randomUnitVectors } from '@facekit/conformance/storage';
import { dot } from '@facekit/core/vector';
import { describe, expect, it } from 'vitest';
import { VectorMatrix } from './vector-matrix.js';

function reference(vectors: Float32Array[], seqs: number[], query: Float32Array) {
  return vectors
    .map((v, i) => ({ seq: seqs[i], score: dot(query, v) }))
    .sort((a, b) => b.score - a.score || a.seq - b.seq);
}

describe('VectorMatrix', () => {
  const vectors = randomUnitVectors(500, 32, 1);
  const seqs = vectors.map((_, i) => 10 + 3 * i);
  const [query] = randomUnitVectors(1, 32, 2);
  const matrix = new VectorMatrix();
  for (const [i, v] of vectors.entries()) matrix.append(seqs[i], v);

  it.each([1, 2, 7, 64, 499, 500, 10_000])('selects the exact top %i, best first', (k) => {
    expect(matrix.search(query, k, undefined, new Set())).toEqual(
      reference(vectors, seqs, query).slice(0, k),
    );
  });

  it('applies minScore and exclusions before selecting', () => {
    const all = reference(vectors, seqs, query);
    const excluded = new Set([all[0].seq, all[2].seq]);
    const expected = all.filter((h) => !excluded.has(h.seq) && h.score >= 0.1).slice(0, 5);
    expect(matrix.search(query, 5, 0.1, excluded)).toEqual(expected);
  });

  it('breaks ties by indexing order, whatever the insertion order', () => {
    const ties = new VectorMatrix();
    const [v] = randomUnitVectors(1, 8, 3);
    for (const seq of [9, 4, 7, 1, 8, 2]) ties.append(seq, v);
    expect(ties.search(v, 3, undefined, new Set()).map((h) => h.seq)).toEqual([1, 2, 4]);
  });

  it('removes rows and keeps the rest searchable', () => {
    const copy = new VectorMatrix();
    for (const [i, v] of vectors.entries()) copy.append(seqs[i], v);
    const removed = new Set(seqs.filter((_, i) => i % 3 === 0));
    copy.remove(removed);
    const kept = vectors.filter((_, i) => i % 3 !== 0);
    const keptSeqs = seqs.filter((_, i) => i % 3 !== 0);
    expect(copy.count).toBe(kept.length);
    expect(copy.search(query, 20, undefined, new Set())).toEqual(
      reference(kept, keptSeqs, query).slice(0, 20),
    );
  });

  it('returns nothing when empty and takes its dimension from the first row', () => {
    const empty = new VectorMatrix();
    expect(empty.search(query, 5, undefined, new Set())).toEqual([]);
    empty.append(1, new Float32Array([1, 0, 0]));
    expect(empty.dim).toBe(3);
  });
});
