import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';
import { deepfacePhotos as photos, realPhotoSkipReason } from './real-photo-setup.js';

// Three people of deepface's labelled photos (its "Yes" pairs), four photos each, and one more
// photo of the third.
const people = [
  ['img38.jpg', 'img39.jpg', 'img40.jpg', 'img41.jpg'],
  ['img3.jpg', 'img12.jpg', 'img53.jpg', 'img54.jpg'],
  ['img1.jpg', 'img2.jpg', 'img4.jpg', 'img5.jpg'],
];
const later = 'img7.jpg';
const personOf = new Map(people.flatMap((files, person) => files.map((f) => [f, person])));
personOf.set(later, 2);

const skipReason = realPhotoSkipReason(photos);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-people-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[]) =>
  runToExit(argv, { env: { FACEKIT_DATA_DIR: join(dir, 'data') }, cwd: dir });

async function json(argv: string[]) {
  const run = await facekit([...argv, '-o', 'json']);
  // `index` reports progress on stderr; everything else is quiet there.
  if (argv[0] !== 'index') expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

describe.skipIf(skipReason !== '')(`facekit people on real photos${skipReason}`, () => {
  it('clusters three people, names one, adds a new photo to it, and serves the same', async () => {
    await mkdir(join(dir, 'photos'));
    for (const file of people.flat()) await copyFile(join(photos, file), join(dir, 'photos', file));
    await json(['collections', 'create', 'family']);
    await json(['index', 'family', join(dir, 'photos')]);
    const faces = await json(['faces', 'list', 'family']);
    const fileOf = new Map<string, string>(
      faces.Faces.map((f: { FaceId: string; ExternalImageId: string }) => [
        f.FaceId,
        f.ExternalImageId,
      ]),
    );
    const personOfFace = (faceId: string) => personOf.get(fileOf.get(faceId) ?? '');

    const first = await json(['people', 'cluster', 'family']);
    const groups = first.Clusters.map((c: { FaceIds: string[] }) =>
      [...new Set(c.FaceIds.map(personOfFace))].sort(),
    );
    // Never two people in one cluster (precision); each person in one cluster (recall).
    expect(groups.every((g: number[]) => g.length === 1)).toBe(true);
    expect(groups.flat().sort()).toEqual([0, 1, 2]);
    expect(first.UnclusteredFaceCount).toBe(faces.Faces.length - 12);

    const third = first.Clusters.find(
      (c: { FaceIds: string[] }) => personOfFace(c.FaceIds[0]) === 2,
    );
    const named = await facekit(['people', 'name', 'family', 'ana', ...third.FaceIds]);
    expect(named).toMatchObject({ code: 0, stderr: '' });
    await copyFile(join(photos, later), join(dir, 'photos', later));
    await json(['index', 'family', join(dir, 'photos', later)]);
    const again = await json(['people', 'cluster', 'family']);
    const ana = again.Clusters.find((c: { UserId?: string }) => c.UserId === 'ana');
    expect(ana.UserFaceCount).toBe(4);
    expect(ana.FaceIds).toHaveLength(1);
    expect(fileOf.get(ana.FaceIds[0]) ?? later).toBe(later);
    expect(again.Clusters).toHaveLength(3);

    // With its face models: Similarity is their calibration.
    const t = fakeIo({ FACEKIT_DATA_DIR: join(dir, 'data') }, dir);
    const server: CliResult = await runCli(['serve', '--port', '0', '--log-level', 'silent'], t.io);
    if (server.kind !== 'serving') throw new Error(t.stderr());
    try {
      expect(await json(['people', 'cluster', 'family', '--endpoint', server.url])).toEqual(again);
    } finally {
      await server.close();
    }
  }, 240_000);

  it('"not this person" is listed and taken back (separate --undo), through a server too', async () => {
    const cluster = async (endpoint: string[] = []) =>
      (await json(['people', 'cluster', 'family', ...endpoint])).Clusters.find(
        (c: { UserId?: string }) => c.UserId === 'ana',
      );
    const [newFace] = (await cluster()).FaceIds;
    expect(
      await facekit(['people', 'separate', 'family', newFace, '--user', 'ana', '-o', 'table']),
    ).toMatchObject({ code: 0, stdout: 'Separated 1 faces\n' });
    expect(await cluster()).toBeUndefined();
    expect(await json(['people', 'separations', 'family'])).toEqual({
      Separations: [{ FaceId: newFace, UserId: 'ana' }],
    });
    const table = await facekit([
      'people',
      'separations',
      'family',
      '--user',
      'ana',
      '-o',
      'table',
    ]);
    expect(table.stdout).toContain(newFace);
    expect(table.stdout).toContain('user ana');

    const t = fakeIo({ FACEKIT_DATA_DIR: join(dir, 'data') }, dir);
    const server: CliResult = await runCli(['serve', '--port', '0', '--log-level', 'silent'], t.io);
    if (server.kind !== 'serving') throw new Error(t.stderr());
    try {
      const endpoint = ['--endpoint', server.url];
      const undo = [
        'people',
        'separate',
        'family',
        newFace,
        '--user',
        'ana',
        '--undo',
        '-o',
        'table',
        ...endpoint,
      ];
      expect(await facekit(undo)).toMatchObject({
        code: 0,
        stdout: `Took back 1 decision: ${newFace} not user ana\n`,
      });
      expect(await facekit(undo)).toMatchObject({
        code: 0,
        stdout: 'Took back 0 decisions (none was recorded)\n',
      });
      expect(await json(['people', 'separations', 'family', ...endpoint])).toEqual({
        Separations: [],
      });
      expect((await cluster(endpoint)).FaceIds).toEqual([newFace]);
    } finally {
      await server.close();
    }
  }, 120_000);
});
