import { createRequire } from 'node:module';
import { InternalServerError } from '@facekit/core';

/** The part of usearch 2.25 (npm, N-API) this package uses. */
export interface UsearchMatches {
  keys: BigUint64Array;
  /** `1 - similarity` for the `ip` and `cos` metrics. */
  distances: Float32Array;
}

export interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void;
  search(vector: Float32Array | Int8Array, k: number, threads: number): UsearchMatches;
  remove(keys: BigUint64Array): number[];
  size(): number;
  dimensions(): number;
  save(path: string): void;
  load(path: string): void;
  view(path: string): void;
}

export interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: 'ip' | 'cos';
    quantization: 'f32' | 'f16' | 'i8';
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
  /** Top `count` rows of `dataset` (row offsets, not keys) for one query, SIMD brute force. */
  exactSearch(
    dataset: Float32Array | Int8Array,
    query: Float32Array | Int8Array,
    dimensions: number,
    count: number,
    metric: 'ip' | 'cos',
    threads: number,
  ): UsearchMatches;
}

export const USEARCH_INSTALL_HINT =
  'usearch ships prebuilt binaries for Linux, macOS and Windows (x64, arm64): run `pnpm install` in the facekit checkout, or `npm install usearch@2.25.3` next to @facekit/vector-index-usearch.';

let loaded: UsearchModule | undefined;

/**
 * Loads usearch's native addon on first use, so importing this package loads nothing native.
 * @throws {InternalServerError} when the addon cannot be loaded.
 */
export function loadUsearch(): UsearchModule {
  if (loaded) return loaded;
  try {
    const module = createRequire(import.meta.url)('usearch') as UsearchModule & {
      default?: UsearchModule;
    };
    loaded = module.default ?? module;
    return loaded;
  } catch (cause) {
    throw new InternalServerError(
      `@facekit/vector-index-usearch could not load usearch's native addon (${errorMessage(cause)}). ${USEARCH_INSTALL_HINT}`,
      { cause },
    );
  }
}

/** Why usearch cannot be used here (the load error), or `undefined` when it can. */
export function usearchUnavailableReason(): string | undefined {
  try {
    loadUsearch();
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
