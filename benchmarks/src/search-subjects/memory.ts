import { createMemoryFaceStore } from '@facekit/storage-memory';
import type { SearchBenchSubject } from './types.js';

/** `@facekit/storage-memory`: the reference store, not persistent (no reopen, no disk). */
export const memorySubject: SearchBenchSubject = {
  name: 'memory',
  open: async () => createMemoryFaceStore(),
  diskBytes: async () => 0,
};
