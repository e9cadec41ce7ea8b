import { describe, expect, it } from 'vitest';
import type { DecodedImage, ImageDecoder } from '../image/image-decoder.js';
import type { RgbImage } from '../image/raster.js';
import type { InferenceBackend, InferenceSession, Tensor } from '../inference/inference-backend.js';
import { type ModelManifestEntry, sha256Hex } from '../onnx-models/model-manifest.js';
import {
  blankImage,
  fakeUltraFace,
  fillRect,
  meanFace68,
} from '../pipeline/__fixtures__/synthetic.js';
import { alignFace } from '../pipeline/embed/align.js';
import { extractFaceChip } from '../pipeline/embed/face-chip.js';
import { toTensor } from '../pipeline/input/to-tensor.js';
import { decodeLandmarks, fivePoints, landmarkCrop } from '../pipeline/landmarks/landmarks.js';
import { dot } from '../vector/vector-math.js';
import type { AnalyzedFace } from './face-analyzer.js';
import { createOnnxFaceAnalyzer, type EmbedderAlignment } from './onnx-face-analyzer.js';
import { linearSimilarityScale } from './similarity-scale.js';

const encoder = new TextEncoder();

async function source(
  task: ModelManifestEntry['task'],
  input: ModelManifestEntry['input'],
  output: string,
) {
  const bytes = encoder.encode(task);
  const entry: ModelManifestEntry = {
    id: `fake-${task}`,
    version: '1',
    task,
    file: `${task}.onnx`,
    sha256: await sha256Hex(bytes),
    bytes: bytes.length,
    source: { package: 'fake@1.0.0', file: `${task}.onnx`, method: 'copied' },
    license: 'MIT',
    provenance: 'test double',
    input,
    outputs:
      task === 'detection'
        ? [
            { name: 'boxes', dims: [1, 4420, 4], description: 'boxes' },
            { name: 'scores', dims: [1, 4420, 2], description: 'scores' },
          ]
        : [{ name: output, dims: [1, 128], description: output }],
  };
  return { entry, bytes };
}

const rgb = (name: string, side: number): ModelManifestEntry['input'] => ({
  name,
  dims: [1, 3, side, side],
  layout: 'NCHW',
  channels: 'RGB',
  mean: [0, 0, 0],
  std: [255, 255, 255],
});

/**
 * Sessions standing in for the three models: the embedder records each input it gets and answers
 * with a non-unit vector.
 */
function fakeBackend(inputs: Tensor[]): InferenceBackend {
  const session = (run: (feeds: Record<string, Tensor>) => Record<string, Tensor>) =>
    ({
      inputNames: [],
      outputNames: [],
      run: async (feeds) => run(feeds),
      release: async () => {},
    }) satisfies InferenceSession;
  return {
    specificationVersion: 'v1',
    name: 'fake',
    async loadModel(model) {
      const task = new TextDecoder().decode(model);
      if (task === 'detection') return session((feeds) => fakeUltraFace(feeds.det_in));
      if (task === 'landmarks') {
        return session(() => ({ lm_out: { data: meanFace68(), dims: [1, 136] } }));
      }
      return session((feeds) => {
        inputs.push(feeds.emb_in);
        return { emb_out: { data: new Float32Array(128).fill(2), dims: [1, 128] } };
      });
    },
  };
}

async function embedWith(alignment: EmbedderAlignment | undefined, side = 150) {
  const inputs: Tensor[] = [];
  const image = blankImage(400, 300);
  fillRect(image, 120, 60, 160, 160);
  const decoder: ImageDecoder = {
    specificationVersion: 'v1',
    name: 'fake',
    decode: async (): Promise<DecodedImage> => ({ ...image, format: 'png', orientation: 1 }),
  };
  const embedderSource = await source('embedding', rgb('emb_in', side), 'emb_out');
  const embedder = embedderSource.entry;
  const analyzer = createOnnxFaceAnalyzer({
    backend: fakeBackend(inputs),
    decoder,
    models: {
      detector: await source(
        'detection',
        {
          name: 'det_in',
          dims: [1, 3, 240, 320],
          layout: 'NCHW',
          channels: 'RGB',
          mean: [127, 127, 127],
          std: [128, 128, 128],
        },
        '',
      ),
      landmarks: await source(
        'landmarks',
        {
          name: 'lm_in',
          dims: [1, 1, 64, 64],
          layout: 'NCHW',
          channels: 'GRAY',
          mean: [0],
          std: [256],
        },
        'lm_out',
      ),
      embedder: { ...embedderSource, alignment },
    },
    faceModelVersion: '2.0',
    similarity: linearSimilarityScale,
  });
  const result = await analyzer.analyze(new Uint8Array(1), {
    attributes: ['DEFAULT'],
    embedLargest: 1,
  });
  const face = result.faces[0];
  return { input: inputs[0], embedding: face.embedding as Float32Array, face, image, embedder };
}

/** The 68 points the analyzer found: the fake landmark model's output in the crop of its box. */
function landmarksOf(face: AnalyzedFace, image: RgbImage): Float32Array {
  const b = face.detail.BoundingBox ?? {};
  const x1 = (b.Left ?? 0) * image.width;
  const y1 = (b.Top ?? 0) * image.height;
  const box = {
    x1,
    y1,
    x2: x1 + (b.Width ?? 0) * image.width,
    y2: y1 + (b.Height ?? 0) * image.height,
  };
  return decodeLandmarks(meanFace68(), landmarkCrop(box));
}

/** Largest difference between a model input and the tensor of an expected crop. */
function maxDifference(input: Tensor, crop: RgbImage, entry: ModelManifestEntry): number {
  const expected = toTensor(crop, entry.input).data;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    max = Math.max(max, Math.abs(expected[i] - input.data[i]));
  }
  return max;
}

describe('createOnnxFaceAnalyzer embedder alignment', () => {
  it('feeds dlib face chips of the input size, and still normalises the embedding', async () => {
    const { input, embedding } = await embedWith({ kind: 'dlib-chip', size: 150, padding: 0.25 });
    expect(input.dims).toEqual([1, 3, 150, 150]);
    expect(embedding).toHaveLength(128);
    expect(dot(embedding, embedding)).toBeCloseTo(1, 6);
  });

  it('crops with extractFaceChip for dlib-chip, and with alignFace by default', async () => {
    const arcface = await embedWith(undefined);
    const explicit = await embedWith({ kind: 'arcface112' });
    const chip = await embedWith({ kind: 'dlib-chip' });
    expect(arcface.input.data).toEqual(explicit.input.data);
    const points = landmarksOf(chip.face, chip.image);
    const oneLevel = 1 / 255 + 1e-6; // bilinear rounding of a box recovered from ratios
    expect(
      maxDifference(chip.input, extractFaceChip(chip.image, points).image, chip.embedder),
    ).toBeLessThanOrEqual(oneLevel);
    const arcfaceCrop = alignFace(arcface.image, fivePoints(points), { width: 150, height: 150 });
    expect(maxDifference(arcface.input, arcfaceCrop.image, arcface.embedder)).toBeLessThanOrEqual(
      oneLevel,
    );
    expect(maxDifference(chip.input, arcfaceCrop.image, chip.embedder)).toBeGreaterThan(0.5);
  });

  it('refuses a chip size the embedder does not take', async () => {
    await expect(embedWith({ kind: 'dlib-chip', size: 112 })).rejects.toThrow(/150×150/);
  });
});
