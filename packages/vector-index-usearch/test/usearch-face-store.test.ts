import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describePersistedIndexContract,
  randomStoredFaces,
  randomUnitVectors,
  selfHitRate,
} from '@facekit/conformance/storage';
import type { FaceStore } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createUsearchFaceStore,
  type UsearchFaceStoreOptions,
  usearchUnavailableReason,
} from '../src/index.js';

const unavailable = usearchUnavailableReason();

type Setup = Omit<UsearchFaceStoreOptions, 'dir'>;

const files = (dir: string) => ({
  index: join(dir, 'usearch', 'collection-1.usearch'),
  meta: join(dir, 'usearch', 'collection-1.json'),
});

const exactFiles = (dir: string) => ({
  index: join(dir, 'exact', 'collection-1.i8'),
  meta: join(dir, 'exact', 'collection-1.json'),
});

describe.skipIf(unavailable !== undefined)('usearch available', () => {
  for (const [quantization, other] of [
    ['i8', 'f16'],
    ['f16', 'f32'],
    ['f32', 'i8'],
  ] as const) {
    describePersistedIndexContract(`usearch hnsw ${quantization}`, {
      open: (dir) => createUsearchFaceStore({ dir, index: 'hnsw', quantization }),
      openDatabase: (dir) => createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') }),
      files,
      name: `usearch-hnsw-${quantization}`,
      search: 'approximate',
      // Random vectors are HNSW's worst case (face-like data: see the package README); scores
      // are exact whatever the quantisation: candidates are rescored from the database.
      largeBatch: {
        faces: 3000,
        queries: 20,
        minRecall: 0.95,
        minSelfHitRate: 1,
        exactScores: true,
      },
      otherSettings: {
        open: (dir) => createUsearchFaceStore({ dir, index: 'hnsw', quantization: other }),
        name: `usearch-hnsw-${other}`,
        meta: { quantization: other },
      },
    });
  }
});

const dirs: string[] = [];
const stores: FaceStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = join(tmpdir(), `facekit-usearch-test-${randomUUID()}`);
  dirs.push(dir);
  return dir;
}

async function open(dir: string, setup: Setup): Promise<FaceStore> {
  const store = await createUsearchFaceStore({ dir, ...setup });
  stores.push(store);
  return store;
}

async function close(store: FaceStore): Promise<void> {
  stores.splice(stores.indexOf(store), 1);
  await store.close();
}

async function seeded(dir: string, setup: Setup, count: number) {
  const store = await open(dir, setup);
  await store.createCollection({ collectionId: 'c', faceModelVersion: '1.0', createdAt: 1 });
  const stored = randomStoredFaces(count, 7);
  await store.putFaces('c', stored);
  return { store, stored };
}

describe.skipIf(unavailable !== undefined)('usearch exact scan, saved', () => {
  describePersistedIndexContract('usearch exact scan', {
    open: (dir) => createUsearchFaceStore({ dir, index: 'exact' }),
    openDatabase: (dir) => createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') }),
    files: exactFiles,
    name: 'sqlite',
    search: 'exact',
    largeBatch: { faces: 3000, queries: 20, minRecall: 1, minSelfHitRate: 1, exactScores: true },
  });
});

describe.skipIf(unavailable !== undefined)('usearch exact scan and auto', () => {
  it('exact scan returns the brute-force top 50 with minScore and exclusions', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, { index: 'exact' }, 5000);
    for (const query of randomUnitVectors(10, 64, 5)) {
      const all = stored
        .map((f) => ({ id: f.faceId, score: dot(query, f.vector) }))
        .sort((a, b) => b.score - a.score);
      const excluded = [all[0].id, all[3].id];
      const expected = all.filter((e) => !excluded.includes(e.id)).slice(0, 50);
      const got = await store.searchFaces('c', query, { limit: 50, excludeFaceIds: excluded });
      expect(got.map((m) => m.face.faceId)).toEqual(expected.map((e) => e.id));
      const floor = (all[120].score + all[121].score) / 2;
      const above = await store.searchFaces('c', query, { limit: 1000, minScore: floor });
      expect(above.map((m) => m.face.faceId)).toEqual(all.slice(0, 121).map((e) => e.id));
    }
  }, 30_000);

  it('auto switches a collection to HNSW when it crosses the threshold, and keeps it there', async () => {
    const dir = tempDir();
    const setup: Setup = { index: 'auto', autoThreshold: 500 };
    const seeding = await seeded(dir, setup, 400);
    const { stored } = seeding;
    expect(await selfHitRate(seeding.store, stored.slice(0, 20))).toBe(1);
    await close(seeding.store);
    expect(existsSync(files(dir).meta)).toBe(false);
    expect(existsSync(exactFiles(dir).meta)).toBe(true);
    const store = await open(dir, setup);
    const more = randomStoredFaces(200, 9);
    await store.putFaces('c', more);
    expect(await selfHitRate(store, more.slice(0, 50))).toBe(1);
    // The graph was built (and saved) when the collection reached 500 faces, and the exact
    // scan's copies dropped.
    expect(existsSync(files(dir).meta)).toBe(true);
    expect(existsSync(exactFiles(dir).index)).toBe(false);
    await store.deleteFaces(
      'c',
      more.map((f) => f.faceId),
    );
    await close(store);
    const reopened = await open(dir, setup);
    expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
    await close(reopened);
    expect(JSON.parse(readFileSync(files(dir).meta, 'utf8')).state.count).toBe(400);
  }, 30_000);
});
