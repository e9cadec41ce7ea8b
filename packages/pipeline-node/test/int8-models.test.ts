import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { int8Models } from '@facekit/core/analyzer';
import { dot } from '@facekit/core/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFaceAnalyzer } from '../src/index.js';
import { datasets, realPhotoSkipReason } from './real-photo-setup.js';

const people = join(datasets, 'face_recognition/examples/knn_examples/train');
const photos = existsSync(people)
  ? readdirSync(people)
      .sort()
      .flatMap((person) =>
        readdirSync(join(people, person))
          .sort()
          .map((file) => join(people, person, file)),
      )
  : [];

const why = realPhotoSkipReason(people, Object.entries(int8Models).flat());

type Analyzer = Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;
type Result = Awaited<ReturnType<Analyzer['analyze']>>;

function iou(a: Result['faces'][number], b: Result['faces'][number]): number {
  const [x, y] = [a.detail.BoundingBox ?? {}, b.detail.BoundingBox ?? {}];
  const left = Math.max(x.Left ?? 0, y.Left ?? 0);
  const top = Math.max(x.Top ?? 0, y.Top ?? 0);
  const right = Math.min((x.Left ?? 0) + (x.Width ?? 0), (y.Left ?? 0) + (y.Width ?? 0));
  const bottom = Math.min((x.Top ?? 0) + (x.Height ?? 0), (y.Top ?? 0) + (y.Height ?? 0));
  const inter = Math.max(0, right - left) * Math.max(0, bottom - top);
  const area = (r: typeof x) => (r.Width ?? 0) * (r.Height ?? 0);
  return inter / (area(x) + area(y) - inter);
}

// The int8 models approximate the float ones: the same faces, nearly the same embeddings.
describe.skipIf(why !== '')(`int8 detector and embedder on real photos${why}`, () => {
  const results = new Map<string, { float: Result; int8: Result }>();
  const analyzers: Analyzer[] = [];

  beforeAll(async () => {
    const float = await createNodeFaceAnalyzer({ attributes: false });
    const int8 = await createNodeFaceAnalyzer({
      attributes: false,
      int8: ['detector', 'embedder'],
    });
    analyzers.push(float, int8);
    for (const path of photos) {
      const bytes = new Uint8Array(await readFile(path));
      const options = { attributes: ['DEFAULT'] as const, embedLargest: 1 };
      results.set(path, {
        float: await float.analyze(bytes, options),
        int8: await int8.analyze(bytes, options),
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const analyzer of analyzers) await analyzer.close();
  });

  it('finds the same faces in the same places', () => {
    for (const [path, { float, int8 }] of results) {
      expect(int8.faces.length, path).toBe(float.faces.length);
      for (const face of float.faces) {
        expect(Math.max(...int8.faces.map((f) => iou(f, face))), path).toBeGreaterThan(0.9);
      }
    }
  });

  it('embeds each face close to the float embedding (cosine ≥ 0.97)', () => {
    const cosines = [...results.values()].map(({ float, int8 }) => {
      const [a, b] = [float.faces[0]?.embedding, int8.faces[0]?.embedding];
      if (!a || !b) throw new Error('a face without an embedding');
      return dot(a, b);
    });
    expect(cosines.length).toBe(photos.length);
    expect(Math.min(...cosines)).toBeGreaterThan(0.97);
    // Not the float model under another name.
    expect(Math.min(...cosines)).toBeLessThan(0.99999);
  });
});
