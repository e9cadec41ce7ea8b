import { join } from 'node:path';
import { describePersistedIndexContract } from '@facekit/conformance/storage';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { describe } from 'vitest';
import { createFaissFaceStore, faissUnavailableReason } from '../src/index.js';

const unavailable = faissUnavailableReason();

const files = (dir: string) => ({
  index: join(dir, 'faiss', 'collection-1.faiss'),
  meta: join(dir, 'faiss', 'collection-1.json'),
});
const openDatabase = (dir: string) => createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });

describe.skipIf(unavailable !== undefined)('faiss-node available', () => {
  describePersistedIndexContract('faiss flat', {
    open: (dir) => createFaissFaceStore({ dir, index: 'flat' }),
    openDatabase,
    files,
    name: 'faiss-flat',
    search: 'exact',
    largeBatch: { faces: 5000, queries: 1, minRecall: 1, minSelfHitRate: 0.99 },
    otherSettings: {
      open: (dir) => createFaissFaceStore({ dir, index: 'hnsw' }),
      name: 'faiss-hnsw',
      meta: { kind: 'hnsw' },
    },
  });

  describePersistedIndexContract('faiss hnsw', {
    open: (dir) => createFaissFaceStore({ dir, index: 'hnsw' }),
    openDatabase,
    files,
    name: 'faiss-hnsw',
    search: 'approximate',
    largeBatch: { faces: 3000, queries: 1, minRecall: 0.9, minSelfHitRate: 0.99 },
    otherSettings: {
      open: (dir) => createFaissFaceStore({ dir, index: 'hnsw', hnsw: { m: 16 } }),
      name: 'faiss-hnsw',
      meta: { kind: 'hnsw', m: 16 },
    },
  });
});
