/** One search hit: the row's sequence number (its indexing order) and its cosine score. */
export interface MatrixHit {
  seq: number;
  score: number;
}

/**
 * Rows of one dimension in one contiguous row-major typed array (`Float32Array`, or `Int8Array`
 * for quantised copies), each tagged with its sequence number. Removal compacts, keeping order.
 * A growing matrix moves to a new array, whose rows start at byte 0 of its buffer.
 *
 * All rows share one dimension: it is set by the first row of an empty matrix.
 */
export class RowMatrix<T extends Float32Array | Int8Array> {
  dim = 0;
  count = 0;
  /** Rows `0..count`, `dim` values each. */
  data: T;
  /** `seqs[row]` is the row's sequence number. */
  seqs = new Float64Array(0);

  constructor(private readonly allocate: (length: number) => T) {
    this.data = allocate(0);
  }

  /**
   * Appends an empty row and returns the array and element offset to fill it at, so that a
   * stored blob can be copied in without an intermediate array. Rows should arrive in increasing
   * `seq`, though search does not rely on it.
   */
  appendSlot(seq: number, dim: number): { data: T; offset: number } {
    if (this.count === 0) this.dim = dim;
    if (dim !== this.dim) {
      throw new Error(`Vector has ${dim} dimensions; this matrix holds ${this.dim}.`);
    }
    this.reserve(this.count + 1);
    this.seqs[this.count] = seq;
    const offset = this.count * this.dim;
    this.count++;
    return { data: this.data, offset };
  }

  /** Removes the rows with these sequence numbers, keeping the others in order. */
  remove(seqs: ReadonlySet<number>): void {
    if (seqs.size === 0) return;
    const { dim, data } = this;
    let kept = 0;
    for (let row = 0; row < this.count; row++) {
      const seq = this.seqs[row];
      if (seqs.has(seq)) continue;
      if (kept !== row) {
        data.copyWithin(kept * dim, row * dim, (row + 1) * dim);
        this.seqs[kept] = seq;
      }
      kept++;
    }
    this.count = kept;
  }

  private reserve(rows: number): void {
    if (rows <= this.seqs.length) return;
    const capacity = Math.max(rows, this.seqs.length * 2, 16);
    const data = this.allocate(capacity * this.dim);
    data.set(this.data.subarray(0, this.count * this.dim));
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs.subarray(0, this.count));
    this.data = data;
    this.seqs = seqs;
  }
}

/**
 * Vectors of one collection as float32 rows (see {@link RowMatrix}). Brute-force exact search over
 * it is a tight loop with no per-row allocation: about 75 ms for 100k faces x 512 dimensions on
 * one core (building it from the database, once, about 1.5 s).
 */
export class VectorMatrix extends RowMatrix<Float32Array> {
  constructor() {
    super((length) => new Float32Array(length));
  }

  /** Appends a row (copied). */
  append(seq: number, vector: Float32Array): void {
    const slot = this.appendSlot(seq, vector.length);
    slot.data.set(vector, slot.offset);
  }

  /**
   * The `limit` rows with the highest inner product with `query`, best first, ties broken by
   * lower `seq` (indexing order). Rows scoring below `minScore` or listed in `excluded` are
   * skipped. A bounded min-heap keeps this O(n·dim + n·log k) with O(k) extra memory.
   *
   * The score is accumulated in doubles in the same order as `dot()` from `@facekit/core`, so
   * results are bit-identical to the reference store.
   */
  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): MatrixHit[] {
    const k = Math.min(Math.floor(limit), this.count);
    if (k <= 0) return [];
    const heap = new TopK(k);
    const { dim, data, seqs } = this;
    const floor = minScore ?? Number.NEGATIVE_INFINITY;
    const checkExcluded = excluded.size > 0;
    for (let row = 0, offset = 0; row < this.count; row++, offset += dim) {
      let score = 0;
      for (let j = 0; j < dim; j++) score += query[j] * data[offset + j];
      if (score < floor) continue;
      const seq = seqs[row];
      if (checkExcluded && excluded.has(seq)) continue;
      heap.offer(seq, score);
    }
    return heap.drain();
  }
}

/**
 * A bounded binary min-heap of the best `k` hits seen so far; the root is the worst kept hit
 * (lowest score, then highest seq), so a new hit is compared against it in O(1).
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly seqs: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.seqs = new Float64Array(k);
  }

  offer(seq: number, score: number): void {
    if (this.size < this.k) {
      this.siftUp(this.size++, seq, score);
    } else if (worse(this.scores[0], this.seqs[0], score, seq)) {
      this.siftDown(seq, score);
    }
  }

  /** The kept hits, best first. */
  drain(): MatrixHit[] {
    const hits: MatrixHit[] = [];
    for (let i = 0; i < this.size; i++) hits.push({ seq: this.seqs[i], score: this.scores[i] });
    return hits.sort((a, b) => b.score - a.score || a.seq - b.seq);
  }

  private siftUp(index: number, seq: number, score: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(score, seq, this.scores[parent], this.seqs[parent])) break;
      this.scores[i] = this.scores[parent];
      this.seqs[i] = this.seqs[parent];
      i = parent;
    }
    this.scores[i] = score;
    this.seqs[i] = seq;
  }

  /** Replaces the root with (seq, score) and restores the heap. */
  private siftDown(seq: number, score: number): void {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      let child = left;
      if (
        right < this.size &&
        worse(this.scores[right], this.seqs[right], this.scores[left], this.seqs[left])
      ) {
        child = right;
      }
      if (!worse(this.scores[child], this.seqs[child], score, seq)) break;
      this.scores[i] = this.scores[child];
      this.seqs[i] = this.seqs[child];
      i = child;
    }
    this.scores[i] = score;
    this.seqs[i] = seq;
  }
}

/** Whether hit a ranks below hit b: lower score, or the same score and indexed later. */
function worse(scoreA: number, seqA: number, scoreB: number, seqB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && seqA > seqB);
}
