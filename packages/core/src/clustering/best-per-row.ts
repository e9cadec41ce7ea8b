/**
 * A bounded min-heap per row, in flat typed arrays: row `r` keeps the `capacity` best distinct
 * ids pushed to it, with their scores. A repeated id keeps one entry (checked only on a push
 * that would be kept, so it costs little when most pushes fall below the row's worst).
 */
export class BestPerRow {
  private readonly ids: Int32Array;
  private readonly scores: Float32Array;
  readonly sizes: Int32Array;

  constructor(
    rows: number,
    readonly capacity: number,
  ) {
    this.ids = new Int32Array(rows * capacity);
    this.scores = new Float32Array(rows * capacity);
    this.sizes = new Int32Array(rows);
  }

  push(row: number, id: number, score: number): void {
    const { ids, scores, capacity } = this;
    const base = row * capacity;
    const size = this.sizes[row];
    if (size === capacity && score <= scores[base]) return;
    for (let e = base; e < base + size; e++) if (ids[e] === id) return;
    if (size < capacity) {
      this.sizes[row] = size + 1;
      let i = size;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[base + parent] <= score) break;
        ids[base + i] = ids[base + parent];
        scores[base + i] = scores[base + parent];
        i = parent;
      }
      ids[base + i] = id;
      scores[base + i] = score;
      return;
    }
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && scores[base + right] < scores[base + left] ? right : left;
      if (scores[base + child] >= score) break;
      ids[base + i] = ids[base + child];
      scores[base + i] = scores[base + child];
      i = child;
    }
    ids[base + i] = id;
    scores[base + i] = score;
  }

  has(row: number, id: number): boolean {
    const base = row * this.capacity;
    for (let e = base; e < base + this.sizes[row]; e++) if (this.ids[e] === id) return true;
    return false;
  }

  clear(row: number): void {
    this.sizes[row] = 0;
  }

  /**
   * Writes the row's entries best first (ties: lower id first) at `offset` of `ids` and `scores`
   * (an insertion sort: rows are short); returns how many.
   */
  writeSorted(row: number, ids: Int32Array, scores: Float32Array, offset: number): number {
    const base = row * this.capacity;
    const size = this.sizes[row];
    for (let e = 0; e < size; e++) {
      const id = this.ids[base + e];
      const score = this.scores[base + e];
      let p = offset + e;
      while (
        p > offset &&
        (scores[p - 1] < score || (scores[p - 1] === score && ids[p - 1] > id))
      ) {
        ids[p] = ids[p - 1];
        scores[p] = scores[p - 1];
        p--;
      }
      ids[p] = id;
      scores[p] = score;
    }
    return size;
  }
}
