import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createPGliteDriver, createPostgresFaceStore } from '@facekit/storage-postgres';
import type { FaceStoreHandle, SearchBenchSubject } from './types.js';

/**
 * The postgres store on embedded PGlite (PostgreSQL 17 + pgvector 0.8 in WebAssembly) in `dir`:
 * `exact` scans, or `hnsw` with one index per collection (`efSearch`: pgvector's ef_search).
 * The dimension needs no setting: a collection takes it from its first face.
 */
export function postgresSubject(search: 'exact' | 'hnsw', efSearch = 100): SearchBenchSubject {
  return {
    name:
      search === 'exact'
        ? 'postgres (PGlite, exact)'
        : `postgres (PGlite, HNSW ef_search ${efSearch})`,
    async open(dir: string, _dimension: number): Promise<FaceStoreHandle> {
      const driver = await createPGliteDriver({ dataDir: dir });
      const store = await createPostgresFaceStore({ driver, search, hnsw: { efSearch } });
      return { store, close: () => store.close() };
    },
    diskBytes: directoryBytes,
  };
}

export const postgresSubjects: readonly SearchBenchSubject[] = [
  postgresSubject('exact'),
  postgresSubject('hnsw'),
];

/** Total size of the files under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}
