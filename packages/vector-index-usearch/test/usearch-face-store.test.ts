import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUnitVectors } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createUsearchFaceStore,
  type UsearchFaceStoreOptions,
  usearchUnavailableReason,
} from '../src/index.js';

const unavailable = usearchUnavailableReason();

const DIM = 64;
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

type Setup = Omit<UsearchFaceStoreOptions, 'dir'>;

async function open(dir: string, setup: Setup): Promise<FaceStore> {
  const store = await createUsearchFaceStore({ dir, ...setup });
  stores.push(store);
  return store;
}

async function close(store: FaceStore): Promise<void> {
  stores.splice(stores.indexOf(store), 1);
  await store.close();
}

function faces(count: number, seed: number): StoredFace[] {
  return randomUnitVectors(count, DIM, seed).map((vector, i) => ({
    faceId: randomUUID(),
    imageId: randomUUID(),
    externalImageId: `img-${seed}-${i}`,
    boundingBox: { width: 0.5, height: 0.5, left: 0.1, top: 0.1 },
    confidence: 99,
    indexFacesModelVersion: '1.0',
    createdAt: 1,
    vector,
  }));
}

async function seeded(dir: string, setup: Setup, count: number) {
  const store = await open(dir, setup);
  await store.createCollection({ collectionId: 'c', faceModelVersion: '1.0', createdAt: 1 });
  const stored = faces(count, 7);
  await store.putFaces('c', stored);
  return { store, stored };
}

/** The faces every search for a face's own vector returns first, as a share of `sample`. */
async function selfHitRate(store: FaceStore, sample: StoredFace[]): Promise<number> {
  let hits = 0;
  for (const face of sample) {
    const [best] = await store.searchFaces('c', face.vector, { limit: 1 });
    if (best?.face.faceId === face.faceId) hits++;
  }
  return hits / sample.length;
}

const files = (dir: string) => ({
  index: join(dir, 'usearch', 'collection-1.usearch'),
  meta: join(dir, 'usearch', 'collection-1.json'),
});

describe.skipIf(unavailable !== undefined).each(['i8', 'f16', 'f32'] as const)(
  'usearch hnsw %s',
  (quantization) => {
    const setup: Setup = { index: 'hnsw', quantization };

    it('saves the index on close and maps it on reopen instead of rebuilding', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 300);
      expect(store.capabilities.search).toBe('approximate');
      expect(store.name).toBe(`usearch-hnsw-${quantization}`);
      expect((await store.searchFaces('c', stored[0].vector, { limit: 1 }))[0].face.faceId).toBe(
        stored[0].faceId,
      );
      await close(store);
      expect(existsSync(files(dir).index)).toBe(true);
      const saved = statSync(files(dir).meta).mtimeMs;
      const metaBefore = readFileSync(files(dir).meta, 'utf8');
      await new Promise((resolve) => setTimeout(resolve, 20));

      const reopened = await open(dir, setup);
      expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
      await close(reopened);
      // Nothing changed, so nothing was rebuilt or written again.
      expect(statSync(files(dir).meta).mtimeMs).toBe(saved);
      expect(readFileSync(files(dir).meta, 'utf8')).toBe(metaBefore);
    });

    it('adds to and deletes from a reopened (memory-mapped) index', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 200);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);
      const reopened = await open(dir, setup);
      await reopened.searchFaces('c', stored[0].vector, { limit: 1 });
      const added = faces(50, 8);
      await reopened.putFaces('c', added);
      await reopened.deleteFaces('c', [stored[5].faceId]);
      expect(await selfHitRate(reopened, added)).toBe(1);
      const got = await reopened.searchFaces('c', stored[5].vector, { limit: 10 });
      expect(got.map((m) => m.face.faceId)).not.toContain(stored[5].faceId);
      await close(reopened);
      const again = await open(dir, setup);
      expect(await selfHitRate(again, added.slice(0, 20))).toBe(1);
      expect((await again.searchFaces('c', stored[5].vector, { limit: 10 })).length).toBe(10);
    });

    it('rebuilds a deleted or corrupted index file from the database', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 300);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);

      rmSync(files(dir).index);
      let reopened = await open(dir, setup);
      expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
      await close(reopened);
      expect(existsSync(files(dir).index)).toBe(true);

      // Same size, different bytes in the middle: only the checksum can tell.
      const bytes = readFileSync(files(dir).index);
      bytes.fill(0x3f, bytes.length >> 1, (bytes.length >> 1) + 4096);
      writeFileSync(files(dir).index, bytes);
      const corruptedMeta = statSync(files(dir).meta).mtimeMs;
      await new Promise((resolve) => setTimeout(resolve, 20));
      reopened = await open(dir, setup);
      expect(await selfHitRate(reopened, stored.slice(100, 200))).toBe(1);
      await close(reopened);
      expect(statSync(files(dir).meta).mtimeMs).toBeGreaterThan(corruptedMeta);
    });

    it('catches up with faces written and deleted while its file was not saved (a crash)', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 200);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);

      // Writes the index never saw, as after a crash before the index was saved.
      const sqlite = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
      const added = faces(100, 8);
      await sqlite.putFaces('c', added);
      await sqlite.close();

      let reopened = await open(dir, setup);
      expect(await selfHitRate(reopened, added.slice(0, 50))).toBe(1);
      expect(await selfHitRate(reopened, stored.slice(0, 20))).toBe(1);
      await close(reopened);

      const sqlite2 = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
      const gone = [stored[3], added[4]].map((f) => f.faceId);
      expect((await sqlite2.deleteFaces('c', gone)).deleted).toEqual(gone);
      await sqlite2.close();

      reopened = await open(dir, setup);
      for (const face of [stored[3], added[4]]) {
        const got = await reopened.searchFaces('c', face.vector, { limit: 300 });
        expect(got.length).toBeGreaterThanOrEqual(290);
        expect(got.length).toBeLessThanOrEqual(298);
        expect(got.map((m) => m.face.faceId)).not.toContain(face.faceId);
      }
    });

    it('never returns a deleted face, across many deletes, saves and reopens', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 400);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      // 150 of 400: past the tombstone rebuild threshold (20%).
      const deleted = stored.filter((_, i) => i % 8 < 3);
      for (let i = 0; i < deleted.length; i += 10) {
        await store.deleteFaces(
          'c',
          deleted.slice(i, i + 10).map((f) => f.faceId),
        );
      }
      const gone = new Set(deleted.map((f) => f.faceId));
      const check = async (s: FaceStore) => {
        for (const face of deleted.slice(0, 40)) {
          const got = await s.searchFaces('c', face.vector, { limit: 20 });
          expect(got).toHaveLength(20);
          for (const match of got) expect(gone.has(match.face.faceId)).toBe(false);
        }
        expect((await s.describeCollection('c')).faceCount).toBe(400 - deleted.length);
        const all = await s.searchFaces('c', stored[1].vector, { limit: 1000 });
        expect(all.length).toBeLessThanOrEqual(400 - deleted.length);
        expect(all.length).toBeGreaterThanOrEqual(240);
        for (const match of all) expect(gone.has(match.face.faceId)).toBe(false);
      };
      await check(store);
      await close(store);
      await check(await open(dir, setup));
    });

    it('indexes a large batch on several threads and finds the exact top 10', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, setup, 3000);
      let found = 0;
      for (const [i, query] of randomUnitVectors(20, DIM, 99).entries()) {
        const got = await store.searchFaces('c', query, { limit: 10 });
        const exact = stored
          .map((f) => ({ id: f.faceId, score: dot(query, f.vector) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        found += got.filter((m) => exact.some((e) => e.id === m.face.faceId)).length;
        // Scores are exact whatever the quantisation: candidates are rescored from the database.
        if (i === 0) expect(got[0].score).toBeCloseTo(exact[0].score, 6);
      }
      // Random vectors are HNSW's worst case (face-like data: see the package README).
      expect(found / 200).toBeGreaterThanOrEqual(0.95);
      expect(await selfHitRate(store, stored.slice(0, 100))).toBe(1);
    });
  },
);

describe.skipIf(unavailable !== undefined)('usearch exact scan and auto', () => {
  it('exact scan returns the brute-force top 50 with minScore and exclusions', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, { index: 'exact' }, 5000);
    for (const query of randomUnitVectors(10, DIM, 5)) {
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
  });

  it('auto switches a collection to HNSW when it crosses the threshold, and keeps it there', async () => {
    const dir = tempDir();
    const setup: Setup = { index: 'auto', autoThreshold: 500 };
    const { store, stored } = await seeded(dir, setup, 400);
    expect(await selfHitRate(store, stored.slice(0, 20))).toBe(1);
    expect(existsSync(files(dir).meta)).toBe(false);
    const more = faces(200, 9);
    await store.putFaces('c', more);
    expect(await selfHitRate(store, more.slice(0, 50))).toBe(1);
    // The graph was built (and saved) when the collection reached 500 faces.
    expect(existsSync(files(dir).meta)).toBe(true);
    await store.deleteFaces(
      'c',
      more.map((f) => f.faceId),
    );
    await close(store);
    const reopened = await open(dir, setup);
    expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
    await close(reopened);
    expect(JSON.parse(readFileSync(files(dir).meta, 'utf8')).state.count).toBe(400);
  });
});
