import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, drawFaces, runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';
import { realPhotoSkipReason, samplePhotosDir } from './real-photo-setup.js';

const samples = samplePhotosDir();
const skipReason = realPhotoSkipReason();
const fontPresent = existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-images-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[], options: { tty?: boolean } = {}) =>
  runToExit(argv, { env: { FACEKIT_DATA_DIR: join(dir, 'data') }, cwd: dir, tty: options.tty });

/** RGB of one pixel of an image file. */
async function pixel(path: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

describe.skipIf(!fontPresent)(
  `drawn labels${fontPresent ? '' : ' (skipped: no DejaVu font; apt-get install fonts-dejavu-core)'}`,
  () => {
    it('renders box and label text (black glyphs on the label)', async () => {
      const gray = await sharp({
        create: { width: 400, height: 300, channels: 3, background: '#808080' },
      })
        .png()
        .toBuffer();
      const out = join(dir, 'label.png');
      const box = { Left: 0.25, Top: 0.3, Width: 0.5, Height: 0.5 };
      await drawFaces(new Uint8Array(gray), [{ box, label: 'WWWWWWWW 99.9%' }], out, dir);
      // The box's left edge is green.
      expect(await pixel(out, 100, 200)).toEqual([34, 197, 94]);
      // The label sits above the box: green background with black text in it.
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      let black = 0;
      let green = 0;
      for (let y = 70; y < 90; y++) {
        for (let x = 100; x < 200; x++) {
          const i = (y * info.width + x) * info.channels;
          if (data[i] < 60 && data[i + 1] < 60 && data[i + 2] < 60) black++;
          if (data[i] === 34 && data[i + 1] === 197 && data[i + 2] === 94) green++;
        }
      }
      expect(green).toBeGreaterThan(200);
      expect(black).toBeGreaterThan(100);
    });
  },
);

describe.skipIf(skipReason !== '')(`image commands on real photos${skipReason}`, () => {
  beforeAll(async () => {
    await mkdir(join(dir, 'photos/group'), { recursive: true });
    await copyFile(join(samples, 'sample1.jpg'), join(dir, 'photos/group/sample 1.jpg'));
    await copyFile(join(samples, 'sample2.jpg'), join(dir, 'photos/sample2.jpg'));
    await writeFile(join(dir, 'photos/broken.jpg'), 'not an image');
    await writeFile(join(dir, 'photos/notes.txt'), 'not an image either, and not a .jpg');
    expect((await facekit(['collections', 'create', 'people'])).code).toBe(0);
  });

  it('index: walks folders, streams jsonl, reports the bad file and goes on', async () => {
    const run = await facekit([
      'index',
      'people',
      'photos',
      '--output',
      'jsonl',
      '--draw',
      'drawn',
    ]);
    expect(run.code).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const ids = lines.flatMap((l) =>
      l.FaceRecords.map((r: { Face: { ExternalImageId: string } }) => r.Face.ExternalImageId),
    );
    expect(new Set(ids)).toEqual(new Set(['group:sample_1.jpg', 'sample2.jpg']));
    // Plain progress lines (not a terminal), then the summary on stderr.
    expect(run.stderr).toMatch(/^\[1\/3\] photos\//m);
    expect(run.stderr).toMatch(/images found +3\n/);
    expect(run.stderr).toMatch(/images indexed +2 /);
    expect(run.stderr).toMatch(/failed +1\n/);
    expect(run.stderr).toContain('photos/broken.jpg: InvalidImageFormatException: ');
    // --draw: one picture per indexed image, named after its ExternalImageId.
    for (const name of ['group_sample_1.jpg', 'sample2.jpg']) {
      expect((await sharp(join(dir, 'drawn', name)).metadata()).format).toBe('jpeg');
    }
    const faces = JSON.parse((await facekit(['faces', 'list', 'people'])).stdout).Faces;
    expect(faces.length).toBe(ids.length);
  }, 60_000);

  it('index again resumes: indexed images are skipped, the failed one is retried', async () => {
    const before = JSON.parse((await facekit(['collections', 'describe', 'people'])).stdout);
    const run = await facekit(['index', 'people', 'photos'], { tty: true });
    expect(run.code).toBe(1);
    // On a terminal: a progress bar with rate and ETA on stderr, the summary table on stdout.
    expect(run.stderr).toMatch(/█+ 1\/1 +[\d.]+ img\/s +ETA \d+:\d\d/);
    expect(run.stdout).toMatch(/skipped \(already indexed\) +2\n/);
    expect(run.stdout).toMatch(/Failures:\n {2}photos\/broken\.jpg: InvalidImageFormatException/);
    const after = JSON.parse((await facekit(['collections', 'describe', 'people'])).stdout);
    expect(after.FaceCount).toBe(before.FaceCount);
  }, 60_000);

  it('search finds the indexed face and draws it with the match label', async () => {
    const out = join(dir, 'match.png');
    const run = await facekit([
      'search',
      'people',
      join(samples, 'sample2.jpg'),
      '--draw',
      out,
      '-o',
      'json',
    ]);
    expect(run.code).toBe(0);
    const response = JSON.parse(run.stdout);
    expect(response.FaceMatches[0].Similarity).toBeGreaterThan(99);
    expect(response.FaceMatches[0].Face.ExternalImageId).toBe('sample2.jpg');
    const meta = await sharp(out).metadata();
    const original = await sharp(join(samples, 'sample2.jpg')).metadata();
    expect([meta.width, meta.height]).toEqual([original.width, original.height]);
    const b = response.SearchedFaceBoundingBox;
    const x = Math.round(b.Left * (meta.width ?? 0));
    const y = Math.round((b.Top + b.Height / 2) * (meta.height ?? 0));
    expect(await pixel(out, x, y)).toEqual([34, 197, 94]);
  }, 60_000);

  it('detect prints the same JSON in-process and through a server with --endpoint', async () => {
    const photo = join(samples, 'sample1.jpg');
    const local = await facekit(['detect', photo, '--attributes', 'ALL', '-o', 'json']);
    expect(local.code).toBe(0);
    const t = fakeIo({}, dir);
    const server: CliResult = await runCli(
      ['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent'],
      t.io,
    );
    if (server.kind !== 'serving') throw new Error(t.stderr());
    try {
      const remote = await facekit([
        'detect',
        photo,
        '--attributes',
        'ALL',
        '-o',
        'json',
        '--endpoint',
        server.url,
      ]);
      expect(remote).toEqual(local);
      expect(JSON.parse(local.stdout).FaceDetails.length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('detect --draw writes the picture; table output names the file', async () => {
    const run = await facekit(['detect', join(samples, 'sample1.jpg'), '--draw', 'drawn.jpg'], {
      tty: true,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# +Confidence +BoundingBox/);
    expect(run.stdout).toMatch(/\d+ faces, drawn to drawn\.jpg\n$/);
    const bytes = await readFile(join(dir, 'drawn.jpg'));
    expect((await sharp(bytes).metadata()).format).toBe('jpeg');
  }, 60_000);
});
