import { join } from 'node:path';
import { describePersistedIndexContract } from '@facekit/conformance/storage';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { describe } from 'vitest';
import {
  createFaissFaceStore,
  type FaissIndexKind,
  faissUnavailableReason,
  type HnswParameters,
} from '../src/index.js';

const unavailable = faissUnavailableReason();

const files = (dir: string) => ({
  index: join(dir, 'faiss', 'collection-1.faiss'),
  meta: join(dir, 'faiss', 'collection-1.json'),
});
const common = {
  openDatabase: (dir: string) => createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') }),
  files,
};
const faiss = (index: FaissIndexKind, hnsw?: HnswParameters) => (dir: string) =>
  createFaissFaceStore({ dir, index, hnsw });

describe.skipIf(unavailable !== undefined)('faiss-node available', () => {
  describePersistedIndexContract('faiss flat', {
    ...common,
    open: faiss('flat'),
    name: 'faiss-flat',
    search: 'exact',
    largeBatch: { faces: 5000, queries: 1, minRecall: 1, minSelfHitRate: 0.99 },
    otherSettings: {
      open: faiss('hnsw'),
      name: 'faiss-hnsw',
      meta: { kind: 'hnsw' },
    },
  });

  describePersistedIndexContract('faiss hnsw', {
    ...common,
    open: faiss('hnsw'),
    name: 'faiss-hnsw',
    search: 'approximate',
    largeBatch: { faces: 3000, queries: 1, minRecall: 0.9, minSelfHitRate: 0.99 },
    otherSettings: {
      open: faiss('hnsw', { m: 16 }),
      name: 'faiss-hnsw',
      meta: { kind: 'hnsw', m: 16 },
    },
  });
});
