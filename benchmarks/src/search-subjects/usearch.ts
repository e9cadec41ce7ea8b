import {
  createUsearchFaceStore,
  type UsearchQuantization,
  usearchUnavailableReason,
} from '@facekit/vector-index-usearch';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

const unavailable = async () => usearchUnavailableReason();

/**
 * `@facekit/vector-index-usearch`'s exact scan (int8 SIMD scan, exact rescoring from SQLite): the
 * SQLite store as `facekit serve --vector-index exact` runs it.
 */
export const sqliteExactScanSubject: SearchBenchSubject = {
  name: 'sqlite-exact-scan',
  unavailable,
  open: (dir) => createUsearchFaceStore({ dir, index: 'exact' }),
  diskBytes: directoryBytes,
  serveArgs: (dir) => ['--store', 'sqlite', '--vector-index', 'exact', '--data-dir', dir],
  // One thread: the search's CPU and its wait for a core are then all on the measured thread.
  variants: [
    {
      label: '1 thread',
      open: (dir: string) => createUsearchFaceStore({ dir, index: 'exact', scanThreads: 1 }),
    },
  ],
};

function hnswSubject(quantization: UsearchQuantization): SearchBenchSubject {
  return {
    name: `usearch-hnsw-${quantization}`,
    unavailable,
    open: (dir) => createUsearchFaceStore({ dir, index: 'hnsw', quantization }),
    diskBytes: directoryBytes,
    serveArgs: (dir) => [
      '--store',
      'sqlite',
      '--vector-index',
      'hnsw',
      '--hnsw-quantization',
      quantization,
      '--data-dir',
      dir,
    ],
    variants: [64, 256, 512].map((expansionSearch) => ({
      label: `ef=${expansionSearch}`,
      open: (dir: string) =>
        createUsearchFaceStore({ dir, index: 'hnsw', quantization, expansionSearch }),
    })),
  };
}

/**
 * The SQLite store with a usearch HNSW index per collection (M 32, efConstruction 128, efSearch
 * 128, plus 64, 256 and 512 on the same graph), vectors kept as f32, f16 or i8.
 */
export const usearchHnswI8Subject = hnswSubject('i8');
export const usearchHnswF16Subject = hnswSubject('f16');
export const usearchHnswF32Subject = hnswSubject('f32');
