import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { createFileSourceImageStore, runCli } from '@facekit/cli';
import { reindexCollection } from '@facekit/core/reindex';
import { createNodeFaceAnalyzer, faceModels } from '@facekit/pipeline-node';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * Image retention and re-indexing on real photos with the real models, through the `facekit`
 * command (in-process on a temporary data directory): index with face model 1.0 keeping the
 * images, stop a re-index to 2.0 after one image, finish it with `facekit collections reindex`,
 * and search the new collection. The photos are the samples of `@vladmandic/face-api`.
 */
const modelsDist = join(repoRoot, 'models/dist');
const modelsBuilt = ['1.0', '2.0'].every((v) =>
  Object.values(faceModels[v as '1.0' | '2.0']).every((id) =>
    existsSync(join(modelsDist, `${id}.onnx`)),
  ),
);
const samplesDir = faceApiSamplesDir;
const sample = (n: number) => join(samplesDir, `sample${n}.jpg`);

let dataDir: string;

async function facekit(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const result = await runCli([...argv, '--data-dir', dataDir], {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env: {},
    cwd: dataDir,
  });
  return {
    code: result.kind === 'exit' ? result.exitCode : -1,
    out: out.join(''),
    err: err.join(''),
  };
}

const json = async (argv: string[]) => {
  const run = await facekit([...argv, '--output', 'json']);
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out);
};

const keptImages = () =>
  existsSync(join(dataDir, 'images')) ? readdirSync(join(dataDir, 'images')).sort() : [];

describe.skipIf(!modelsBuilt)(
  'collections reindex on real photos (1.0 → 2.0)',
  { timeout: 120_000 },
  () => {
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'facekit-reindex-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('keeps each indexed image once, only with --keep-source-images', async () => {
      await json(['collections', 'create', 'friends']);
      const index = await facekit([
        'index',
        'friends',
        sample(1),
        sample(3),
        '--keep-source-images',
        '--quiet',
      ]);
      expect(index.code, index.err).toBe(0);
      expect(keptImages()).toHaveLength(2);
      expect(keptImages().every((name) => /^[0-9a-f-]{36}\.jpg$/.test(name))).toBe(true);
      await json(['collections', 'create', 'plain']);
      expect((await facekit(['index', 'plain', sample(2), '--quiet'])).code).toBe(0);
      expect(keptImages()).toHaveLength(2);
    });

    it('deletes a kept image with the last face of it', async () => {
      await json(['collections', 'create', 'temp']);
      await facekit(['index', 'temp', sample(4), '--keep-source-images', '--quiet']);
      expect(keptImages()).toHaveLength(3);
      await json(['collections', 'delete', 'temp']);
      expect(keptImages()).toHaveLength(2);
    });

    it('resumes an interrupted re-index, and the new collection finds the same FaceIds', async () => {
      const before = await json(['faces', 'list', 'friends']);
      const faces = before.Faces as { FaceId: string; ImageId: string; ExternalImageId: string }[];
      expect(faces.length).toBeGreaterThanOrEqual(4);
      await json(['users', 'create', 'friends', 'ana']);
      await json(['users', 'associate', 'friends', 'ana', faces[0].FaceId]);

      // A first run stopped after its first image (as Ctrl-C would).
      const store = await createSqliteFaceStore({ path: join(dataDir, 'facekit.sqlite') });
      const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '2.0' });
      const stop = { aborted: false };
      const first = await reindexCollection({
        store,
        sourceImages: createFileSourceImageStore(join(dataDir, 'images')),
        analyzer,
        sourceCollectionId: 'friends',
        targetCollectionId: 'friends-v2.0',
        signal: stop,
        onImage: () => {
          stop.aborted = true;
        },
      });
      await analyzer.close();
      await store.close();
      expect(first.complete).toBe(false);
      expect(first.reindexed).toBeGreaterThan(0);
      expect(first.reindexed).toBeLessThan(faces.length);

      // The command continues it.
      const progress = await facekit([
        'collections',
        'reindex',
        'friends',
        '--face-model',
        '2.0',
        '--output',
        'table',
      ]);
      expect(progress.code, progress.err).toBe(0);
      expect(progress.err).toMatch(/already in friends-v2\.0: continuing/);
      expect(progress.err).toMatch(/\[1\/1\] sample\d\.jpg: \d+ faces re-indexed/);
      expect(progress.out).toMatch(/Faces re-indexed:\s+\d+/);

      const after = await json(['faces', 'list', 'friends-v2.0']);
      expect(after.FaceModelVersion).toBe('2.0');
      const reindexed = after.Faces as typeof faces & { IndexFacesModelVersion: string }[];
      expect(reindexed.map((f) => f.FaceId).sort()).toEqual(faces.map((f) => f.FaceId).sort());
      for (const face of reindexed) {
        const old = faces.find((f) => f.FaceId === face.FaceId);
        expect(face.ImageId).toBe(old?.ImageId);
        expect(face.ExternalImageId).toBe(old?.ExternalImageId);
      }
      expect(reindexed.find((f) => f.FaceId === faces[0].FaceId)).toMatchObject({ UserId: 'ana' });

      // Searching with a photo finds the same faces in both collections, each with its own model.
      const old = await json(['search', 'friends', sample(3)]);
      const fresh = await json(['search', 'friends-v2.0', sample(3)]);
      expect(old.FaceModelVersion).toBe('1.0');
      expect(fresh.FaceModelVersion).toBe('2.0');
      const ids = (r: { FaceMatches: { Face: { FaceId: string } }[] }) =>
        r.FaceMatches.map((m) => m.Face.FaceId).sort();
      expect(ids(fresh).length).toBeGreaterThanOrEqual(2); // sample3's own face and sample1's
      expect(ids(fresh)).toEqual(ids(old));

      // A rerun has nothing left to do.
      const again = await json(['collections', 'reindex', 'friends', '--face-model', '2.0']);
      expect(again).toMatchObject({ Complete: true, Reindexed: 0, AlreadyPresent: faces.length });
    });

    it('explains that the images were not kept', async () => {
      const run = await facekit(['collections', 'reindex', 'plain', '--face-model', '2.0']);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/no source image of collection plain was kept/);
      expect(run.err).toMatch(/--keep-source-images/);
      const collections = await json(['collections', 'list']);
      expect(collections.CollectionIds).not.toContain('plain-v2.0');
    });

    it('facekit serve --keep-source-images keeps what IndexFaces receives, until its faces go', async () => {
      const serverDir = mkdtempSync(join(tmpdir(), 'facekit-keep-'));
      const started = await runCli(
        [
          'serve',
          '--port',
          '0',
          '--data-dir',
          serverDir,
          '--keep-source-images',
          '--log-level',
          'silent',
        ],
        { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: serverDir },
      );
      if (started.kind !== 'serving') throw new Error('facekit serve did not start');
      const client = new RekognitionClient({
        endpoint: started.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      try {
        await client.send(new CreateCollectionCommand({ CollectionId: 'kept' }));
        const bytes = new Uint8Array(readFileSync(sample(1)));
        const indexed = await client.send(
          new IndexFacesCommand({ CollectionId: 'kept', Image: { Bytes: bytes } }),
        );
        const imageId = indexed.FaceRecords?.[0]?.Face?.ImageId;
        const file = join(serverDir, 'images', `${imageId}.jpg`);
        expect(readFileSync(file).equals(Buffer.from(bytes))).toBe(true);
        await client.send(
          new DeleteFacesCommand({
            CollectionId: 'kept',
            FaceIds: (indexed.FaceRecords ?? []).map((r) => r.Face?.FaceId as string),
          }),
        );
        expect(existsSync(file)).toBe(false);
      } finally {
        client.destroy();
        await started.close();
        rmSync(serverDir, { recursive: true, force: true });
      }
    });

    it('is not available against a server, and needs --face-model', async () => {
      const remote = await facekit([
        'collections',
        'reindex',
        'friends',
        '--face-model',
        '2.0',
        '--endpoint',
        'http://127.0.0.1:9',
      ]);
      expect(remote.code).toBe(2);
      expect(remote.err).toMatch(/not available with --endpoint/);
      const noModel = await facekit(['collections', 'reindex', 'friends']);
      expect(noModel.code).toBe(2);
      expect(noModel.err).toMatch(/--face-model <version> is required/);
    });
  },
);
