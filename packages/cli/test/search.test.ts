import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';
import { realPhotoSkipReason, samplePhotosDir } from './real-photo-setup.js';

const samples = samplePhotosDir();
const skipReason = realPhotoSkipReason();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-search-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[]) =>
  runToExit(argv, { env: { FACEKIT_DATA_DIR: join(dir, 'data') }, cwd: dir });

it('--output csv is only for the commands that have it', async () => {
  const t = fakeIo({ FACEKIT_FACE_MODEL: 'none', FACEKIT_DATA_DIR: join(dir, 'none') }, dir);
  const run = await runCli(['collections', 'list', '--output', 'csv'], t.io);
  expect(run).toMatchObject({ exitCode: 2 });
  expect(t.stderr()).toBe("facekit: invalid --output 'csv': expected table, json, jsonl\n");
  // FACEKIT_OUTPUT=csv, set for search, leaves the other commands printing JSON.
  const fromEnv = fakeIo(
    { FACEKIT_FACE_MODEL: 'none', FACEKIT_DATA_DIR: join(dir, 'none'), FACEKIT_OUTPUT: 'csv' },
    dir,
  );
  expect(await runCli(['collections', 'list'], fromEnv.io)).toMatchObject({ exitCode: 0 });
  expect(JSON.parse(fromEnv.stdout())).toEqual({ CollectionIds: [], FaceModelVersions: [] });
});

describe.skipIf(skipReason !== '')(`facekit search on many photos${skipReason}`, () => {
  const photos = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg'];
  beforeAll(async () => {
    await mkdir(join(dir, 'known'), { recursive: true });
    await mkdir(join(dir, 'query/more'), { recursive: true });
    await copyFile(join(samples, 'sample1.jpg'), join(dir, 'known/sample1.jpg'));
    for (const name of photos) await copyFile(join(samples, name), join(dir, 'query', name));
    await rename(join(dir, 'query/sample3.jpg'), join(dir, 'query/more/sample3.jpg'));
    // A photo without a face, and a file that is not an image.
    const gray = sharp({ create: { width: 200, height: 160, channels: 3, background: '#777' } });
    await writeFile(join(dir, 'query/empty.png'), await gray.png().toBuffer());
    await writeFile(join(dir, 'query/broken.jpg'), 'not an image');
    expect((await facekit(['collections', 'create', 'friends'])).code).toBe(0);
    expect((await facekit(['index', 'friends', 'known', '-q'])).code).toBe(0);
  }, 120_000);

  it('prints one jsonl line per file, with its face count, in file order', async () => {
    const run = await facekit(['search', 'friends', 'query', '--output', 'jsonl']);
    expect(run.code).toBe(1); // broken.jpg
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.File)).toEqual([
      'query/broken.jpg',
      'query/empty.png',
      'query/more/sample3.jpg',
      'query/sample1.jpg',
      'query/sample2.jpg',
    ]);
    expect(lines[0].Error).toMatch(/^InvalidImageFormatException: /);
    expect(lines[1]).toMatchObject({ FaceCount: 0, FaceMatches: [] });
    // The counts are DetectFaces' on the same photos.
    for (const line of lines.slice(2)) {
      const detected = await facekit(['detect', line.File, '-o', 'json']);
      expect(line.FaceCount).toBe(JSON.parse(detected.stdout).FaceDetails.length);
    }
    // sample1 finds itself; sample3's largest face is also in sample1 (README example).
    const self = lines[3];
    expect(self.FaceMatches[0].Similarity).toBeGreaterThan(99);
    expect(self.FaceMatches[0].Face.ExternalImageId).toBe('sample1.jpg');
    expect(lines[2].FaceMatches[0].Face.ExternalImageId).toBe('sample1.jpg');
    expect(run.stderr).toMatch(
      /^Note: \d of 5 photos have more than one face; SearchFacesByImage searches the largest face only; facekit who names every face of a photo\.\n$/m,
    );
  }, 120_000);

  it('prints csv with a header, and a table', async () => {
    const csv = await facekit([
      'search',
      'friends',
      'query/sample1.jpg',
      'query/more',
      '-o',
      'csv',
    ]);
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toBe(
      'file,faces,searched_left,searched_top,searched_width,searched_height,searched_confidence,matches,best_similarity,best_face_id,best_external_image_id,best_user_id,error',
    );
    expect(rows).toHaveLength(2);
    // The searched box in ratios, then the best match; no user, no error.
    expect(rows[0]).toMatch(
      /^query\/sample1\.jpg,\d+,(0\.\d{4},){4}[\d.]+,\d+,[\d.]+,[0-9a-f-]{36},sample1\.jpg,,$/,
    );
    const table = await facekit([
      'search',
      'friends',
      'query/sample1.jpg',
      'query/more',
      '-o',
      'table',
      '--draw',
      'drawn',
    ]);
    // --draw with many images is a folder: one picture per photo, named as index names them.
    for (const name of ['sample1.jpg', 'sample3.jpg']) {
      expect((await sharp(join(dir, 'drawn', name)).metadata()).format).toBe('jpeg');
    }
    expect(table.stdout).toMatch(/^File +Faces +Best match +Similarity +FaceId +Matches\n/);
    expect(table.stdout).toMatch(/\nquery\/sample1\.jpg +\d+ +sample1\.jpg +\d+\.\d%/);
  }, 120_000);

  it('keeps the single-photo answer, and says how many faces were there', async () => {
    const json = await facekit(['search', 'friends', 'query/sample1.jpg', '-o', 'json']);
    const response = JSON.parse(json.stdout);
    expect(response.FaceMatches[0].Similarity).toBeGreaterThan(99);
    expect(response.FaceCount).toBeUndefined(); // the Rekognition response, unchanged
    const table = await facekit(['search', 'friends', 'query/sample1.jpg', '-o', 'table']);
    expect(table.stdout).toMatch(
      /^Faces in the photo: +\d+ \(SearchFacesByImage searches the largest face only; /,
    );
  }, 120_000);
});
