import { ImageHeaderError, readExifOrientation, readImageHeader } from '@facekit/core/image';
import { describe, expect, it } from 'vitest';
import {
  craftFlatJpeg,
  craftPng,
  encodeJpeg,
  exifSegment,
  insertAfterApp0,
  quadrants,
} from './synthetic-images.js';

const jpeg = () =>
  craftFlatJpeg({ width: 120, height: 90, components: 3, block: () => [10, 20, 30] });

/** Replaces the SOF0 marker byte (FF C0) of a crafted JPEG with another frame type. */
function withFrame(bytes: Uint8Array, marker: number, precision = 8): Uint8Array {
  const out = bytes.slice();
  const sof = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
  out[sof + 1] = marker;
  out[sof + 4] = precision;
  return out;
}

describe('readImageHeader', () => {
  it('reads JPEG and PNG sizes without decoding', async () => {
    expect(readImageHeader(jpeg())).toEqual({
      format: 'jpeg',
      width: 120,
      height: 90,
      bitDepth: 8,
      orientation: 1,
    });
    expect(readImageHeader(await encodeJpeg(quadrants(128, 96)))).toMatchObject({
      width: 128,
      height: 96,
    });
    expect(
      readImageHeader(
        craftPng({ width: 70000, height: 3, colourType: 4, bitDepth: 16, idat: false }),
      ),
    ).toEqual({ format: 'png', width: 70000, height: 3, bitDepth: 16, orientation: 1 });
  });

  it('reads the orientation from an Exif segment anywhere before the scan', () => {
    const bytes = jpeg();
    const exif = exifSegment(6, 'II');
    const first = new Uint8Array([...bytes.subarray(0, 2), ...exif, ...bytes.subarray(2)]);
    expect(readImageHeader(first).orientation).toBe(6);
    expect(readImageHeader(insertAfterApp0(bytes, exifSegment(3))).orientation).toBe(3);
  });

  it('skips fill bytes between markers', () => {
    const bytes = jpeg();
    const padded = new Uint8Array([...bytes.subarray(0, 2), 0xff, 0xff, ...bytes.subarray(2)]);
    expect(readImageHeader(padded).width).toBe(120);
  });

  it.each([
    [0xc2, 8, null], // progressive: supported
    [0xc1, 8, null], // extended sequential: supported
    [0xc0, 12, /12-bit/],
    [0xc3, 8, /lossless/],
    [0xc9, 8, /arithmetic/],
    [0xc5, 8, /hierarchical/],
  ])('frame type FF%s, %i-bit', (marker, precision, refusal) => {
    const read = () => readImageHeader(withFrame(jpeg(), marker, precision));
    if (refusal) expect(read).toThrow(refusal);
    else expect(read().format).toBe('jpeg');
  });

  it('refuses a JPEG scan without a frame, and a frame of height 0 (DNL)', () => {
    const bytes = jpeg();
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    const noHeight = bytes.slice();
    noHeight.set([0, 0], sof + 5);
    expect(() => readImageHeader(noHeight)).toThrow(/DNL/);
    const noFrame = bytes.slice();
    noFrame[sof + 1] = 0xe5; // make it an APP5 segment
    expect(() => readImageHeader(noFrame)).toThrow(/scan before frame/);
  });

  it('throws ImageHeaderError naming what it found', () => {
    const error = (() => {
      try {
        readImageHeader(new TextEncoder().encode('GIF89a......'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ImageHeaderError);
    expect((error as Error).message).toBe('found GIF; only JPEG and PNG are supported');
  });
});

describe('readExifOrientation', () => {
  const tiffOf = (segment: Uint8Array) => segment.subarray(10);

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reads %i in both byte orders', (o) => {
    expect(readExifOrientation(tiffOf(exifSegment(o, 'MM')))).toBe(o);
    expect(readExifOrientation(tiffOf(exifSegment(o, 'II')))).toBe(o);
  });

  it('returns 1 for out-of-range values and malformed structures', () => {
    expect(readExifOrientation(tiffOf(exifSegment(0)))).toBe(1);
    expect(readExifOrientation(tiffOf(exifSegment(65535)))).toBe(1);
    expect(readExifOrientation(new Uint8Array(0))).toBe(1);
    const bad = tiffOf(exifSegment(6)).slice();
    bad[2] = 0x99; // not 42
    expect(readExifOrientation(bad)).toBe(1);
    const offsetOut = tiffOf(exifSegment(6)).slice();
    offsetOut.set([0x7f, 0xff, 0xff, 0xff], 4); // IFD0 offset far past the end
    expect(readExifOrientation(offsetOut)).toBe(1);
    const countOut = tiffOf(exifSegment(6)).slice();
    countOut.set([0xff, 0xff], 8); // 65535 entries, most past the end…
    countOut.set([0x01, 0x13], 22); // …and the orientation entry renamed
    expect(readExifOrientation(countOut)).toBe(1);
  });
});
