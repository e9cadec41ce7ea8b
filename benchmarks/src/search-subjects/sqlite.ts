import { join } from 'node:path';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { directoryBytes } from './disk-usage.js';
import type { SearchBenchSubject } from './types.js';

/** `@facekit/storage-sqlite`: exact brute-force search over the vectors held in memory. */
export const sqliteSubject: SearchBenchSubject = {
  name: 'sqlite',
  open: (dir) => createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') }),
  diskBytes: directoryBytes,
  serveArgs: (dir) => ['--store', 'sqlite', '--data-dir', dir],
};
