import { createFaissFaceStore, type FaissIndexKind, loadFaiss } from '@facekit/storage-faiss';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

function faissSubject(index: FaissIndexKind): SearchBenchSubject {
  return {
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
/** `@facekit/storage-faiss` with an approximate `IndexHNSWFlat` (default parameters). */
export const faissHnswSubject = faissSubject('hnsw');
