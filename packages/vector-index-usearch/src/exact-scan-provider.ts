import {
  decodeVectorInto,
  type FaceVectorIndex,
  type FaceVectorIndexProvider,
  type FaceVectorSource,
  RowMatrix,
  type VectorHit,
} from '@facekit/storage-sqlite';
import { loadUsearch, type UsearchModule } from './load-usearch.js';
import { normalized, normalizeInPlace, quantized, quantizeInto, rescore } from './vectors.js';

/**
 * Candidates the int8 scan keeps beyond those asked for. Per-row int8 scaling moves a 512-d
 * cosine by about 0.001; faces closer than that to the k-th best would need to outnumber this
 * margin to be missed.
 */
const MARGIN = 32;

/**
 * A {@link FaceVectorIndexProvider} for exact search that scans int8 copies of the vectors with
 * usearch's SIMD kernels (1 byte per dimension in memory instead of 4), keeps the best
 * `limit + 32` candidates and scores those exactly from the database, so results and scores are
 * those of brute force over float32. Nothing is saved: the copies are read from the database on
 * the collection's first search after open.
 *
 * @throws {InternalServerError} when usearch's addon cannot be loaded.
 */
export function createExactScanIndexProvider(): FaceVectorIndexProvider {
  const usearch = loadUsearch();
  return {
    name: 'sqlite',
    search: 'exact',
    open: (source) => new ExactScanIndex(usearch, source),
    drop() {},
  };
}

/** Int8 copies of the vectors, unit length before quantising, in a {@link RowMatrix}. */
export class ExactScanIndex implements FaceVectorIndex {
  private readonly rows = new RowMatrix((length) => new Int8Array(length));
  private scratch = new Float32Array(0);

  constructor(
    private readonly usearch: UsearchModule,
    private readonly source: FaceVectorSource,
  ) {
    let vector = new Float32Array(0);
    for (const [seq, blob] of source.rows()) {
      if (vector.length !== blob.byteLength / 4) vector = new Float32Array(blob.byteLength / 4);
      decodeVectorInto(blob, vector, 0);
      this.append(seq, vector);
    }
  }

  get count(): number {
    return this.rows.count;
  }

  get dim(): number {
    return this.rows.count > 0 ? this.rows.dim : 0;
  }

  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    for (const [i, seq] of seqs.entries()) this.append(seq, vectors[i]);
  }

  remove(seqs: ReadonlySet<number>): void {
    this.rows.remove(seqs);
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    const { count, dim, data, seqs } = this.rows;
    const want = Math.min(Math.floor(limit), count);
    if (want <= 0) return [];
    const q = normalized(query);
    const probe = quantized(q);
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    if (this.scratch.length !== q.length) this.scratch = new Float32Array(q.length);
    // usearch 2.25's exactSearch reads a typed array's buffer from byte 0 (ignoring a subarray's
    // offset): `data` always starts its buffer, and `probe` is a fresh array.
    const dataset = data.subarray(0, count * dim);
    let k = Math.min(count, want + excluded.size + MARGIN);
    for (;;) {
      const { keys, distances } = this.usearch.exactSearch(dataset, probe, dim, k, 'cos', 1);
      const candidates: number[] = [];
      for (let i = 0; i < keys.length; i++) candidates.push(seqs[Number(keys[i])]);
      const hits = rescore(this.source, q, candidates, floor, excluded, this.scratch);
      const lowest = 1 - distances[distances.length - 1];
      // Enough hits, every row scanned, or the rest score below minScore even allowing for
      // int8 rounding: done. Otherwise widen the shortlist.
      if (hits.length >= want + MARGIN || k >= count || lowest < floor - 0.01) {
        return hits.slice(0, want);
      }
      k = Math.min(count, k * 4);
    }
  }

  release(): void {}

  private append(seq: number, vector: Float32Array): void {
    const unit = Float32Array.from(vector);
    normalizeInPlace(unit, 0, unit.length);
    const slot = this.rows.appendSlot(seq, unit.length);
    quantizeInto(unit, 0, unit.length, slot.data, slot.offset);
  }
}
