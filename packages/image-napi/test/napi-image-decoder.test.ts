import { RekognitionError } from '@facekit/core';
import { Transformer } from '@napi-rs/image';
import { describe, expect, it } from 'vitest';
import { createNapiImageDecoder } from '../src/index.js';
import { causeMessage, expectRekognitionError } from './expect-error.js';
import {
  applyOrientation,
  BLUE,
  colourDistance,
  craftFlatJpeg,
  craftPng,
  craftZeroPng,
  encodeJpeg,
  encodeRgbaPng,
  exifSegment,
  GREEN,
  insertAfterApp0,
  inverseOrientation,
  PNG_SIGNATURE,
  pixel,
  quadrants,
  RED,
  type Rgb,
  WHITE,
} from './synthetic-images.js';

const decoder = createNapiImageDecoder();
const INVALID_FORMAT = 'Request has invalid image format.';

/** A 120×90 image whose every pixel has a distinct, known colour. */
function gradient(width = 120, height = 90): Rgb {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x * 2, y * 2, (x + y) % 256], (y * width + x) * 3);
  }
  return { width, height, data };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('createNapiImageDecoder: formats and pixels', () => {
  it('is a v1 ImageDecoder', () => {
    expect(decoder.specificationVersion).toBe('v1');
    expect(decoder.name).toBe('napi-rs-image');
  });

  it('decodes an RGBA PNG exactly, dropping alpha (not compositing it)', async () => {
    const src = gradient();
    // Alpha varies, including 0: the stored colour must come out unchanged.
    const png = await encodeRgbaPng(src, (x) => (x * 7) % 256);
    const out = await decoder.decode(png);
    expect(out).toMatchObject({ width: 120, height: 90, format: 'png', orientation: 1 });
    expect(out.data.length).toBe(120 * 90 * 3);
    expect(out.data).toEqual(src.data);
    expect(Buffer.isBuffer(out.data)).toBe(false);
  });

  it('decodes an RGB JPEG to nearly the same pixels', async () => {
    const src = quadrants(128, 96);
    const out = await decoder.decode(await encodeJpeg(src));
    expect(out).toMatchObject({ width: 128, height: 96, format: 'jpeg', orientation: 1 });
    expect(out.data.length).toBe(128 * 96 * 3);
    expect(meanAbsDiff(out.data, src.data)).toBeLessThan(3);
    expect(Buffer.isBuffer(out.data)).toBe(false);
  });

  it('judges by content: a PNG passed where a JPEG is expected is still a PNG', async () => {
    const out = await decoder.decode(await encodeRgbaPng(gradient()));
    expect(out.format).toBe('png');
  });

  it('replicates 8-bit grayscale PNG samples into R, G and B', async () => {
    const sample = (x: number, y: number) => (x * 3 + y) % 256;
    const out = await decoder.decode(
      craftPng({ width: 100, height: 81, colourType: 0, bitDepth: 8, sample }),
    );
    expect(out).toMatchObject({ width: 100, height: 81, format: 'png' });
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(out, 50, 7)).toEqual([157, 157, 157]);
    expect(pixel(out, 99, 80)).toEqual([121, 121, 121]);
  });

  it('drops the alpha of a gray+alpha PNG', async () => {
    const sample = (x: number, _y: number, c: number) => (c === 0 ? x : 0);
    const out = await decoder.decode(
      craftPng({ width: 100, height: 90, colourType: 4, bitDepth: 8, sample }),
    );
    expect(pixel(out, 42, 10)).toEqual([42, 42, 42]);
  });

  it.each([
    ['RGB', 2],
    ['RGBA', 6],
    ['gray', 0],
    ['gray+alpha', 4],
  ] as const)('rounds 16-bit %s PNG samples to 8 bits', async (_name, colourType) => {
    const values = [0x0000, 0xff00, 0x1234, 0x8080, 0xffff, 0x00ff, 0x0080, 0x7fff];
    const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType];
    const colour = channels >= 3;
    const sample = (x: number, y: number, c: number) =>
      c === (colour ? 3 : 1) ? 0x1111 : values[(x + y + c) % values.length];
    const out = await decoder.decode(
      craftPng({ width: 96, height: 90, colourType, bitDepth: 16, sample }),
    );
    expect(out).toMatchObject({ width: 96, height: 90, format: 'png' });
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [5, 3],
      [95, 89],
    ]) {
      const expected = [0, 1, 2].map((c) => Math.round(sample(x, y, colour ? c : 0) / 257));
      expect(pixel(out, x, y), `pixel ${x},${y}`).toEqual(expected);
    }
  });

  it('replicates a grayscale (1-component) JPEG', async () => {
    const jpeg = craftFlatJpeg({
      width: 96,
      height: 88,
      components: 1,
      block: (bx) => [bx < 6 ? 50 : 200],
    });
    const out = await decoder.decode(jpeg);
    expect(out).toMatchObject({ width: 96, height: 88, format: 'jpeg' });
    expect(pixel(out, 10, 10)).toEqual([50, 50, 50]);
    expect(pixel(out, 90, 80)).toEqual([200, 200, 200]);
  });

  it('converts an Adobe CMYK JPEG to RGB', async () => {
    // Stored inverted, as Photoshop writes it: red = no cyan, full magenta and yellow, no black.
    const jpeg = craftFlatJpeg({
      width: 96,
      height: 88,
      components: 4,
      block: (bx) => (bx < 6 ? [255, 0, 0, 255] : [0, 0, 255, 255]),
    });
    const out = await decoder.decode(jpeg);
    expect(out).toMatchObject({ width: 96, height: 88, format: 'jpeg' });
    expect(colourDistance(pixel(out, 10, 10), RED)).toBeLessThan(4);
    expect(colourDistance(pixel(out, 90, 80), BLUE)).toBeLessThan(4);
  });

  it('decodes a hand-written 3-component JPEG without JFIF or Exif', async () => {
    const jpeg = craftFlatJpeg({
      width: 96,
      height: 96,
      components: 3,
      block: (bx, by) => (bx < 6 ? (by < 6 ? RED : BLUE) : GREEN),
    });
    const out = await decoder.decode(jpeg);
    expect(colourDistance(pixel(out, 0, 0), RED)).toBeLessThan(4);
    expect(colourDistance(pixel(out, 0, 95), BLUE)).toBeLessThan(4);
    expect(colourDistance(pixel(out, 95, 0), GREEN)).toBeLessThan(4);
  });

  it('decodes concurrent calls independently', async () => {
    const inputs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const img = gradient(100 + i * 8, 90 + i);
        return { img, bytes: i % 2 ? await encodeRgbaPng(img) : await encodeJpeg(img) };
      }),
    );
    const outs = await Promise.all(inputs.map(({ bytes }) => decoder.decode(bytes)));
    outs.forEach((out, i) => {
      const { img } = inputs[i];
      expect(out).toMatchObject({ width: img.width, height: img.height });
      expect(meanAbsDiff(out.data, img.data)).toBeLessThan(i % 2 ? 0.001 : 4);
    });
  });
});

describe('createNapiImageDecoder: EXIF orientation', () => {
  const upright = quadrants(128, 96);
  const corners = (img: { width: number; height: number; data: Uint8Array }) => [
    pixel(img, 8, 8),
    pixel(img, img.width - 9, 8),
    pixel(img, 8, img.height - 9),
    pixel(img, img.width - 9, img.height - 9),
  ];

  it('the test spec of orientations round-trips (o then its inverse is the identity)', () => {
    for (let o = 1; o <= 8; o++) {
      const back = applyOrientation(applyOrientation(upright, inverseOrientation(o)), o);
      expect(Buffer.compare(back.data, upright.data), `orientation ${o}`).toBe(0);
    }
    // 6 shows the stored image turned 90° clockwise: the stored bottom-left comes to the top-left.
    expect(pixel(applyOrientation(upright, 6), 0, 0)).toEqual(BLUE);
  });

  for (const byteOrder of ['MM', 'II'] as const) {
    it.each([1, 2, 3, 4, 5, 6, 7, 8])(
      `orientation %i (${byteOrder}) comes out upright`,
      async (o) => {
        const stored = applyOrientation(upright, inverseOrientation(o));
        const jpeg = insertAfterApp0(await encodeJpeg(stored), exifSegment(o, byteOrder));
        // The crafted file is read the same way by the library itself.
        expect(new Transformer(jpeg).metadataSync(true).orientation).toBe(o);
        const out = await decoder.decode(jpeg);
        expect(out).toMatchObject({ width: 128, height: 96, orientation: o, format: 'jpeg' });
        const [tl, tr, bl, br] = corners(out);
        expect(colourDistance(tl, RED), `top-left ${tl}`).toBeLessThan(12);
        expect(colourDistance(tr, GREEN), `top-right ${tr}`).toBeLessThan(12);
        expect(colourDistance(bl, BLUE), `bottom-left ${bl}`).toBeLessThan(12);
        expect(colourDistance(br, WHITE), `bottom-right ${br}`).toBeLessThan(12);
        expect(meanAbsDiff(out.data, upright.data)).toBeLessThan(3);
      },
    );
  }

  it('applies orientation to a grayscale JPEG too', async () => {
    // Stored 96 wide × 128 tall, dark left half; orientation 8 turns it 90° counter-clockwise.
    const jpeg = craftFlatJpeg({
      width: 96,
      height: 128,
      components: 1,
      block: (bx) => [bx < 6 ? 30 : 220],
    });
    const out = await decoder.decode(insertAfterApp0(jpeg, exifSegment(8)));
    expect(out).toMatchObject({ width: 128, height: 96, orientation: 8 });
    expect(pixel(out, 60, 90)).toEqual([30, 30, 30]); // stored left is now the bottom
    expect(pixel(out, 60, 5)).toEqual([220, 220, 220]);
  });

  it('treats orientation 0, 9 and malformed Exif as 1', async () => {
    const base = await encodeJpeg(upright);
    for (const segment of [
      exifSegment(0),
      exifSegment(9),
      // "Exif\0\0" followed by garbage instead of a TIFF header.
      new Uint8Array([0xff, 0xe1, 0, 12, 0x45, 0x78, 0x69, 0x66, 0, 0, 1, 2, 3, 4]),
    ]) {
      const out = await decoder.decode(insertAfterApp0(base, segment));
      expect(out).toMatchObject({ width: 128, height: 96, orientation: 1 });
      expect(colourDistance(pixel(out, 8, 8), RED)).toBeLessThan(12);
    }
  });

  it('checks the minimum side on the upright size', async () => {
    const stored = quadrants(64, 128); // becomes 128 wide × 64 tall with orientation 6
    const jpeg = insertAfterApp0(await encodeJpeg(stored), exifSegment(6));
    const error = await expectRekognitionError(decoder.decode(jpeg), 'InvalidParameterException');
    expect(error.message).toBe('Image must be at least 80 pixels on each side; got 128x64');
  });
});

describe('createNapiImageDecoder: refusals', () => {
  async function expectFormatError(bytes: Uint8Array, detail?: RegExp) {
    const error = await expectRekognitionError(
      decoder.decode(bytes),
      'InvalidImageFormatException',
    );
    expect(error.message).toBe(INVALID_FORMAT);
    if (detail) expect(causeMessage(error)).toMatch(detail);
    return error;
  }
  const text = (s: string) => new TextEncoder().encode(s);

  it.each([
    ['empty', new Uint8Array(0), /empty/],
    ['WebP', text('RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0'), /WebP/],
    ['GIF', text('GIF89a\x78\0\x5a\0\0\0\0;'), /GIF/],
    ['BMP', text('BM\x36\x84\x03\0\0\0\0\0\x36\0\0\0\x28\0\0\0'), /BMP/],
    ['TIFF (little-endian)', text('II*\0\x08\0\0\0\0\0'), /TIFF/],
    ['TIFF (big-endian)', text('MM\0*\0\0\0\x08\0\0'), /TIFF/],
    ['HEIC', text('\0\0\0\x18ftypheic\0\0\0\0mif1heic'), /HEIF/],
    ['AVIF', text('\0\0\0\x1cftypavif\0\0\0\0avifmif1'), /AVIF/],
    ['text', text('hello, this is not an image'), /text/],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg"/>'), /markup/],
    ['base64 of a JPEG', text('/9j/4AAQSkZJRgABAQAAAQABAAD'), /text/],
    ['JPEG SOI only', new Uint8Array([0xff, 0xd8]), /.+/],
    ['PNG signature only', PNG_SIGNATURE, /truncated PNG/],
    ['random bytes', new Uint8Array([0x13, 0x37, 0x00, 0xfe, 0x80, 0x01]), /unknown format/],
  ])('refuses %s', async (_name, bytes, detail) => {
    await expectFormatError(bytes, detail);
  });

  it('refuses JPEGs truncated anywhere', async () => {
    const jpeg = await encodeJpeg(gradient());
    for (const cut of [3, 4, 20, 100, 300, Math.floor(jpeg.length / 2), jpeg.length - 2]) {
      await expectFormatError(jpeg.subarray(0, cut), /truncated|corrupt/);
    }
  });

  it('refuses PNGs truncated anywhere', async () => {
    const png = await encodeRgbaPng(gradient());
    for (const cut of [8, 20, 33, 40, Math.floor(png.length / 2), png.length - 12]) {
      await expectFormatError(png.subarray(0, cut));
    }
  });

  it('refuses a PNG whose pixel data is corrupt, or whose IHDR is', async () => {
    const png = craftPng({ width: 90, height: 90, colourType: 2, bitDepth: 8 });
    const badData = png.slice();
    badData[50] ^= 0xff;
    await expectFormatError(badData);
    const badHeader = png.slice();
    badHeader[24] = 3; // bit depth 3
    await expectFormatError(badHeader, /IHDR checksum/);
  });

  it('survives random corruption of JPEG and PNG files (decodes or refuses, never crashes)', async () => {
    const files = [await encodeJpeg(quadrants(128, 96)), await encodeRgbaPng(gradient())];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const bytes = files[i % 2].slice();
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        const out = await decoder.decode(bytes);
        expect(out.data.length).toBe(out.width * out.height * 3);
        outcomes.set('decoded', (outcomes.get('decoded') ?? 0) + 1);
      } catch (error) {
        expect(RekognitionError.isInstance(error), String(error)).toBe(true);
        const name = (error as RekognitionError).name;
        outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
      }
    }
    expect(outcomes.get('InvalidImageFormatException')).toBeGreaterThan(0);
  });

  it('refuses a PNG declaring 60000×60000 from its header, before decoding', async () => {
    const bomb = craftPng({ width: 60000, height: 60000, colourType: 6, bitDepth: 8, idat: false });
    expect(bomb.length).toBeLessThan(100);
    const error = await expectRekognitionError(decoder.decode(bomb), 'ImageTooLargeException');
    expect(error.message).toMatch(/^Image dimensions 60000x60000 exceed/);
  });

  it('refuses a real 50000×50000 PNG bomb (2.5 MB that inflates to 2.5 GB) quickly', async () => {
    // The same construction at a decodable size is a valid, all-black PNG.
    const small = await decoder.decode(craftZeroPng(100, 100));
    expect(small).toMatchObject({ width: 100, height: 100, format: 'png' });
    expect(small.data.every((v) => v === 0)).toBe(true);

    const bomb = craftZeroPng(50000, 50000);
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024);
    const started = performance.now();
    const error = await expectRekognitionError(decoder.decode(bomb), 'ImageTooLargeException');
    expect(error.message).toMatch(/50000x50000/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a JPEG whose frame header declares 65000×65000', async () => {
    const jpeg = (await encodeJpeg(gradient())).slice();
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    jpeg.set([0xfd, 0xe8, 0xfd, 0xe8], sof + 5);
    const error = await expectRekognitionError(decoder.decode(jpeg), 'ImageTooLargeException');
    expect(error.message).toMatch(/65000x65000/);
  });

  it('refuses images under the minimum side with Rekognition’s message', async () => {
    const small = await encodeRgbaPng(gradient(79, 200));
    const error = await expectRekognitionError(decoder.decode(small), 'InvalidParameterException');
    expect(error.message).toBe('Image must be at least 80 pixels on each side; got 79x200');
    const ok = await decoder.decode(small, { minSide: 10 });
    expect(ok.width).toBe(79);
  });

  it('takes maxPixels from the options and from each call', async () => {
    const png = await encodeRgbaPng(gradient()); // 10,800 px
    const strict = createNapiImageDecoder({ limits: { maxPixels: 10_000 } });
    const error = await expectRekognitionError(strict.decode(png), 'ImageTooLargeException');
    expect(error.message).toBe('Image dimensions 120x90 exceed the limit of 10000 pixels.');
    expect((await strict.decode(png, { maxPixels: 10_800 })).width).toBe(120);
    await expectRekognitionError(
      decoder.decode(png, { maxPixels: 10_799 }),
      'ImageTooLargeException',
    );
  });

  it('refuses more than 5 MiB of bytes, whatever they are', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set([0xff, 0xd8, 0xff]);
    const error = await expectRekognitionError(decoder.decode(big), 'ImageTooLargeException');
    expect(error.message).toBe('Image size is too large.');
    const png = await encodeRgbaPng(gradient());
    const tight = createNapiImageDecoder({ maxBytes: png.length - 1 });
    await expectRekognitionError(tight.decode(png), 'ImageTooLargeException');
  });

  it('refuses invalid options at creation', () => {
    for (const options of [
      { maxBytes: 0 },
      { limits: { maxPixels: -1 } },
      { limits: { minSide: Number.NaN } },
    ]) {
      expect(() => createNapiImageDecoder(options)).toThrow(/must be a positive number/);
    }
  });
});
