import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';
import { deepfacePhotos as photos, realPhotoSkipReason } from './real-photo-setup.js';

const skipReason = realPhotoSkipReason(photos);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-similarity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One command in its own in-process client, as a fresh `facekit` process would run it. */
async function json(argv: string[]) {
  const run = await runToExit([...argv, '-o', 'json'], {
    env: { FACEKIT_DATA_DIR: join(dir, 'data') },
    cwd: dir,
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe.skipIf(skipReason !== '')(`Similarity in-process and served${skipReason}`, () => {
  it('is the face model calibration in both, also for searches that load no model', async () => {
    // Two photos of one person (a "Yes" pair of deepface's labels).
    await json(['collections', 'create', 'one']);
    await json(['index', 'one', join(photos, 'img1.jpg'), join(photos, 'img2.jpg')]);
    const [a, b] = (await json(['faces', 'list', 'one'])).Faces.map(
      (f: { FaceId: string }) => f.FaceId,
    );
    await json(['users', 'create', 'one', 'ana']);
    await json(['users', 'associate', 'one', 'ana', b]);

    const searchFace = ['search-face', 'one', a, '--threshold', '0'];
    const searchUsers = ['users', 'search', 'one', '--face-id', a, '--threshold', '0'];
    const calibration = ['calibration', 'one'];
    const inProcess = [await json(searchFace), await json(searchUsers)];
    // The user's vector is its one face's, up to float rounding.
    expect(inProcess[1].UserMatches[0].Similarity).toBeCloseTo(
      inProcess[0].FaceMatches[0].Similarity,
      4,
    );

    const t = fakeIo({ FACEKIT_DATA_DIR: join(dir, 'data') }, dir);
    const server: CliResult = await runCli(['serve', '--port', '0', '--log-level', 'silent'], t.io);
    if (server.kind !== 'serving') throw new Error(t.stderr());
    try {
      const endpoint = ['--endpoint', server.url];
      expect([
        await json([...searchFace, ...endpoint]),
        await json([...searchUsers, ...endpoint]),
      ]).toEqual(inProcess);
      expect(await json([...calibration, ...endpoint])).toEqual(await json(calibration));
    } finally {
      await server.close();
    }
  }, 240_000);
});
