import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSlideshow } from '@facekit/video-ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spans, videoTime } from '../src/commands/video.js';
import { runCli } from '../src/index.js';
import { fakeIo } from './io.js';
import { datasets, realPhotoSkipReason } from './real-photo-setup.js';

const train = join(datasets, 'face_recognition/examples/knn_examples/train');
const skipReason =
  realPhotoSkipReason(train) ||
  (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error
    ? ' (SKIPPED: no ffmpeg on PATH; apt-get install ffmpeg)'
    : '');

describe('video summaries', () => {
  it('joins timestamps one sampling interval apart into spans', () => {
    expect(spans([0, 500, 1000, 4000, 4500, 9000])).toEqual([
      [0, 1000],
      [4000, 4500],
      [9000, 9000],
    ]);
    expect(spans([0, 1000], 500)).toEqual([
      [0, 0],
      [1000, 1000],
    ]);
    expect(videoTime(61_500)).toBe('1:01.5');
  });
});

describe('facekit video: usage', () => {
  it('refuses a local file with --endpoint, and search without --collection', async () => {
    const a = fakeIo();
    expect(
      await runCli(['video', 'detect', 'clip.mp4', '--endpoint', 'http://127.0.0.1:9'], a.io),
    ).toEqual({ kind: 'exit', exitCode: 2 });
    expect(a.stderr()).toContain('give s3://bucket/key');
    const b = fakeIo();
    expect(await runCli(['video', 'search', 's3://v/clip.mp4'], b.io)).toEqual({
      kind: 'exit',
      exitCode: 2,
    });
    expect(b.stderr()).toContain('--collection');
  });
});

describe.skipIf(skipReason !== '')(
  `facekit video in-process on a slideshow of real photos${skipReason}`,
  () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'facekit-cli-video-'));
      // Biden 0–2 s, black 2–3 s, Obama 3–5 s.
      await renderSlideshow(
        [
          { photo: join(train, 'biden/biden2.jpg'), seconds: 2, motion: 'zoom' },
          { seconds: 1 },
          { photo: join(train, 'obama/obama2.jpg'), seconds: 2, motion: 'pan' },
        ],
        join(dir, 'clip.mp4'),
        { width: 640, height: 360 },
      );
    }, 60_000);
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('video search says who appears from when to when; video detect counts faces', async () => {
      const common = ['--data-dir', join(dir, 'data'), '--face-model', '1.0'];
      const run = async (...args: string[]) => {
        const io = fakeIo({}, dir);
        const result = await runCli([...args, ...common], io.io);
        expect(result, io.stderr()).toEqual({ kind: 'exit', exitCode: 0 });
        return io;
      };
      await run('collections', 'create', 'people');
      await run('index', 'people', join(train, 'biden/biden.jpg'));
      const search = await run('video', 'search', 'clip.mp4', '-c', 'people', '-o', 'table');
      expect(search.stdout()).toMatch(/^Video: 0:05\.0, 640×360, h264, 25 fps\n/);
      const rows = search.stdout().trim().split('\n').slice(2);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^0\s+biden\.jpg\s+\d+\.\d%\s+0:00\.0–0:01\.5$/);
      expect(rows[1]).toMatch(/^1\s+unknown\s+-\s+0:03\.0–0:04\.5$/);
      // Progress went to stderr, as lines (no terminal).
      expect(search.stderr()).toMatch(/\d+\/11 frames/);

      const detect = await run('video', 'detect', 'clip.mp4', '-q', '-o', 'json');
      const response = JSON.parse(detect.stdout());
      expect(response.JobStatus).toBe('SUCCEEDED');
      expect(response.Faces.map((f: { Timestamp: number }) => f.Timestamp)).toEqual([
        0, 500, 1000, 1500, 3000, 3500, 4000, 4500,
      ]);
      expect(detect.stderr()).toBe('');
    }, 120_000);
  },
);
