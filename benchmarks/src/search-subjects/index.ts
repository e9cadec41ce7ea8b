import { faissFlatSubject, faissHnswSubject } from './faiss.js';
import { memorySubject } from './memory.js';
import {
  postgresExactSubject,
  postgresHnswSubject,
  postgresServerExactSubject,
  postgresServerHnswSubject,
} from './postgres.js';
import { sqliteSubject } from './sqlite.js';
import type { SearchBenchSubject } from './types.js';

export type { SearchBenchSubject } from './types.js';

/** Every store `pnpm bench:search` knows; `--adapters` picks by name. Add new stores here. */
export const SEARCH_SUBJECTS: readonly SearchBenchSubject[] = [
  sqliteSubject,
  faissFlatSubject,
  faissHnswSubject,
  postgresExactSubject,
  postgresHnswSubject,
  postgresServerExactSubject,
  postgresServerHnswSubject,
  memorySubject,
];
