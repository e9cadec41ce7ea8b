import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceDetail } from '@facekit/core';
import { iou } from '@facekit/core/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFaceAnalyzer } from '../src/index.js';
import { datasets, realPhotoSkipReason } from './real-photo-setup.js';

// A photo taken upside down whose file has no EXIF orientation (WIDER FACE has several): the
// detector finds no upright face, so the analyzer searches the image turned.
const photo = join(
  datasets,
  'widerface-val-subset/data/WIDER_val/images/20--Family_Group/20_Family_Group_Family_Group_20_90.jpg',
);
const why = realPhotoSkipReason(photo);

/** `[x1, y1, x2, y2]` in pixels. */
const pixels = (d: FaceDetail, w: number, h: number) => {
  const b = d.BoundingBox ?? {};
  const [x1, y1] = [(b.Left ?? 0) * w, (b.Top ?? 0) * h];
  return [x1, y1, x1 + (b.Width ?? 0) * w, y1 + (b.Height ?? 0) * h];
};

describe.skipIf(why !== '')(`an upside-down photo without EXIF orientation${why}`, () => {
  let analyzer: Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;
  beforeAll(async () => {
    analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
  }, 60_000);
  afterAll(() => analyzer?.close());

  it('finds its two clear faces, boxed in the image as given, rolled about 180°', async () => {
    const bytes = new Uint8Array(readFileSync(photo));
    const strict = await createNodeFaceAnalyzer({
      faceModelVersion: '1.0',
      detection: { turnedScoreThreshold: 1 },
    });
    const upright = await strict.analyze(bytes, { attributes: ['DEFAULT'], embedLargest: 0 });
    await strict.close();
    expect(upright.faces).toHaveLength(0);

    const result = await analyzer.analyze(bytes, { attributes: ['DEFAULT'], embedLargest: 1 });
    expect([result.width, result.height]).toEqual([1024, 768]);
    const found = result.faces.map((f) => pixels(f.detail, result.width, result.height));
    // WIDER's ground truth for this photo, [x, y, width, height].
    for (const [x, y, w, h] of [
      [692, 620, 92, 138],
      [450, 548, 76, 92],
    ]) {
      const truth = [x, y, x + w, y + h];
      expect(Math.max(0, ...found.map((f) => iou([...f, ...truth], 0, 1)))).toBeGreaterThan(0.5);
    }
    for (const face of result.faces) {
      expect(Math.abs(face.detail.Pose?.Roll ?? 0)).toBeGreaterThan(150);
    }
    expect(result.faces[0].embedding).toHaveLength(512);
  });
});
