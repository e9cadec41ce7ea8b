import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaceService, type FaceStore, type StoredFace } from '@facekit/core';
import { exportCollection, importCollection } from '@facekit/core/archive';
import { l2Normalize } from '@facekit/core/vector';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeLines } from '../src/commands/collection-archive.js';
import { runToExit } from './io.js';

const MODEL = '1.0';
const DIMENSION = 16;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-archive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic pseudo-random unit vectors (mulberry32). */
function vectors(count: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () =>
    l2Normalize(Float32Array.from({ length: DIMENSION }, next)),
  );
}

/** A collection with tags, 30 faces (some with ExternalImageId), two users with faces and one without. */
async function seed(store: FaceStore, collectionId = 'source') {
  await store.createCollection(
    { collectionId, faceModelVersion: MODEL, createdAt: 1_700_000_000_123 },
    { team: 'vision', env: 'test' },
  );
  const faces: StoredFace[] = vectors(30, 7).map((vector, i) => ({
    faceId: crypto.randomUUID(),
    imageId: crypto.randomUUID(),
    ...(i % 3 === 0 ? { externalImageId: `photo-${i}.jpg` } : {}),
    boundingBox: { width: 0.2 + i / 1000, height: 0.3, left: 0.01 * i, top: 0.05 },
    confidence: 99.5 + i / 100,
    indexFacesModelVersion: MODEL,
    createdAt: 1_700_000_001_000 + i,
    vector,
  }));
  await store.putFaces(collectionId, faces);
  for (const [userId, createdAt] of [
    ['ana', 1_700_000_002_000],
    ['bo', 1_700_000_002_500],
    ['empty', 1_700_000_003_000],
  ] as const) {
    await store.createUser(collectionId, { userId, createdAt });
  }
  await store.associateFaces(collectionId, 'ana', [faces[0].faceId, faces[4].faceId], 100);
  await store.associateFaces(collectionId, 'bo', [faces[9].faceId], 100);
  return faces.map((f) => f.faceId);
}

async function collect(lines: AsyncIterable<string>) {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** Everything observable about a collection, wire-shaped, with the vectors. */
async function snapshot(store: FaceStore, collectionId: string) {
  const service = new FaceService({ store, faceModelVersion: MODEL });
  const { CollectionARN: _arn, ...describe } = await service.execute('DescribeCollection', {
    CollectionId: collectionId,
  });
  const faces = (await service.execute('ListFaces', { CollectionId: collectionId })).Faces ?? [];
  const users = await service.execute('ListUsers', { CollectionId: collectionId });
  const stored = await store.getFaces(
    collectionId,
    faces.map((f) => f.FaceId as string),
  );
  const searches = [];
  for (const face of faces.slice(0, 5)) {
    searches.push(
      await service.execute('SearchFaces', {
        CollectionId: collectionId,
        FaceId: face.FaceId,
        FaceMatchThreshold: 0,
        MaxFaces: 10,
      }),
    );
  }
  const userSearch = await service.execute('SearchUsers', {
    CollectionId: collectionId,
    FaceId: faces[1].FaceId,
    UserMatchThreshold: 0,
  });
  return {
    describe,
    faces,
    users: users.Users,
    tags: await store.getTags(collectionId),
    vectors: stored.map((f) => Array.from(f.vector)),
    userCreated: (await store.listUsers(collectionId, { limit: 10 })).items,
    searches,
    userSearch,
  };
}

const stores: [string, () => Promise<FaceStore>][] = [
  ['memory', async () => createMemoryFaceStore()],
  [
    'sqlite',
    async () => createSqliteFaceStore({ path: join(dir, `${crypto.randomUUID()}.sqlite`) }),
  ],
];

describe.each(stores)('collection export/import on the %s store', (_name, open) => {
  it('round-trips faces, users, tags and vectors: same searches before and after', async () => {
    const source = await open();
    const target = await open();
    try {
      await seed(source);
      const lines = await collect(exportCollection(source, 'source', { batchSize: 7 }));
      expect(lines).toHaveLength(1 + 3 + 30);
      expect(JSON.parse(lines[0])).toMatchObject({
        Format: 'facekit-collection',
        FormatVersion: 2,
        CollectionId: 'source',
        FaceModelVersion: MODEL,
        VectorDimension: DIMENSION,
        CreationTimestamp: 1_700_000_000.123,
        Tags: { team: 'vision', env: 'test' },
        FaceCount: 30,
        UserCount: 3,
        SeparationCount: 0,
      });

      const result = await importCollection(target, lines, {
        faceModelVersion: MODEL,
        vectorDimension: DIMENSION,
        batchSize: 4,
      });
      expect(result).toEqual({
        collectionId: 'source',
        faceCount: 30,
        userCount: 3,
        separationCount: 0,
      });
      expect(await snapshot(target, 'source')).toEqual(await snapshot(source, 'source'));

      // Into another id of the same store, from an async iterable.
      await importCollection(source, exportCollection(target, 'source'), {
        collectionId: 'copy',
        faceModelVersion: MODEL,
      });
      const copy = await snapshot(source, 'copy');
      const original = await snapshot(source, 'source');
      expect(copy.faces).toEqual(original.faces);
      expect(copy.searches).toEqual(original.searches);
      expect(copy.describe).toEqual({ ...original.describe });
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('carries "not this person" decisions, and still reads version 1 archives', async () => {
    const source = await open();
    const target = await open();
    try {
      const ids = await seed(source);
      await source.putFaceSeparations('source', [
        { faceId: ids[1], otherFaceId: ids[2] },
        { faceId: ids[3], otherFaceId: ids[1] },
        { faceId: ids[5], userId: 'ana' },
        { faceId: ids[6], userId: 'empty' },
      ]);
      const lines = await collect(exportCollection(source, 'source', { batchSize: 7 }));
      expect(lines).toHaveLength(1 + 3 + 30 + 4);
      expect(JSON.parse(lines[0]).SeparationCount).toBe(4);
      const decisions = lines.slice(34).map((l) => JSON.parse(l));
      expect(decisions.every((d) => d.Type === 'Separation')).toBe(true);
      // Pairs of faces first, then face–user decisions, each group by FaceId: a stable file.
      expect(decisions.map((d) => (d.UserId === undefined ? 'pair' : 'user'))).toEqual([
        'pair',
        'pair',
        'user',
        'user',
      ]);
      const byFace = (x: { FaceId: string }, y: { FaceId: string }) =>
        x.FaceId < y.FaceId ? -1 : 1;
      expect(decisions.slice(2)).toEqual(
        [
          { Type: 'Separation', FaceId: ids[5], UserId: 'ana' },
          { Type: 'Separation', FaceId: ids[6], UserId: 'empty' },
        ].sort(byFace),
      );

      // A batch of 1: every decision is checked and written on its own.
      const result = await importCollection(target, lines, {
        faceModelVersion: MODEL,
        batchSize: 1,
      });
      expect(result.separationCount).toBe(4);
      const sorted = async (store: FaceStore, id: string) =>
        (await store.listFaceSeparations(id)).map((s) => JSON.stringify(s)).sort();
      expect(await sorted(target, 'source')).toEqual(await sorted(source, 'source'));
      // And ClusterFaces reads them there: the same answer from both stores.
      const cluster = (store: FaceStore) =>
        new FaceService({ store, faceModelVersion: MODEL }).clusterFaces({
          CollectionId: 'source',
          SimilarityThreshold: 0,
          MinClusterSize: 1,
        });
      expect(await cluster(target)).toEqual(await cluster(source));

      // Version 1 (written before decisions were carried): no count, no decisions.
      const header = JSON.parse(lines[0]);
      const { SeparationCount: _count, ...v1 } = { ...header, FormatVersion: 1 };
      const old = await importCollection(target, [JSON.stringify(v1), ...lines.slice(1, 34)], {
        collectionId: 'old',
        faceModelVersion: MODEL,
      });
      expect(old).toMatchObject({ faceCount: 30, separationCount: 0 });
      expect(await target.listFaceSeparations('old')).toEqual([]);
    } finally {
      await source.close();
      await target.close();
    }
  });

  describe('refuses, and changes nothing', () => {
    let source: FaceStore;
    let target: FaceStore;
    let lines: string[];
    beforeEach(async () => {
      source = await open();
      target = await open();
      await seed(source);
      lines = await collect(exportCollection(source, 'source'));
    });
    afterEach(async () => {
      await source.close();
      await target.close();
    });

    async function expectRefused(input: string[], error: RegExp, options = {}) {
      await expect(
        importCollection(target, input, { faceModelVersion: MODEL, ...options }),
      ).rejects.toThrow(error);
      expect((await target.listCollections({ limit: 10 })).items).toEqual([]);
    }

    const face = (i: number) => JSON.parse(lines[4 + i]);
    const withLine = (index: number, line: string) => lines.map((l, i) => (i === index ? line : l));

    it('another face model or vector dimension', async () => {
      await expectRefused(lines, /face model 1\.0; this service runs 2\.0/, {
        faceModelVersion: '2.0',
      });
      await expectRefused(lines, /16 dimensions; face model 1\.0 here has 512/, {
        vectorDimension: 512,
      });
    });

    it('corrupt lines, wherever they are', async () => {
      await expectRefused(withLine(20, lines[20].slice(0, 40)), /^line 21: not a JSON object/);
      await expectRefused(
        withLine(33, JSON.stringify({ ...face(29), Vector: 'AAAAAA==' })),
        /line 34: face .* Vector has 1 dimensions, the header says 16/,
      );
      await expectRefused(
        withLine(10, JSON.stringify({ ...face(6), FaceId: 'not a uuid' })),
        /line 11: .*faceId.*pattern/,
      );
      await expectRefused(
        withLine(12, JSON.stringify({ ...face(8), UserId: 'ghost' })),
        /line 13: user ghost is not declared/,
      );
      await expectRefused(
        withLine(15, JSON.stringify({ ...face(11), IndexFacesModelVersion: '2.0' })),
        /line 16: .*face model 2\.0/,
      );
      await expectRefused(withLine(0, '{"Format":"something-else"}'), /line 1: not a facekit/);
      await expectRefused(
        lines.slice(0, -1),
        /header announces 30 faces and 3 users, the file has 29/,
      );
      await expectRefused(
        [...lines, lines[5]],
        /ConflictException|exists|repeat|duplicate|line 35/i,
      );
      await expectRefused([], /empty/);
    });

    it('decisions that are malformed, out of place, or name faces not in the archive', async () => {
      const [a, b] = [face(1).FaceId, face(2).FaceId];
      const header = { ...JSON.parse(lines[0]), SeparationCount: 1 };
      const withDecision = (decision: unknown, at = lines.length) => [
        JSON.stringify(header),
        ...lines.slice(1, at),
        JSON.stringify({ Type: 'Separation', ...(decision as object) }),
        ...lines.slice(at),
      ];
      await expectRefused(
        withDecision({ FaceId: a, OtherFaceId: '00000000-0000-4000-8000-000000000000' }),
        /line 35: the separation names face 00000000-0000-4000-8000-000000000000, which is not in the archive/,
      );
      await expectRefused(withDecision({ FaceId: a, UserId: 'ghost' }), /line 35: user ghost/);
      await expectRefused(
        withDecision({ FaceId: a, OtherFaceId: b, UserId: 'ana' }),
        /line 35: a separation names exactly one of OtherFaceId and UserId/,
      );
      await expectRefused(withDecision({ FaceId: a, OtherFaceId: a }), /line 35: .*itself/);
      await expectRefused(
        withDecision({ FaceId: a, OtherFaceId: b }, 20),
        /line 22: users and faces must come before separations/,
      );
      // The count in the header must match, as for faces and users.
      await expectRefused(
        [JSON.stringify(header), ...lines.slice(1)],
        /header announces 1 separations, the file has 0/,
      );
      // Version 1 knows no decisions.
      await expectRefused(
        [
          JSON.stringify({ ...JSON.parse(lines[0]), FormatVersion: 1 }),
          ...lines.slice(1),
          JSON.stringify({ Type: 'Separation', FaceId: a, OtherFaceId: b }),
        ],
        /line 35: unknown Type "Separation" \(expected "User" or "Face"\)/,
      );
    });

    it('an existing collection id, which stays as it was', async () => {
      await seed(target, 'taken');
      await expect(
        importCollection(target, lines, { collectionId: 'taken', faceModelVersion: MODEL }),
      ).rejects.toMatchObject({
        name: 'ResourceAlreadyExistsException',
        message: expect.stringMatching(/taken already exists/),
      });
      expect((await target.describeCollection('taken')).faceCount).toBe(30);
    });
  });
});

describe('facekit collections export / import', () => {
  const facekit = (argv: string[], env: Record<string, string> = {}) =>
    runToExit(argv, {
      env: { FACEKIT_FACE_MODEL: MODEL, FACEKIT_DATA_DIR: join(dir, 'data'), ...env },
      cwd: dir,
    });

  it('a file that cannot be written fails the export with its error, not the process', async () => {
    const { mkdir } = await import('node:fs/promises');
    // The temporary file's name is taken by a directory: the stream's open fails (EISDIR) while
    // the export waits for the store's next line; unhandled, that 'error' event ends the process.
    await mkdir(join(dir, 'family.jsonl.partial'));
    async function* slowLines() {
      yield '{"Type":"Header"}';
      await new Promise((r) => setTimeout(r, 200));
      yield '{"Type":"Face"}';
    }
    await expect(writeLines(join(dir, 'family.jsonl'), slowLines())).rejects.toMatchObject({
      code: 'EISDIR',
    });
  });

  it('exports to a file and imports it under another id, on the data directory', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'data'), { recursive: true });
    const store = await createSqliteFaceStore({ path: join(dir, 'data', 'facekit.sqlite') });
    await seed(store, 'family');
    await store.close();

    const exported = await facekit(['collections', 'export', 'family', '--file', 'family.jsonl']);
    expect(exported).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('30 faces, 3 users'),
    });
    const file = await readFile(join(dir, 'family.jsonl'), 'utf8');
    expect(file.trimEnd().split('\n')).toHaveLength(34);

    const toStdout = await facekit(['collections', 'export', 'family']);
    expect(toStdout.stdout).toBe(file);

    const imported = await facekit([
      'collections',
      'import',
      'family.jsonl',
      '--collection-id',
      'family-copy',
      '--output',
      'json',
    ]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({
      CollectionId: 'family-copy',
      FaceCount: 30,
      UserCount: 3,
      SeparationCount: 0,
    });
    const again = await facekit(['collections', 'import', 'family.jsonl']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ResourceAlreadyExistsException: .*family already exists/);
    expect(again.stderr).toContain(
      'import it under a new id with --collection-id, e.g. facekit collections import family.jsonl --collection-id family-copy',
    );

    const list = await facekit(['faces', 'list', 'family-copy', '--output', 'json']);
    const original = await facekit(['faces', 'list', 'family', '--output', 'json']);
    expect(JSON.parse(list.stdout).Faces).toEqual(JSON.parse(original.stdout).Faces);

    await writeFile(
      join(dir, 'other-model.jsonl'),
      file.replace('"FaceModelVersion":"1.0"', '"FaceModelVersion":"9.9"'),
    );
    const refused = await facekit([
      'collections',
      'import',
      'other-model.jsonl',
      '--collection-id',
      'x',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/face model 9\.9; this service runs 1\.0/);
  });

  it('says clearly that it does not work over the API', async () => {
    const result = await facekit(['collections', 'export', 'family'], {
      FACEKIT_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not over the Rekognition API/);
  });
});
