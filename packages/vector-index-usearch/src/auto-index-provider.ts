import type {
  FaceVectorIndex,
  FaceVectorIndexProvider,
  FaceVectorSource,
  VectorHit,
} from '@facekit/storage-sqlite';

/** Options of {@link createAutoIndexProvider}. */
export interface AutoIndexProviderOptions {
  /** Exact search for small collections. */
  exact: FaceVectorIndexProvider;
  /** Approximate search once a collection is large; `hasSavedIndex` says it was large before. */
  approximate: FaceVectorIndexProvider & { hasSavedIndex(collectionSeq: number): boolean };
  /**
   * A collection switches to `approximate` when it reaches this many faces, and stays there
   * (deleting faces does not switch back, so a collection near the line does not rebuild back
   * and forth).
   */
  threshold: number;
}

/**
 * Exact search for collections below `threshold` faces, approximate at and above it: each
 * collection opens with the index its size calls for (or the approximate one when its saved
 * files exist), and an exact index that grows past the line is replaced in the same call by the
 * approximate one, built from the database. Reported as approximate, since any collection may be.
 */
export function createAutoIndexProvider(
  options: AutoIndexProviderOptions,
): FaceVectorIndexProvider {
  const { exact, approximate } = options;
  return {
    name: `auto-${approximate.name ?? 'approximate'}`,
    search: 'approximate',
    open: (source) => new AutoIndex(options, source),
    drop(collectionSeq) {
      exact.drop(collectionSeq);
      approximate.drop(collectionSeq);
    },
    close() {
      exact.close?.();
      approximate.close?.();
    },
  };
}

class AutoIndex implements FaceVectorIndex {
  private inner: FaceVectorIndex;
  private large: boolean;

  constructor(
    private readonly options: AutoIndexProviderOptions,
    private readonly source: FaceVectorSource,
  ) {
    this.large =
      options.approximate.hasSavedIndex(source.collectionSeq) ||
      source.state().count >= options.threshold;
    this.inner = (this.large ? options.approximate : options.exact).open(source);
    // Saved exact copies of a collection that has grown (e.g. written while closed): of no use.
    if (this.large) options.exact.drop(source.collectionSeq);
  }

  get count(): number {
    return this.inner.count;
  }

  get dim(): number {
    return this.inner.dim;
  }

  add(seqs: readonly number[], vectors: readonly Float32Array[]): void {
    if (!this.large && this.inner.count + seqs.length >= this.options.threshold) {
      // The rows are committed already: the new index reads them with the rest. The exact
      // index's saved copies are of no more use.
      this.inner.release();
      this.options.exact.drop(this.source.collectionSeq);
      this.inner = this.options.approximate.open(this.source);
      this.large = true;
      return;
    }
    this.inner.add(seqs, vectors);
  }

  remove(seqs: ReadonlySet<number>): void {
    this.inner.remove(seqs);
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number | undefined,
    excluded: ReadonlySet<number>,
  ): VectorHit[] {
    return this.inner.search(query, limit, minScore, excluded);
  }

  release(): void {
    this.inner.release();
  }
}
