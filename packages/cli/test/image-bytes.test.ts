import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFormatOf, imageReader, MAX_IMAGE_BYTES } from '../src/image-bytes.js';
import { runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';
import { realPhotoSkipReason, samplePhotosDir } from './real-photo-setup.js';

const samples = samplePhotosDir();
const skipReason = realPhotoSkipReason();

let dir: string;
let big: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-image-bytes-'));
  // Noise compresses badly: 2400×1800 at quality 100 is well over 5 MiB, as phone photos are.
  big = join(dir, 'big.jpg');
  await writeFile(big, await noiseJpeg(2400, 1800));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function noiseJpeg(width: number, height: number, orientation?: number) {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  const image = sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 100 });
  return orientation ? image.withMetadata({ orientation }).toBuffer() : image.toBuffer();
}

const facekit = (argv: string[]) =>
  runToExit(argv, {
    env: { FACEKIT_FACE_MODEL: 'none', FACEKIT_DATA_DIR: join(dir, 'data') },
    cwd: dir,
  });

describe('image format by content', () => {
  it('tells JPEG, PNG, WebP, GIF, HEIC and AVIF apart', async () => {
    const base = sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } });
    expect(imageFormatOf(await base.clone().jpeg().toBuffer())).toBe('JPEG');
    expect(imageFormatOf(await base.clone().png().toBuffer())).toBe('PNG');
    expect(imageFormatOf(await base.clone().webp().toBuffer())).toBe('WebP');
    expect(imageFormatOf(await base.clone().gif().toBuffer())).toBe('GIF');
    const box = (brand: string) => Buffer.from(`\0\0\0\x18ftyp${brand}\0\0\0\0mif1heic`, 'latin1');
    expect(imageFormatOf(box('heic'))).toBe('HEIC');
    expect(imageFormatOf(box('avif'))).toBe('AVIF');
    expect(imageFormatOf(Buffer.from('not an image'))).toBeUndefined();
  });

  it.each([
    ['photo.webp', 'WebP', (s: Sharp) => s.webp()],
    ['anim.gif', 'GIF', (s: Sharp) => s.gif()],
  ])(
    '%s is refused before sending, naming %s and the two accepted',
    async (name, format, encode) => {
      const image = sharp({ create: { width: 120, height: 120, channels: 3, background: '#888' } });
      await writeFile(join(dir, name), await encode(image).toBuffer());
      for (const argv of [
        ['detect', name],
        ['compare', name, name],
        ['search', 'family', name],
      ]) {
        const run = await facekit(argv);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
          `facekit: InvalidImageFormatException: ${name} is a ${format} image; the Rekognition API accepts JPEG and PNG only (convert it first, e.g. convert ${name} ${name.replace(/\.\w+$/, '')}.jpg)\n`,
        );
      }
    },
  );
});

describe('photos over 5 MiB', () => {
  it('are sent as a JPEG copy at most 2048 px, said once per run', async () => {
    const t = fakeIo({}, dir);
    const read = imageReader(t.io, { resize: true });
    const first = await read('big.jpg');
    expect(first.original.byteLength).toBeGreaterThan(MAX_IMAGE_BYTES);
    expect(first.bytes.byteLength).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
    const meta = await sharp(first.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([2048, 1536]); // same aspect ratio, 4:3
    expect(first.resized).toMatchObject({ width: 2048, height: 1536 });
    await read('big.jpg');
    const notices = t.stderr().split('\n').filter(Boolean);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^facekit: big\.jpg is [\d.]+ MiB, over the API's 5 MiB: sending a JPEG copy at most 2048 px .*--no-resize refuses them instead\.$/,
    );
  });

  it('apply the EXIF orientation, so boxes in ratios of the upright photo fit both', async () => {
    await writeFile(join(dir, 'rotated.jpg'), await noiseJpeg(2400, 1800, 6));
    const sent = await imageReader(fakeIo({}, dir).io, { resize: true })('rotated.jpg');
    const meta = await sharp(sent.bytes).metadata();
    // Orientation 6 is a 90° turn: the upright photo is portrait, and the copy carries no tag.
    expect([meta.width, meta.height]).toEqual([1536, 2048]);
    expect(meta.orientation ?? 1).toBe(1);
  });

  it('are refused with --no-resize', async () => {
    const read = imageReader(fakeIo({}, dir).io, { resize: false });
    await expect(read('big.jpg')).rejects.toMatchObject({ name: 'ImageTooLargeException' });
    const run = await facekit(['detect', 'big.jpg', '--no-resize']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^facekit: ImageTooLargeException: big\.jpg is [\d.]+ MiB, over the API's 5 MiB; without --no-resize/,
    );
  });

  it('leave photos under the limits untouched', async () => {
    const small = await noiseJpeg(300, 200);
    await writeFile(join(dir, 'small.jpg'), small);
    const t = fakeIo({}, dir);
    const sent = await imageReader(t.io, { resize: true })('small.jpg');
    expect(Buffer.from(sent.bytes).equals(small)).toBe(true);
    expect(sent.resized).toBeUndefined();
    expect(t.stderr()).toBe('');
  });
});

describe.skipIf(skipReason !== '')(`a shrunk photo on the real models${skipReason}`, () => {
  it('finds the same faces at the same ratios as the photo itself', async () => {
    // sample1 blown up to 4000 px wide with fine noise: over 5 MiB, so it is shrunk to 2048.
    const original = join(samples, 'sample1.jpg');
    const { width = 0, height = 0 } = await sharp(original).metadata();
    const scale = 4000 / width;
    const upscaled = await sharp(original)
      .resize(Math.round(width * scale), Math.round(height * scale))
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let i = 0; i < upscaled.data.length; i++) {
      upscaled.data[i] = Math.min(255, upscaled.data[i] + ((i * 2654435761) >>> 29));
    }
    const huge = await sharp(upscaled.data, { raw: upscaled.info })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(huge.byteLength).toBeGreaterThan(MAX_IMAGE_BYTES);
    await writeFile(join(dir, 'huge.jpg'), huge);
    const t = fakeIo({ FACEKIT_DATA_DIR: join(dir, 'data') }, dir);
    const detect = async (path: string) => {
      const run = await runCli(['detect', path, '-o', 'json', '--store', 'memory'], t.io);
      expect(run).toMatchObject({ kind: 'exit', exitCode: 0 });
    };
    await detect(original);
    await detect('huge.jpg');
    const [small, large] = t
      .stdout()
      .split(/\n(?=\{)/)
      .map((text) => JSON.parse(text).FaceDetails as { BoundingBox: Record<string, number> }[]);
    expect(small.length).toBeGreaterThanOrEqual(2);
    expect(large.length).toBe(small.length);
    for (const [i, face] of small.entries()) {
      for (const key of ['Left', 'Top', 'Width', 'Height']) {
        expect(Math.abs(large[i].BoundingBox[key] - face.BoundingBox[key])).toBeLessThan(0.01);
      }
    }
    expect(t.stderr()).toMatch(/huge\.jpg is [\d.]+ MiB, over the API's 5 MiB: sending a JPEG/);

    // --draw draws on the file itself, at its own size, where the ratios put the faces.
    const drawn = await runCli(
      ['detect', 'huge.jpg', '--draw', 'huge-drawn.png', '-o', 'json', '--store', 'memory'],
      t.io,
    );
    expect(drawn).toMatchObject({ kind: 'exit', exitCode: 0 });
    const { data, info } = await sharp(join(dir, 'huge-drawn.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(Math.round(width * scale));
    const b = large[0].BoundingBox;
    const x = Math.round(b.Left * info.width);
    const y = Math.round((b.Top + b.Height / 2) * info.height);
    const at = (y * info.width + x) * info.channels;
    expect([data[at], data[at + 1], data[at + 2]]).toEqual([34, 197, 94]); // the box's edge
  }, 120_000);
});
