import {
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
} from '@facekit/core';
import { describe, expect, it } from 'vitest';
// The synthetic images of the napi decoder's tests: the same files must give the same answers.
import {
  applyOrientation,
  BLUE,
  colourDistance,
  encodeJpeg,
  encodeRgbaPng,
  exifSegment,
  GREEN,
  insertAfterApp0,
  inverseOrientation,
  pixel,
  quadrants,
  RED,
  WHITE,
} from '../../image-napi/test/synthetic-images.js';
import { createScaledImageDecoder } from '../src/index.js';
import { orient } from '../src/scaled-image-decoder.js';

const decoder = createScaledImageDecoder();
const open = (bytes: Uint8Array) => {
  if (!decoder.open) throw new Error('no open()');
  return decoder.open(bytes);
};
const corners = (img: { width: number; height: number; data: Uint8Array }, inset: number) => [
  pixel(img, inset, inset),
  pixel(img, img.width - 1 - inset, inset),
  pixel(img, inset, img.height - 1 - inset),
  pixel(img, img.width - 1 - inset, img.height - 1 - inset),
];

describe('createScaledImageDecoder', () => {
  it('orients rasters as the test spec of EXIF orientations does', () => {
    const stored = quadrants(6, 4);
    for (let o = 1; o <= 8; o++) {
      expect(orient(stored, o), `orientation ${o}`).toEqual(applyOrientation(stored, o));
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'decodes a JPEG with orientation %i upright at 1/9, 1/5 and full size',
    async (o) => {
      const upright = quadrants(720, 480);
      const stored = applyOrientation(upright, inverseOrientation(o));
      const jpeg = insertAfterApp0(await encodeJpeg(stored), exifSegment(o, 'MM'));
      const image = await open(jpeg);
      expect(image).toMatchObject({ width: 720, height: 480, orientation: o, format: 'jpeg' });
      for (const [minScale, expected] of [
        [0.1, 1 / 9],
        [0.15, 1 / 5],
        [0.3, 1],
      ] as const) {
        const frame = await image.frame(minScale);
        expect(frame.scaleX).toBeCloseTo(expected, 2);
        expect(frame.scaleY).toBeCloseTo(expected, 2);
        expect(frame.raster.width).toBe(Math.round(frame.scaleX * 720));
        expect(frame.raster.data.length).toBe(frame.raster.width * frame.raster.height * 3);
        const [tl, tr, bl, br] = corners(frame.raster, 4);
        expect(colourDistance(tl, RED), `${minScale}: top-left ${tl}`).toBeLessThan(16);
        expect(colourDistance(tr, GREEN), `${minScale}: top-right ${tr}`).toBeLessThan(16);
        expect(colourDistance(bl, BLUE), `${minScale}: bottom-left ${bl}`).toBeLessThan(16);
        expect(colourDistance(br, WHITE), `${minScale}: bottom-right ${br}`).toBeLessThan(16);
      }
    },
  );

  it('keeps its rasters: a coarser request after a finer one decodes nothing', async () => {
    const image = await open(await encodeJpeg(quadrants(720, 480)));
    const fine = await image.frame(0.15);
    expect(await image.frame(0.1)).toBe(fine);
    expect(await image.frame(0.15)).toBe(fine);
  });

  it('gives the full-size decode at scale 1, the pixels decode() returns', async () => {
    const jpeg = await encodeJpeg(quadrants(400, 300));
    const frame = await (await open(jpeg)).frame(1);
    const decoded = await decoder.decode(jpeg);
    expect(frame.scaleX).toBe(1);
    expect(Buffer.compare(frame.raster.data, decoded.data)).toBe(0);
  });

  it('decodes at the scales it is given, and within 1% counts as enough', async () => {
    const thirds = createScaledImageDecoder({ jpegScales: [1 / 3] });
    const image = await thirds.open?.(await encodeJpeg(quadrants(720, 480)));
    expect((await image?.frame(0.3))?.scaleX).toBeCloseTo(1 / 3, 3);
    expect((await image?.frame(0.3366))?.scaleX).toBeCloseTo(1 / 3, 3);
    expect((await image?.frame(0.34))?.scaleX).toBe(1);
  });

  it('decodes PNGs at full size whatever is asked', async () => {
    const png = await encodeRgbaPng(quadrants(400, 300));
    const frame = await (await open(png)).frame(0.1);
    expect(frame).toMatchObject({ width: 400, height: 300, scaleX: 1, scaleY: 1 });
  });

  it('refuses what decode() refuses, before decoding', async () => {
    await expect(open(new TextEncoder().encode('GIF89a not a jpeg'))).rejects.toBeInstanceOf(
      InvalidImageFormatException,
    );
    const small = await encodeJpeg(quadrants(64, 48));
    await expect(open(small)).rejects.toBeInstanceOf(InvalidParameterException);
    const large = await encodeJpeg(quadrants(720, 480));
    await expect(decoder.open?.(large, { maxPixels: 1000 })).rejects.toBeInstanceOf(
      ImageTooLargeException,
    );
  });

  it('refuses a truncated JPEG at open, and corrupt scan data when decoding it', async () => {
    const jpeg = await encodeJpeg(quadrants(720, 480));
    await expect(open(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).rejects.toBeInstanceOf(
      InvalidImageFormatException,
    );
    // The scan's first bytes replaced by a restart marker with no restart interval declared.
    const sos = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xda);
    const corrupt = jpeg.slice();
    const scan = sos + 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
    corrupt.set([0xff, 0xd5, 0xff, 0xd3, 0xff, 0xd7], scan + 8);
    const outcome = await (await open(corrupt)).frame(0.1).then(
      () => 'decoded',
      (e: unknown) => e,
    );
    // libjpeg may also recover; it must never answer anything but an image or this error.
    if (outcome !== 'decoded') expect(outcome).toBeInstanceOf(InvalidImageFormatException);
  });
});
