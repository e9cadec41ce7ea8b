import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VideoDecodeError } from '@facekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpegVideoDecoder, outputSize } from '../src/index.js';

const ffmpegMissing =
  spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error ||
  spawnSync('ffprobe', ['-version'], { stdio: 'ignore' }).error;
const reason = ffmpegMissing ? ' (skipped: no ffmpeg/ffprobe on PATH; apt-get install ffmpeg)' : '';

async function* chunks(bytes: Uint8Array, size = 4096) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe.skipIf(reason !== '')(`ffmpeg video decoder${reason}`, () => {
  let dir: string;
  let video: Uint8Array;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'facekit-ffmpeg-'));
    // 2.4 s of 320×240 at 10 fps.
    const file = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10:duration=2.4'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      file,
    ]);
    video = new Uint8Array(readFileSync(file));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('probes metadata and samples upright RGB frames at the interval', async () => {
    const decoder = await createFfmpegVideoDecoder({ tempDir: dir });
    expect(decoder.name).toMatch(/^ffmpeg /);
    const opened = await decoder.open(chunks(video), { maxBytes: 10_000_000 });
    expect(opened.byteLength).toBe(video.byteLength);
    const info = await opened.probe();
    expect(info).toMatchObject({
      codec: 'h264',
      format: 'QuickTime / MOV',
      frameRate: 10,
      frameWidth: 320,
      frameHeight: 240,
    });
    expect(info.durationMillis).toBeCloseTo(2400, -2);
    const frames = [];
    for await (const frame of opened.frames({ intervalMs: 500, maxSide: 160 })) {
      frames.push([frame.timestampMs, frame.width, frame.height, frame.data.length]);
    }
    expect(frames.map((f) => f[0])).toEqual([0, 500, 1000, 1500, 2000]);
    expect(frames[0]).toEqual([0, 160, 120, 160 * 120 * 3]);
    await opened.close();
    await opened.close();
  });

  it('samples the frame shown at each timestamp, also between frames and across a cut', async () => {
    // 1 s red, then 1 s blue, at 25 fps.
    const file = join(dir, 'cut.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=64x64:r=25:d=1'],
      ...['-f', 'lavfi', '-i', 'color=c=blue:s=64x64:r=25:d=1'],
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file],
    ]);
    const decoder = await createFfmpegVideoDecoder({ tempDir: dir });
    const opened = await decoder.open(chunks(new Uint8Array(readFileSync(file))), {
      maxBytes: 10_000_000,
    });
    const seen: string[] = [];
    for await (const frame of opened.frames({ intervalMs: 330 })) {
      seen.push(`${frame.timestampMs}:${frame.data[0] > frame.data[2] ? 'red' : 'blue'}`);
    }
    await opened.close();
    expect(seen).toEqual([
      '0:red',
      '330:red',
      '660:red',
      '990:red',
      '1320:blue',
      '1650:blue',
      '1980:blue',
    ]);
  });

  it('refuses a video over maxBytes while copying, and fails probing a non-video', async () => {
    const decoder = await createFfmpegVideoDecoder({ tempDir: dir });
    await expect(decoder.open(chunks(video), { maxBytes: 1000 })).rejects.toMatchObject({
      reason: 'too-large',
    });
    const text = await decoder.open(chunks(new TextEncoder().encode('not a video')), {
      maxBytes: 1000,
    });
    const error = await text.probe().catch((e: unknown) => e);
    expect(VideoDecodeError.isInstance(error) && error.reason).toBe('invalid-video');
    expect((error as Error).message).toMatch(/^Unsupported codec\/format/);
    await text.close();
  });

  it('says how to install ffmpeg when it is missing', async () => {
    await expect(
      createFfmpegVideoDecoder({ ffmpegPath: join(dir, 'no-ffmpeg') }),
    ).rejects.toMatchObject({
      reason: 'decoder-missing',
      message: expect.stringContaining('apt-get install ffmpeg'),
    });
  });
});

describe('outputSize', () => {
  it('keeps the size under maxSide, scales down to it otherwise, in even pixels', () => {
    expect(outputSize(1280, 720, 1920)).toEqual([1280, 720]);
    expect(outputSize(3840, 2160, 1920)).toEqual([1920, 1080]);
    expect(outputSize(1081, 1921, 1920)).toEqual([1080, 1920]);
  });
});
