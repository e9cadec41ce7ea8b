import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoundingBox } from '@facekit/core';
import type { OnnxFaceAnalyzer } from '@facekit/core/analyzer';
import { dot } from '@facekit/core/vector';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFaceAnalyzer } from '../src/index.js';
import { datasets, realPhotoSkipReason } from './real-photo-setup.js';

const photosDir = join(datasets, 'deepface/tests/unit/dataset');
/** Photos of 0.2–3.6 MP: one face each, and two for the couple. */
const photos = ['img1.jpg', 'img11.jpg', 'img22.jpg', 'couple.jpg'];
const why = realPhotoSkipReason(photosDir);
const options = { attributes: [], embedLargest: 100 } as const;

function iou(a: BoundingBox, b: BoundingBox): number {
  const [ax, ay, aw, ah] = [a.Left ?? 0, a.Top ?? 0, a.Width ?? 0, a.Height ?? 0];
  const [bx, by, bw, bh] = [b.Left ?? 0, b.Top ?? 0, b.Width ?? 0, b.Height ?? 0];
  const w = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const h = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  return (w * h) / (aw * ah + bw * bh - w * h);
}

describe.skipIf(why !== '')(`decoding at the scale the pipeline needs${why}`, () => {
  let scaled: OnnxFaceAnalyzer;
  let fullSize: OnnxFaceAnalyzer;
  beforeAll(async () => {
    scaled = await createNodeFaceAnalyzer();
    fullSize = await createNodeFaceAnalyzer({ detection: { scaledDecoding: false } });
  }, 120_000);
  afterAll(async () => {
    await scaled?.close();
    await fullSize?.close();
  });

  it.each(photos)(
    '%s upscaled to 12 MP: the same faces, boxes, landmarks and embeddings as a full decode',
    async (name) => {
      const original = await readFile(join(photosDir, name));
      const { width = 0, height = 0 } = await sharp(original).metadata();
      const k = Math.sqrt(12e6 / (width * height));
      const phone = await sharp(original)
        .resize(Math.round(width * k), Math.round(height * k))
        .jpeg({ quality: 90 })
        .toBuffer();
      const [a, b] = [await scaled.analyze(phone, options), await fullSize.analyze(phone, options)];
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      expect(a.faces.length).toBe(b.faces.length);
      expect(a.faces.length).toBeGreaterThan(0);
      for (const [i, face] of a.faces.entries()) {
        const other = b.faces[i];
        const box = face.detail.BoundingBox ?? {};
        expect(iou(box, other.detail.BoundingBox ?? {})).toBeGreaterThan(0.93);
        // Landmarks within 0.6% of the face's height on average (measured: 0.04–0.35%).
        const points = face.detail.Landmarks ?? [];
        const otherPoints = other.detail.Landmarks ?? [];
        let error = 0;
        for (const [j, p] of points.entries()) {
          const q = otherPoints[j];
          error += Math.hypot(
            ((p.X ?? 0) - (q.X ?? 0)) * a.width,
            ((p.Y ?? 0) - (q.Y ?? 0)) * a.height,
          );
        }
        expect(error / points.length / face.heightPx).toBeLessThan(0.006);
        // Same person photos score about 0.5–0.8 with this embedder; measured here 0.96–0.9995.
        expect(
          dot(face.embedding ?? new Float32Array(), other.embedding ?? new Float32Array()),
        ).toBeGreaterThan(0.95);
        // Sharpness is measured on a 64 px crop, resampled exactly from the smaller raster.
        const sharpness =
          (face.detail.Quality?.Sharpness ?? 0) - (other.detail.Quality?.Sharpness ?? 0);
        expect(Math.abs(sharpness)).toBeLessThan(10);
      }
    },
    120_000,
  );

  it.each(photos)(
    '%s as given: the same answer as a full decode',
    async (name) => {
      const bytes = await readFile(join(photosDir, name));
      const [a, b] = [await scaled.analyze(bytes, options), await fullSize.analyze(bytes, options)];
      expect(a.faces.length).toBe(b.faces.length);
      for (const [i, face] of a.faces.entries()) {
        expect(
          iou(face.detail.BoundingBox ?? {}, b.faces[i].detail.BoundingBox ?? {}),
        ).toBeGreaterThan(0.93);
        expect(
          dot(face.embedding ?? new Float32Array(), b.faces[i].embedding ?? new Float32Array()),
        ).toBeGreaterThan(0.95);
      }
    },
    120_000,
  );
});
