import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUnitVectors } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaissFaceStore, type FaissIndexKind, faissUnavailableReason } from '../src/index.js';

const unavailable = faissUnavailableReason();

const DIM = 64;
const dirs: string[] = [];
const stores: FaceStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = join(tmpdir(), `facekit-faiss-test-${randomUUID()}`);
  dirs.push(dir);
  return dir;
}

async function open(dir: string, index: FaissIndexKind): Promise<FaceStore> {
  const store = await createFaissFaceStore({ dir, index });
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

async function seeded(dir: string, index: FaissIndexKind, count: number) {
  const store = await open(dir, index);
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
  index: join(dir, 'faiss', 'collection-1.faiss'),
  meta: join(dir, 'faiss', 'collection-1.json'),
});

describe.skipIf(unavailable !== undefined).each(['flat', 'hnsw'] as const)('faiss %s', (kind) => {
  it('saves the index on close and loads it on reopen instead of rebuilding', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, kind, 300);
    expect((await store.searchFaces('c', stored[0].vector, { limit: 1 }))[0].face.faceId).toBe(
      stored[0].faceId,
    );
    await close(store);
    expect(existsSync(files(dir).index)).toBe(true);
    const saved = statSync(files(dir).meta).mtimeMs;
    const metaBefore = readFileSync(files(dir).meta, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 20));

    const reopened = await open(dir, kind);
    expect(store.capabilities.search).toBe(kind === 'flat' ? 'exact' : 'approximate');
    expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
    await close(reopened);
    // Nothing changed, so nothing was rebuilt or written again.
    expect(statSync(files(dir).meta).mtimeMs).toBe(saved);
    expect(readFileSync(files(dir).meta, 'utf8')).toBe(metaBefore);
  });

  it('rebuilds a deleted or corrupted index file from the database', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, kind, 300);
    await store.searchFaces('c', stored[0].vector, { limit: 1 });
    await close(store);

    rmSync(files(dir).index);
    let reopened = await open(dir, kind);
    expect(await selfHitRate(reopened, stored.slice(0, 50))).toBe(1);
    await close(reopened);
    expect(existsSync(files(dir).index)).toBe(true);

    // Same size, different bytes in the middle (the vectors): only the checksum can tell.
    const bytes = readFileSync(files(dir).index);
    bytes.fill(0x3f, bytes.length >> 1, (bytes.length >> 1) + 4096);
    writeFileSync(files(dir).index, bytes);
    const corruptedMeta = statSync(files(dir).meta).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    reopened = await open(dir, kind);
    expect(await selfHitRate(reopened, stored.slice(100, 200))).toBe(1);
    await close(reopened);
    expect(statSync(files(dir).meta).mtimeMs).toBeGreaterThan(corruptedMeta);
  });

  it('catches up with faces written and deleted while its file was not saved (a crash)', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, kind, 200);
    await store.searchFaces('c', stored[0].vector, { limit: 1 });
    await close(store);

    // Writes the index never saw, as after a crash before the index was saved.
    const sqlite = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
    const added = faces(100, 8);
    await sqlite.putFaces('c', added);
    await sqlite.close();

    let reopened = await open(dir, kind);
    expect(await selfHitRate(reopened, added.slice(0, 50))).toBe(1);
    expect(await selfHitRate(reopened, stored.slice(0, 20))).toBe(1);
    await close(reopened);

    const sqlite2 = await createSqliteFaceStore({ path: join(dir, 'facekit.sqlite') });
    const gone = [stored[3], added[4]].map((f) => f.faceId);
    expect((await sqlite2.deleteFaces('c', gone)).deleted).toEqual(gone);
    await sqlite2.close();

    reopened = await open(dir, kind);
    for (const face of [stored[3], added[4]]) {
      const got = await reopened.searchFaces('c', face.vector, { limit: 300 });
      // HNSW's graph walk may miss a node or two when asked for (nearly) everything.
      if (kind === 'flat') expect(got).toHaveLength(298);
      else expect(got.length).toBeGreaterThanOrEqual(290);
      expect(got.map((m) => m.face.faceId)).not.toContain(face.faceId);
    }
  });

  it('never returns a deleted face, across many deletes, saves and reopens', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, kind, 400);
    await store.searchFaces('c', stored[0].vector, { limit: 1 });
    // 150 of 400: past HNSW's tombstone rebuild threshold (20%).
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
      expect(all.length).toBeGreaterThanOrEqual(kind === 'flat' ? 250 : 240);
      for (const match of all) expect(gone.has(match.face.faceId)).toBe(false);
    };
    await check(store);
    await close(store);
    await check(await open(dir, kind));
  });

  it('indexes a large batch and searches it', async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, kind, kind === 'flat' ? 5000 : 3000);
    const [query] = randomUnitVectors(1, DIM, 99);
    const got = await store.searchFaces('c', query, { limit: 10 });
    const exact = stored
      .map((f) => ({ id: f.faceId, score: dot(query, f.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    const found = got.filter((m) => exact.some((e) => e.id === m.face.faceId)).length;
    if (kind === 'flat') expect(got.map((m) => m.face.faceId)).toEqual(exact.map((e) => e.id));
    else expect(found).toBeGreaterThanOrEqual(9);
    expect(await selfHitRate(store, stored.slice(0, 100))).toBeGreaterThanOrEqual(0.99);
  });
});

it.skipIf(unavailable !== undefined)(
  'keeps SQLite the source of truth: a flat index file is rebuilt as HNSW when the kind changes',
  async () => {
    const dir = tempDir();
    const { store, stored } = await seeded(dir, 'flat', 200);
    await store.searchFaces('c', stored[0].vector, { limit: 1 });
    await close(store);
    const hnsw = await open(dir, 'hnsw');
    expect(hnsw.name).toBe('faiss-hnsw');
    expect(await selfHitRate(hnsw, stored.slice(0, 30))).toBe(1);
    expect(JSON.parse(readFileSync(files(dir).meta, 'utf8')).kind).toBe('hnsw');
  },
);
