import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dot } from '@facekit/core/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFaceAnalyzer, type FaceModelVersion, faceModels } from '../src/index.js';
import { datasets, faceModelIds, realPhotoSkipReason } from './real-photo-setup.js';

const people = join(datasets, 'face_recognition/examples/knn_examples/train');

/** Two photos of each of four people (face_recognition's knn example, one face per photo). */
const photos: Record<string, [string, string]> = {
  obama: ['obama/obama.jpg', 'obama/obama2.jpg'],
  biden: ['biden/biden.jpg', 'biden/biden2.jpg'],
  kit_harington: ['kit_harington/john1.jpeg', 'kit_harington/john2.jpeg'],
  rose_leslie: ['rose_leslie/img1.jpg', 'rose_leslie/img2.jpg'],
};

const embeddingLength: Record<FaceModelVersion, number> = { '1.0': 512, '2.0': 128 };

for (const version of Object.keys(faceModels) as FaceModelVersion[]) {
  const why = realPhotoSkipReason(people, faceModelIds(version));

  describe.skipIf(why !== '')(`face model ${version}${why}`, () => {
    const embeddings = new Map<string, Float32Array[]>();
    let analyzer: Awaited<ReturnType<typeof createNodeFaceAnalyzer>> | undefined;

    beforeAll(async () => {
      analyzer = await createNodeFaceAnalyzer({ faceModelVersion: version });
      for (const [person, files] of Object.entries(photos)) {
        const vectors: Float32Array[] = [];
        for (const file of files) {
          const bytes = new Uint8Array(await readFile(join(people, file)));
          const result = await analyzer.analyze(bytes, {
            attributes: ['DEFAULT'],
            embedLargest: 1,
          });
          const embedding = result.faces[0]?.embedding;
          if (!embedding) throw new Error(`No face embedded in ${file}`);
          vectors.push(embedding);
        }
        embeddings.set(person, vectors);
      }
    }, 60_000);

    afterAll(() => analyzer?.close());

    it(`embeds ${embeddingLength[version]}-d unit vectors`, () => {
      for (const vectors of embeddings.values()) {
        for (const v of vectors) {
          expect(v).toHaveLength(embeddingLength[version]);
          expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
        }
      }
    });

    it('scores two photos of one person above any two different people', () => {
      const same = [...embeddings.values()].map(([a, b]) => dot(a, b));
      const different: number[] = [];
      const all = [...embeddings.values()];
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          for (const a of all[i]) for (const b of all[j]) different.push(dot(a, b));
        }
      }
      expect(Math.min(...same)).toBeGreaterThan(Math.max(...different));
    });

    it('calibrates Similarity so the same person clears 80% and different people do not', () => {
      const scale = analyzer?.similarity;
      if (!scale) throw new Error('no analyzer');
      const all = [...embeddings.values()];
      for (const [a, b] of all) expect(scale.toPercent(dot(a, b))).toBeGreaterThan(80);
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          expect(scale.toPercent(dot(all[i][0], all[j][0]))).toBeLessThan(80);
        }
      }
    });
  });
}
