import { createRequire } from 'node:module';
import { InternalServerError } from '@facekit/core';

/**
 * The part of faiss-node 0.5.1 this package uses, as patched in this repository
 * (patches/faiss-node@0.5.1.patch): `Float32Array` input, a search-time skip list (a faiss
 * `IDSelector`) and HNSW's `efSearch`/`efConstruction`.
 */
export interface FaissIndex {
  ntotal(): number;
  getDimension(): number;
  /** Adds `n` rows of `getDimension()` floats; their labels are `ntotal() .. ntotal() + n - 1`. */
  add(x: Float32Array): void;
  /** Top `k` (≤ `ntotal()`) by the index's metric; labels in `skip` are never returned; -1 pads. */
  search(
    x: Float32Array,
    k: number,
    skip?: Float64Array,
  ): { distances: Float32Array; labels: Float64Array };
  /** Removes rows by label; the flat index compacts, keeping the others in order. */
  removeIds(ids: number[]): number;
  write(path: string): void;
  setParameter(name: 'efSearch' | 'efConstruction', value: number): void;
}

export interface FaissModule {
  Index: {
    fromFactory(dimensions: number, description: string, metric: number): FaissIndex;
    read(path: string): FaissIndex;
  };
  MetricType: { METRIC_INNER_PRODUCT: number };
  /** OpenMP threads of the next faiss calls made from this thread. */
  setNumThreads(threads: number): void;
}

// `pnpm rebuild faiss-node` at the root does nothing (faiss-node is a dependency of this package,
// not of the root), and `pnpm install` skips a package it built (or skipped) before: `-r`.
export const FAISS_INSTALL_HINT =
  'faiss-node is built from source against the system faiss library, and `pnpm install` skips it where that library is missing: on Debian/Ubuntu run `apt-get install libfaiss-dev libopenblas-dev`, then `pnpm -r rebuild faiss-node` in the facekit checkout.';

let loaded: FaissModule | undefined;

/**
 * Loads faiss-node's native addon on first use, so importing this package loads nothing native.
 * @throws {InternalServerError} when the addon is missing or was built without the patch.
 */
export function loadFaiss(): FaissModule {
  loaded ??= loadFaissFrom(() => createRequire(import.meta.url)('faiss-node'));
  return loaded;
}

/**
 * {@link loadFaiss} through `load` (a `require` of faiss-node), uncached; tests point it at a
 * faiss-node whose addon was never built.
 */
export function loadFaissFrom(load: () => unknown): FaissModule {
  let module: FaissModule;
  try {
    module = load() as FaissModule;
  } catch (cause) {
    throw new InternalServerError(
      // bindings' "Could not locate the bindings file. Tried:" lists a dozen paths: one line is enough.
      `@facekit/storage-faiss could not load faiss-node's native addon (${errorMessage(cause)
        .split('\n')[0]
        .replace(/\.? Tried:$/, '')}). ${FAISS_INSTALL_HINT}`,
      { cause },
    );
  }
  const probe = module.Index.fromFactory(1, 'Flat', module.MetricType.METRIC_INNER_PRODUCT);
  if (typeof probe.setParameter !== 'function' || typeof module.setNumThreads !== 'function') {
    throw new InternalServerError(
      `faiss-node is installed without facekit's patch (patches/faiss-node@0.5.1.patch). ${FAISS_INSTALL_HINT}`,
    );
  }
  return module;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why faiss-node cannot be used here (the load error), or `undefined` when it can. */
export function faissUnavailableReason(): string | undefined {
  try {
    loadFaiss();
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
