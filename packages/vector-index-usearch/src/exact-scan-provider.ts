import {
  decodeVectorInto,
  type FaceVectorIndex,
  type FaceVectorIndexProvider,
  type FaceVectorSource,
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

/** Int8 rows in one array, tagged with their seqs; removal compacts, keeping order. */
export class ExactScanIndex implements FaceVectorIndex {
  private data = new Int8Array(0);
  private seqs = new Float64Array(0);
  private rows = 0;
  private dimension = 0;
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
    return this.rows;
  }

  get dim(): number {
    return this.rows > 0 ? this.dimension : 0;
  }

  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    for (const [i, seq] of seqs.entries()) this.append(seq, vectors[i]);
  }

  remove(seqs: ReadonlySet<number>): void {
    if (seqs.size === 0) return;
    const { dimension: dim, data } = this;
    let kept = 0;
    for (let row = 0; row < this.rows; row++) {
      const seq = this.seqs[row];
      if (seqs.has(seq)) continue;
      if (kept !== row) {
        data.copyWithin(kept * dim, row * dim, (row + 1) * dim);
        this.seqs[kept] = seq;
      }
      kept++;
    }
    this.rows = kept;
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    const want = Math.min(Math.floor(limit), this.rows);
    if (want <= 0) return [];
    const q = normalized(query);
    const probe = quantized(q);
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    if (this.scratch.length !== q.length) this.scratch = new Float32Array(q.length);
    const dataset = this.data.subarray(0, this.rows * this.dimension);
    let k = Math.min(this.rows, want + excluded.size + MARGIN);
    for (;;) {
      const { keys, distances } = this.usearch.exactSearch(
        dataset,
        probe,
        this.dimension,
        k,
        'cos',
        1,
      );
      const candidates: number[] = [];
      for (let i = 0; i < keys.length; i++) candidates.push(this.seqs[Number(keys[i])]);
      const hits = rescore(this.source, q, candidates, floor, excluded, this.scratch);
      const lowest = 1 - distances[distances.length - 1];
      // Enough hits, every row scanned, or the rest score below minScore even allowing for
      // int8 rounding: done. Otherwise widen the shortlist.
      if (hits.length >= want + MARGIN || k >= this.rows || lowest < floor - 0.01) {
        return hits.slice(0, want);
      }
      k = Math.min(this.rows, k * 4);
    }
  }

  release(): void {}

  private append(seq: number, vector: Float32Array): void {
    if (this.rows === 0) this.dimension = vector.length;
    if (vector.length !== this.dimension) {
      throw new Error(
        `Vector has ${vector.length} dimensions; this index holds ${this.dimension}.`,
      );
    }
    if (this.rows === this.seqs.length) {
      const capacity = Math.max(16, this.rows * 2);
      const data = new Int8Array(capacity * this.dimension);
      data.set(this.data.subarray(0, this.rows * this.dimension));
      const seqs = new Float64Array(capacity);
      seqs.set(this.seqs.subarray(0, this.rows));
      this.data = data;
      this.seqs = seqs;
    }
    const unit = Float32Array.from(vector);
    normalizeInPlace(unit, 0, unit.length);
    quantizeInto(unit, 0, unit.length, this.data, this.rows * this.dimension);
    this.seqs[this.rows++] = seq;
  }
}
