import type { FaceStore } from '@facekit/core';

/**
 * One store measured by `pnpm bench:search` (benchmarks/src/search.ts). Each store has a file in
 * this folder exporting one or more subjects; the runner seeds them through the `FaceStore` seam
 * (`createCollection`, `putFaces` in batches, `searchFaces`), so any adapter plugs in unchanged.
 */
export interface SearchBenchSubject {
  /** Row label in the report, e.g. `faiss hnsw`; also what `--adapters` selects by. */
  readonly name: string;
  /**
   * Why this subject cannot run here (a native addon not built, no server configured), or
   * `undefined` when it can. The runner prints the reason and skips the subject.
   */
  unavailable?(): Promise<string | undefined>;
  /**
   * Opens (creating if needed) a store whose data lives in `dir`, an empty directory the runner
   * owns. Opening the same `dir` again after `close()` must see the same data (the runner times
   * that as "reopen"); stores that are not persistent are not reopened.
   */
  open(dir: string): Promise<FaceStore>;
  /**
   * Opens the store the bulk add goes into, when that is not `open`'s: PostgreSQL loads into an
   * exact store and `open` then builds the HNSW index over the loaded rows (the documented way to
   * load many faces; inserting each row into the graph is ~10× slower). The runner times that
   * first `open` as the index build and counts it in the add rate. Optional.
   */
  bulkLoad?(dir: string): Promise<FaceStore>;
  /** Bytes the store's data takes on disk (files in `dir`, tables in a server); 0 when in memory. */
  diskBytes(dir: string): Promise<number>;
  /** Removes what `open(dir)` created outside `dir` (a database, a schema). Optional. */
  destroy?(dir: string): Promise<void>;
  /**
   * The `facekit serve` flags that serve this store from `dir`, for the row measured through the
   * HTTP server (e.g. `['--store', 'sqlite', '--data-dir', dir]`). Subjects without it have no
   * HTTP row.
   */
  serveArgs?(dir: string): string[];
  /**
   * Other search settings to measure on the same persisted data (e.g. HNSW's `efSearch`): each
   * opens `dir` as `open` does but with its setting; the runner reports its latency and recall
   * as a row `<name> <label>`. Optional.
   */
  variants?: readonly { label: string; open(dir: string): Promise<FaceStore> }[];
}
