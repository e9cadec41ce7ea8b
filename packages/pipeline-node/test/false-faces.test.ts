import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceDetail } from '@facekit/core';
import { defaultDetectionVerifier, qualityBars } from '@facekit/core/analyzer';
import { iou } from '@facekit/core/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFaceAnalyzer } from '../src/index.js';
import { datasets, faceModelIds, realPhotoSkipReason } from './real-photo-setup.js';

// Photos without a human face that the detector alone takes for faces (a dog 99.0, a cat 72.6,
// a baboon 76.3 and 66.1), a WIDER photo of two people where it boxed clasped hands at 94, one
// of a painted family portrait where it boxed a doll's face at 95, and portraits that must keep
// their face.
const animals = [
  'dlib-faces/examples/faces/dogs.jpg',
  'misc/debian-skimage/chelsea.png',
  'misc/debian-opencv-doc/baboon.jpg',
].map((p) => join(datasets, p));
const widerGroup = '13--Interview/13_Interview_Interview_2_People_Visible_13_245.jpg';
const widerPainting = '20--Family_Group/20_Family_Group_Family_Group_20_374.jpg';
const widerDir = join(datasets, 'widerface-val-subset');
/**
 * Portraits: two where the detector also boxes something O-Net rejects, the smallest portrait
 * face (kit_with_rose.jpg, 126 px) and a plain one.
 */
const portraits = [
  'face_recognition/examples/knn_examples/test/johnsnow_test1.jpg',
  'face_recognition/examples/knn_examples/test/kit_with_rose.jpg',
  'deepface/tests/unit/dataset/img41.jpg',
  'deepface/tests/unit/dataset/img1.jpg',
].map((p) => join(datasets, p));
const why = realPhotoSkipReason(
  [...animals, join(widerDir, 'data')],
  [...faceModelIds('1.0'), 'mtcnn-onet-48', 'mtcnn-rnet-24'],
);

/** `[x1, y1, x2, y2]` in pixels. */
const pixels = (d: FaceDetail, w: number, h: number) => {
  const b = d.BoundingBox ?? {};
  const [x1, y1] = [(b.Left ?? 0) * w, (b.Top ?? 0) * h];
  return [x1, y1, x1 + (b.Width ?? 0) * w, y1 + (b.Height ?? 0) * h];
};

/** WIDER's boxes (valid and invalid) of one photo, `[x1, y1, x2, y2]`. */
function widerBoxes(name: string): number[][] {
  const lines = readFileSync(join(widerDir, 'wider_face_val_bbx_gt.subset.txt'), 'utf8').split(
    /\r?\n/,
  );
  const at = lines.findIndex((l) => l.trim() === name);
  if (at < 0) throw new Error(`${name} is not in WIDER's ground truth`);
  const count = Number(lines[at + 1]);
  return lines.slice(at + 2, at + 2 + count).map((l) => {
    const [x, y, w, h] = l.trim().split(/\s+/).map(Number);
    return [x, y, x + w, y + h];
  });
}

describe.skipIf(why !== '')(`false faces${why}`, () => {
  let analyzer: Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;
  beforeAll(async () => {
    analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
  }, 60_000);
  afterAll(() => analyzer?.close());

  const analyze = (path: string) =>
    analyzer.analyze(new Uint8Array(readFileSync(path)), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });

  it('ships the O-Net verifier in the default pipeline', () => {
    expect(defaultDetectionVerifier).not.toBe(false);
  });

  it.each(animals)('%s: no face at all', async (path) => {
    const result = await analyze(path);
    expect(result.faces.map((f) => f.detail.Confidence)).toEqual([]);
  });

  it.each(portraits)('%s: the portrait keeps its face', async (path) => {
    const result = await analyze(path);
    expect(result.faces.length).toBeGreaterThan(0);
    expect(result.faces[0].detail.Confidence).toBeGreaterThanOrEqual(qualityBars.LOW.minConfidence);
  });

  /** Faces of `result` with Confidence ≥ 90 that lie on no WIDER box (IoU ≤ 0.2). */
  const offTruth = (result: Awaited<ReturnType<typeof analyze>>, truth: number[][]) =>
    result.faces.filter((face) => {
      const box = pixels(face.detail, result.width, result.height);
      const best = Math.max(0, ...truth.map((t) => iou([...box, ...t], 0, 1)));
      return (face.detail.Confidence ?? 0) >= 90 && best <= 0.2;
    });

  it('without the verifier, the same photos give confident false faces (what this guards)', async () => {
    const bare = await createNodeFaceAnalyzer({
      faceModelVersion: '1.0',
      detectionVerifier: false,
    });
    const run = (path: string) =>
      bare.analyze(new Uint8Array(readFileSync(path)), {
        attributes: ['DEFAULT'],
        embedLargest: 0,
      });
    try {
      const dogs = await run(animals[0]);
      expect(Math.max(...dogs.faces.map((f) => f.detail.Confidence ?? 0))).toBeGreaterThan(90);
      for (const name of [widerGroup, widerPainting]) {
        const group = await run(join(widerDir, 'data/WIDER_val/images', name));
        expect(offTruth(group, widerBoxes(name)).length).toBeGreaterThan(0);
      }
      const baboon = await run(animals[2]);
      expect(baboon.faces.length).toBeGreaterThan(0);
    } finally {
      await bare.close();
    }
  });

  it.each([widerGroup, widerPainting])(
    '%s: every face above Confidence 90 lies on a WIDER face',
    async (name) => {
      const result = await analyze(join(widerDir, 'data/WIDER_val/images', name));
      expect(result.faces.filter((f) => (f.detail.Confidence ?? 0) >= 90).length).toBeGreaterThan(
        0,
      );
      const wrong = offTruth(result, widerBoxes(name));
      expect(
        wrong.map((f) => pixels(f.detail, result.width, result.height).map(Math.round)),
      ).toEqual([]);
    },
  );

  it('Confidence never reaches 100', async () => {
    for (const path of portraits) {
      for (const face of (await analyze(path)).faces) {
        expect(face.detail.Confidence).toBeLessThan(100);
      }
    }
  });
});
