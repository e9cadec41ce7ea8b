import { createFaissFaceStore, type FaissIndexKind, loadFaiss } from '@facekit/storage-faiss';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

function faissSubject(index: FaissIndexKind): SearchBenchSubject {
  const hnswVariants = [32, 512, 2048].map((efSearch) => ({
    label: `efSearch=${efSearch}`,
    open: (dir: string) => createFaissFaceStore({ dir, index, hnsw: { efSearch } }),
  }));
  return {
    ...(index === 'hnsw' ? { variants: hnswVariants } : {}),
    name: `faiss-${index}`,
    async unavailable() {
      try {
        loadFaiss();
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    open: (dir) => createFaissFaceStore({ dir, index }),
    diskBytes: directoryBytes,
    serveArgs: (dir) => ['--store', 'faiss', '--faiss-index', index, '--data-dir', dir],
  };
}

/** `@facekit/storage-faiss` with an exact `IndexFlatIP`. */
export const faissFlatSubject = faissSubject('flat');
/**
 * `@facekit/storage-faiss` with an approximate `IndexHNSWFlat` (default parameters: M 32,
 * efConstruction 64, efSearch 128), plus efSearch 32, 512 and 2048 on the same graph.
 */
export const faissHnswSubject = faissSubject('hnsw');
