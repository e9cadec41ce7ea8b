import { join } from 'node:path';
import { createPGliteDriver, createPostgresFaceStore } from '@facekit/storage-postgres';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

function postgresSubject(search: 'exact' | 'hnsw'): SearchBenchSubject {
  // Where and how `facekit serve --store postgres --data-dir dir` keeps the default account, so the
  // HTTP row serves the very collection measured in process.
  const open = async (dir: string, efSearch?: number) => {
    const driver = await createPGliteDriver({ dataDir: join(dir, 'postgres') });
    return createPostgresFaceStore({
      driver,
      schema: 'facekit_000000000000',
      search,
      ...(efSearch === undefined ? {} : { hnsw: { efSearch } }),
    });
  };
  return {
    name: `postgres-${search}`,
    ...(search === 'hnsw'
      ? {
          variants: [40, 200, 400].map((efSearch) => ({
            label: `ef_search=${efSearch}`,
            open: (dir: string) => open(dir, efSearch),
          })),
        }
      : {}),
    open: (dir) => open(dir),
    diskBytes: directoryBytes,
    serveArgs: (dir) => ['--store', 'postgres', '--pg-search', search, '--data-dir', dir],
  };
}

/**
 * `@facekit/storage-postgres` on embedded PGlite (PostgreSQL 17 + pgvector 0.8 in WebAssembly):
 * exact scans, or one HNSW index per collection (default ef_search 100, plus 40, 200 and 400).
 */
export const postgresExactSubject = postgresSubject('exact');
export const postgresHnswSubject = postgresSubject('hnsw');
