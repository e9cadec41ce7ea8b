import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DecodedImage } from '@facekit/core';
import { Transformer } from '@napi-rs/image';
import { describe, expect, it } from 'vitest';
import { createNapiImageDecoder } from '../src/index.js';
import { causeMessage, expectRekognitionError } from './expect-error.js';
import { applyOrientation } from './synthetic-images.js';

// Real photographs, read-only, outside the repository: /work/shared/datasets next to the repo root.
const root = new URL('../../../../shared/datasets/', import.meta.url);
const present = existsSync(fileURLToPath(root));
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, root)));
const decoder = createNapiImageDecoder();

/** Per-channel means over a `cells`×`cells` grid: a downscaled fingerprint of the image. */
function cellMeans(img: DecodedImage | { width: number; height: number; data: Uint8Array }) {
  const cells = 8;
  const sums = new Float64Array(cells * cells * 3);
  const counts = new Float64Array(cells * cells);
  for (let y = 0; y < img.height; y++) {
    const cy = Math.floor((y * cells) / img.height);
    for (let x = 0; x < img.width; x++) {
      const cell = cy * cells + Math.floor((x * cells) / img.width);
      const i = (y * img.width + x) * 3;
      sums[cell * 3] += img.data[i];
      sums[cell * 3 + 1] += img.data[i + 1];
      sums[cell * 3 + 2] += img.data[i + 2];
      counts[cell]++;
    }
  }
  return sums.map((s, i) => s / counts[Math.floor(i / 3)]);
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe.skipIf(!present)(
  present
    ? 'real images from ../shared/datasets'
    : 'real images (skipped: ../shared/datasets not found)',
  () => {
    describe.each(['Landscape', 'Portrait'])('misc/exif-orientation/%s_0..8.jpg', (kind) => {
      it('all come out upright: same size and nearly the same pixels as _1', async () => {
        const reference = await decoder.decode(read(`misc/exif-orientation/${kind}_1.jpg`));
        expect(reference.orientation).toBe(1);
        const expected = kind === 'Landscape' ? [1800, 1200] : [1200, 1800];
        expect([reference.width, reference.height]).toEqual(expected);
        const fingerprint = cellMeans(reference);
        // The fingerprint tells orientations apart: a mirrored _1 is far from _1 (measured: 120+,
        // while correctly rotated files are within 6 of _1).
        const mirrored = cellMeans(applyOrientation(reference, 2));
        expect(maxDiff(mirrored, fingerprint)).toBeGreaterThan(60);

        for (let n = 0; n <= 8; n++) {
          const out = await decoder.decode(read(`misc/exif-orientation/${kind}_${n}.jpg`));
          // _0 carries the invalid tag 0 and is stored upright: read as 1.
          expect(out.orientation, `${kind}_${n}`).toBe(n === 0 ? 1 : n);
          expect([out.width, out.height], `${kind}_${n}`).toEqual(expected);
          expect(maxDiff(cellMeans(out), fingerprint), `${kind}_${n}`).toBeLessThan(12);
        }
      });
    });

    it('misc/derived/obama_exif_orient6_derived.jpg: stored 1137×910, upright 910×1137', async () => {
      const bytes = read('misc/derived/obama_exif_orient6_derived.jpg');
      const out = await decoder.decode(bytes);
      expect(out).toMatchObject({ width: 910, height: 1137, orientation: 6, format: 'jpeg' });
      // Same pixels as the library's own EXIF rotation.
      const own = await new Transformer(bytes).rotate().rawPixels();
      expect(Buffer.from(out.data).equals(own)).toBe(true);
    });

    it('misc/derived/obama2_grayscale_derived.jpg: a 1-component JPEG becomes gray RGB', async () => {
      const out = await decoder.decode(read('misc/derived/obama2_grayscale_derived.jpg'));
      expect(out).toMatchObject({ width: 626, height: 1200, format: 'jpeg' });
      for (let i = 0; i < out.data.length; i += 3 * 997) {
        expect(out.data[i + 1]).toBe(out.data[i]);
        expect(out.data[i + 2]).toBe(out.data[i]);
      }
    });

    it('face_recognition/tests/test_images/32bit.png: RGBA, alpha dropped', async () => {
      const bytes = read('face_recognition/tests/test_images/32bit.png');
      const out = await decoder.decode(bytes);
      expect(out).toMatchObject({ width: 626, height: 1200, format: 'png', orientation: 1 });
      const rgba = await new Transformer(bytes).rawPixels();
      expect(rgba.length).toBe(626 * 1200 * 4);
      for (let p = 0; p < 626 * 1200; p += 101) {
        expect(out.data[p * 3]).toBe(rgba[p * 4]);
        expect(out.data[p * 3 + 2]).toBe(rgba[p * 4 + 2]);
      }
    });

    it('misc/debian-skimage/camera.png: an 8-bit gray PNG', async () => {
      const out = await decoder.decode(read('misc/debian-skimage/camera.png'));
      expect(out).toMatchObject({ width: 512, height: 512, format: 'png' });
      expect(out.data[3 * 1000 + 1]).toBe(out.data[3 * 1000]);
    });

    it('deepface/tests/unit/dataset/img47.jpg is a WebP named .jpg: refused', async () => {
      const error = await expectRekognitionError(
        decoder.decode(read('deepface/tests/unit/dataset/img47.jpg')),
        'InvalidImageFormatException',
      );
      expect(error.message).toBe('Request has invalid image format.');
      expect(causeMessage(error)).toMatch(/WebP/);
    });

    it('misc/large-nasa: 5568×3712 (20.7 MP) photos decode under the default limits', async () => {
      const dir = 'misc/large-nasa/';
      const names = [
        'andrew-morgan-and-nick-hague-conduct-in-flight-interviews_48708316717_o.jpg',
        'andrew-morgan-of-nasa-monitors-tiny-free-floating-satellites-known-as-spheres_48537462412_o.jpg',
        'astronaut-alexander-gerst-calibrates-and-operates-the-sextant-navigation-device_42403293545_o.jpg',
      ].filter((name) => existsSync(fileURLToPath(new URL(dir + name, root))));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(statSync(new URL(dir + name, root)).size).toBeLessThan(5 * 1024 * 1024);
        const out = await decoder.decode(read(dir + name));
        expect(out).toMatchObject({ width: 5568, height: 3712, orientation: 1, format: 'jpeg' });
        expect(out.data.length).toBe(5568 * 3712 * 3);
      }
      // Refused under a tighter limit, from the header alone.
      await expectRekognitionError(
        decoder.decode(read(dir + names[0]), { maxPixels: 20_000_000 }),
        'ImageTooLargeException',
      );
    });
  },
);
