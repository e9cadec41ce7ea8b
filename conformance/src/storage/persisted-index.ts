import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceStore, StoredFace } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import { afterEach, describe, expect, it } from 'vitest';
import { randomUnitVectors } from './seeded-vectors.js';

/** Dimension of the suite's vectors. */
const DIM = 64;

/** Options of {@link describePersistedIndexContract}. */
export interface PersistedIndexContractOptions {
  /** Opens the store under test on `dir` (its database and the index files beside it). */
  open(dir: string): Promise<FaceStore>;
  /** Opens the same database without the index, to write behind its back (as before a crash). */
  openDatabase(dir: string): Promise<FaceStore>;
  /** Where collection 1's saved index and its JSON are. */
  files(dir: string): { index: string; meta: string };
  /** The store's `name`. */
  name: string;
  /** Exact stores must return exactly the surviving faces and the true top 10. */
  search: 'exact' | 'approximate';
  /** Searches of a large batch: the true top 10 of random queries, and each face finding itself. */
  largeBatch: {
    faces: number;
    queries: number;
    /** Share of the true top 10 found, over all queries. */
    minRecall: number;
    minSelfHitRate: number;
    /** Scores equal the exact cosine (to 6 places). */
    exactScores?: boolean;
  };
  /** Another setting of the same index whose saved file must be rebuilt, not read. */
  otherSettings?: {
    open(dir: string): Promise<FaceStore>;
    name: string;
    /** What the JSON records after the rebuild. */
    meta: Record<string, unknown>;
  };
}

/** Random unit faces (seeded) for collection `c`. */
export function randomStoredFaces(count: number, seed: number, dim = DIM): StoredFace[] {
  return randomUnitVectors(count, dim, seed).map((vector, i) => ({
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

/** The share of `sample` whose own vector finds it first in collection `c`. */
export async function selfHitRate(store: FaceStore, sample: StoredFace[]): Promise<number> {
  let hits = 0;
  for (const face of sample) {
    const [best] = await store.searchFaces('c', face.vector, { limit: 1 });
    if (best?.face.faceId === face.faceId) hits++;
  }
  return hits / sample.length;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * The persistence rules every face index saved beside the database must keep (see
 * `PersistedFaceIndex` in `@facekit/storage-sqlite`): a saved index is reopened, not rebuilt;
 * a missing or corrupted file is rebuilt; writes it missed are caught up; deleted faces never
 * come back, across saves and reopens. Runs on collection `c` (collection 1) in fresh temporary
 * directories.
 */
export function describePersistedIndexContract(
  title: string,
  options: PersistedIndexContractOptions,
): void {
  const { files, largeBatch, otherSettings } = options;
  const exact = options.search === 'exact';

  describe(title, () => {
    const dirs: string[] = [];
    const stores: FaceStore[] = [];

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    const tempDir = () => {
      const dir = join(tmpdir(), `facekit-persisted-index-test-${randomUUID()}`);
      dirs.push(dir);
      return dir;
    };
    const track = (store: FaceStore) => {
      stores.push(store);
      return store;
    };
    const open = async (dir: string) => track(await options.open(dir));
    const close = async (store: FaceStore) => {
      stores.splice(stores.indexOf(store), 1);
      await store.close();
    };
    /** Writes to the database alone, as a process that crashed before saving its index did. */
    const behindTheIndex = async (dir: string, write: (db: FaceStore) => Promise<void>) => {
      const db = await options.openDatabase(dir);
      try {
        await write(db);
      } finally {
        await db.close();
      }
    };
    const seeded = async (dir: string, count: number) => {
      const store = await open(dir);
      await store.createCollection({ collectionId: 'c', faceModelVersion: '1.0', createdAt: 1 });
      const stored = randomStoredFaces(count, 7);
      await store.putFaces('c', stored);
      return { store, stored };
    };

    it('saves the index on close and loads it on reopen instead of rebuilding', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, 300);
      expect(store.capabilities.search).toBe(options.search);
      expect(store.name).toBe(options.name);
      expect((await store.searchFaces('c', stored[0].vector, { limit: 1 }))[0].face.faceId).toBe(
        stored[0].faceId,
      );
      await close(store);
      expect(existsSync(files(dir).index)).toBe(true);
      const saved = statSync(files(dir).meta).mtimeMs;
      const metaBefore = readFileSync(files(dir).meta, 'utf8');
      await pause();

      const reopened = await open(dir);
      expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
      await close(reopened);
      // Nothing changed, so nothing was rebuilt or written again.
      expect(statSync(files(dir).meta).mtimeMs).toBe(saved);
      expect(readFileSync(files(dir).meta, 'utf8')).toBe(metaBefore);
    });

    it('adds to and deletes from a reopened index', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, 200);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);
      const reopened = await open(dir);
      await reopened.searchFaces('c', stored[0].vector, { limit: 1 });
      const added = randomStoredFaces(50, 8);
      await reopened.putFaces('c', added);
      await reopened.deleteFaces('c', [stored[5].faceId]);
      expect(await selfHitRate(reopened, added)).toBe(1);
      const got = await reopened.searchFaces('c', stored[5].vector, { limit: 10 });
      expect(got.map((m) => m.face.faceId)).not.toContain(stored[5].faceId);
      await close(reopened);
      const again = await open(dir);
      expect(await selfHitRate(again, added.slice(0, 20))).toBe(1);
      expect((await again.searchFaces('c', stored[5].vector, { limit: 10 })).length).toBe(10);
    });

    it('rebuilds a deleted or corrupted index file from the database', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, 300);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);

      rmSync(files(dir).index);
      let reopened = await open(dir);
      expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
      await close(reopened);
      expect(existsSync(files(dir).index)).toBe(true);

      // Same size, different bytes in the middle (the vectors): only the checksum can tell.
      const bytes = readFileSync(files(dir).index);
      bytes.fill(0x3f, bytes.length >> 1, (bytes.length >> 1) + 4096);
      writeFileSync(files(dir).index, bytes);
      const corruptedMeta = statSync(files(dir).meta).mtimeMs;
      await pause();
      reopened = await open(dir);
      expect(await selfHitRate(reopened, stored.slice(100, 200))).toBe(1);
      await close(reopened);
      expect(statSync(files(dir).meta).mtimeMs).toBeGreaterThan(corruptedMeta);
    });

    it('catches up with faces written and deleted while its file was not saved (a crash)', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, 200);
      await store.searchFaces('c', stored[0].vector, { limit: 1 });
      await close(store);

      const added = randomStoredFaces(100, 8);
      await behindTheIndex(dir, (db) => db.putFaces('c', added));
      let reopened = await open(dir);
      expect(await selfHitRate(reopened, added.slice(0, 50))).toBe(1);
      expect(await selfHitRate(reopened, stored.slice(0, 20))).toBe(1);
      await close(reopened);

      const gone = [stored[3], added[4]];
      await behindTheIndex(dir, async (db) => {
        const ids = gone.map((f) => f.faceId);
        expect((await db.deleteFaces('c', ids)).deleted).toEqual(ids);
      });
      reopened = await open(dir);
      for (const face of gone) {
        const got = await reopened.searchFaces('c', face.vector, { limit: 300 });
        // HNSW's graph walk may miss a node or two when asked for (nearly) everything.
        if (exact) expect(got).toHaveLength(298);
        else expect(got.length).toBeGreaterThanOrEqual(290);
        expect(got.length).toBeLessThanOrEqual(298);
        expect(got.map((m) => m.face.faceId)).not.toContain(face.faceId);
      }
    });

    it('never returns a deleted face, across many deletes, saves and reopens', async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, 400);
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
        expect(all.length).toBeGreaterThanOrEqual(exact ? 250 : 240);
        for (const match of all) expect(gone.has(match.face.faceId)).toBe(false);
      };
      await check(store);
      await close(store);
      await check(await open(dir));
    });

    it(`indexes a batch of ${largeBatch.faces} faces and finds the true top 10`, async () => {
      const dir = tempDir();
      const { store, stored } = await seeded(dir, largeBatch.faces);
      let found = 0;
      for (const [i, query] of randomUnitVectors(largeBatch.queries, DIM, 99).entries()) {
        const got = await store.searchFaces('c', query, { limit: 10 });
        const top = stored
          .map((f) => ({ id: f.faceId, score: dot(query, f.vector) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        found += got.filter((m) => top.some((e) => e.id === m.face.faceId)).length;
        if (exact) expect(got.map((m) => m.face.faceId)).toEqual(top.map((e) => e.id));
        if (largeBatch.exactScores && i === 0) expect(got[0].score).toBeCloseTo(top[0].score, 6);
      }
      expect(found / (10 * largeBatch.queries)).toBeGreaterThanOrEqual(largeBatch.minRecall);
      expect(await selfHitRate(store, stored.slice(0, 100))).toBeGreaterThanOrEqual(
        largeBatch.minSelfHitRate,
      );
    }, 30_000);

    it.skipIf(otherSettings === undefined)(
      'rebuilds, not reads, a file saved with other index settings',
      async () => {
        const other = otherSettings as NonNullable<typeof otherSettings>;
        const dir = tempDir();
        const { store, stored } = await seeded(dir, 200);
        await store.searchFaces('c', stored[0].vector, { limit: 1 });
        await close(store);
        const reopened = track(await other.open(dir));
        expect(reopened.name).toBe(other.name);
        expect(await selfHitRate(reopened, stored.slice(0, 30))).toBe(1);
        await close(reopened);
        expect(JSON.parse(readFileSync(files(dir).meta, 'utf8'))).toMatchObject(other.meta);
      },
    );
  });
}
