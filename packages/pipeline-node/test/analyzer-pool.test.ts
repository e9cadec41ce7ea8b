import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidImageFormatException, RekognitionError } from '@facekit/core';
import type { OnnxFaceAnalyzer } from '@facekit/core/analyzer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNodeFaceAnalyzer,
  createNodeFaceAnalyzerPool,
  createScaledImageDecoder,
} from '../src/index.js';
import { datasets, realPhotoSkipReason } from './real-photo-setup.js';

const train = join(datasets, 'face_recognition/examples/knn_examples/train');
const photos = ['obama/obama.jpg', 'biden/biden.jpg', 'rose_leslie/img1.jpg', 'obama/obama2.jpg'];
const why = realPhotoSkipReason(train);
const options = { attributes: [], embedLargest: 1 } as const;

describe.skipIf(why !== '')(`createNodeFaceAnalyzerPool${why}`, () => {
  let pool: OnnxFaceAnalyzer;
  let inThread: OnnxFaceAnalyzer;
  let images: Uint8Array[];
  beforeAll(async () => {
    images = await Promise.all(photos.map((p) => readFile(join(train, p))));
    pool = await createNodeFaceAnalyzerPool({ workers: 2 });
    inThread = await createNodeFaceAnalyzer();
  }, 120_000);
  afterAll(async () => {
    await pool?.close();
    await inThread?.close();
  });

  it('answers as the in-thread analyzer does, images spread over the workers', async () => {
    const [pooled, direct] = await Promise.all([
      Promise.all(images.map((b) => pool.analyze(b, options))),
      Promise.all(images.map((b) => inThread.analyze(b, options))),
    ]);
    expect(pool.faceModelVersion).toBe(inThread.faceModelVersion);
    for (const [i, analysis] of pooled.entries()) {
      expect(analysis.faces.length).toBe(direct[i].faces.length);
      expect(analysis.faces[0].detail).toEqual(direct[i].faces[0].detail);
      expect(analysis.faces[0].embedding).toBeInstanceOf(Float32Array);
      expect(Array.from(analysis.faces[0].embedding ?? [])).toEqual(
        Array.from(direct[i].faces[0].embedding ?? []),
      );
    }
  }, 120_000);

  it('analyses decoded pixels (video frames) in a worker as in-thread', async () => {
    const pixels = await createScaledImageDecoder().decode(images[0]);
    const frameOptions = { ...options, tryTurned: false };
    const [pooled, direct] = await Promise.all([
      pool.analyzePixels?.(pixels, frameOptions),
      inThread.analyzePixels?.(pixels, frameOptions),
    ]);
    expect(pooled?.faces.length).toBeGreaterThan(0);
    expect(pooled?.faces.length).toBe(direct?.faces.length);
    expect(pooled?.faces[0].detail).toEqual(direct?.faces[0].detail);
    expect(Array.from(pooled?.faces[0].embedding ?? [])).toEqual(
      Array.from(direct?.faces[0].embedding ?? []),
    );
  }, 120_000);

  it('rebuilds core errors thrown in a worker as the same class', async () => {
    const error = await pool
      .analyze(new TextEncoder().encode('not an image at all'), options)
      .catch((e: unknown) => e);
    expect(RekognitionError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(InvalidImageFormatException);
  });

  it('leaves the calling thread free while the workers compute', async () => {
    // Timer ticks measure how long the event loop is held. Compared with the in-thread analyzer
    // on the same images in the same run, so a loaded machine slows both alike.
    const longestHold = async (analyzer: OnnxFaceAnalyzer) => {
      let worst = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 2);
      await Promise.all([...images, ...images].map((b) => analyzer.analyze(b, options)));
      clearInterval(timer);
      return worst;
    };
    const inThreadHold = await longestHold(inThread);
    const pooledHold = await longestHold(pool);
    // In-thread inference holds the loop for a whole image (about 190 ms on an idle machine).
    expect(pooledHold).toBeLessThan(inThreadHold / 2);
  }, 120_000);
});
