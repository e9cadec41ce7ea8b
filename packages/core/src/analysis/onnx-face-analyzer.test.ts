import { beforeAll, describe, expect, it } from 'vitest';
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
import { piecewiseLinearDetectionConfidence } from '../pipeline/detect/detection-confidence.js';
import { dot } from '../vector/vector-math.js';
import { createOnnxFaceAnalyzer, type OnnxFaceAnalyzerOptions } from './onnx-face-analyzer.js';
import { linearSimilarityScale } from './similarity-scale.js';

const encoder = new TextEncoder();
const bytes = {
  detector: encoder.encode('fake detector'),
  landmarks: encoder.encode('fake landmarks'),
  embedder: encoder.encode('fake embedder'),
};

async function entry(
  task: ModelManifestEntry['task'],
  model: Uint8Array,
  input: ModelManifestEntry['input'],
  outputs: ModelManifestEntry['outputs'],
): Promise<ModelManifestEntry> {
  return {
    id: `fake-${task}`,
    version: '1',
    task,
    file: `${task}.onnx`,
    sha256: await sha256Hex(model),
    bytes: model.length,
    source: { package: 'fake@1.0.0', file: `${task}.onnx`, method: 'copied' },
    license: 'MIT',
    provenance: 'test double',
    input,
    outputs,
  };
}

let entries: {
  detector: ModelManifestEntry;
  landmarks: ModelManifestEntry;
  embedder: ModelManifestEntry;
};

beforeAll(async () => {
  entries = {
    detector: await entry(
      'detection',
      bytes.detector,
      {
        name: 'det_in',
        dims: [1, 3, 240, 320],
        layout: 'NCHW',
        channels: 'RGB',
        mean: [127, 127, 127],
        std: [128, 128, 128],
      },
      [
        { name: 'det_boxes', dims: [1, 4420, 4], description: 'boxes' },
        { name: 'det_scores', dims: [1, 4420, 2], description: 'scores' },
      ],
    ),
    landmarks: await entry(
      'landmarks',
      bytes.landmarks,
      {
        name: 'lm_in',
        dims: [1, 1, 64, 64],
        layout: 'NCHW',
        channels: 'GRAY',
        mean: [0],
        std: [256],
      },
      [{ name: 'lm_out', dims: [1, 136], description: '68 points' }],
    ),
    embedder: await entry(
      'embedding',
      bytes.embedder,
      {
        name: 'emb_in',
        dims: [1, 3, 112, 112],
        layout: 'NCHW',
        channels: 'RGB',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
      [{ name: 'emb_out', dims: [1, 512], description: 'embedding' }],
    ),
  };
});

/**
 * A backend whose sessions stand in for the three models, counting loads and runs. With
 * `uprightOnly`, the detector ignores blobs wider than tall, as a real one misses sideways faces.
 */
function fakeBackend({ uprightOnly = false } = {}) {
  const counts = { loads: 0, detector: 0, landmarks: 0, embedder: 0, released: 0 };
  const sessionOptions: Record<string, unknown> = {};
  const session = (
    run: (feeds: Record<string, Tensor>) => Record<string, Tensor>,
  ): InferenceSession => ({
    inputNames: [],
    outputNames: [],
    run: async (feeds) => {
      await Promise.resolve();
      return run(feeds);
    },
    release: async () => {
      counts.released++;
    },
  });
  const backend: InferenceBackend = {
    specificationVersion: 'v1',
    name: 'fake',
    async loadModel(model, options) {
      counts.loads++;
      const name = new TextDecoder().decode(model);
      sessionOptions[name] = options;
      if (name === 'fake detector') {
        return session((feeds) => {
          counts.detector++;
          const { scores, boxes } = fakeUltraFace(feeds.det_in);
          const [, , h, w] = feeds.det_in.dims;
          for (let i = 0; uprightOnly && i < scores.data.length / 2; i++) {
            const [x1, y1, x2, y2] = boxes.data.subarray(i * 4, i * 4 + 4);
            if ((x2 - x1) * w > (y2 - y1) * h) scores.data.set([1, 0], i * 2);
          }
          return { det_scores: scores, det_boxes: boxes };
        });
      }
      if (name === 'fake landmarks') {
        return session((feeds) => {
          counts.landmarks++;
          expect(feeds.lm_in.dims).toEqual([1, 1, 64, 64]);
          return { lm_out: { data: meanFace68(), dims: [1, 136] } };
        });
      }
      return session((feeds) => {
        counts.embedder++;
        const input = feeds.emb_in;
        expect(input.dims).toEqual([1, 3, 112, 112]);
        // Not unit length: the analyzer must normalise it.
        const v = new Float32Array(512).fill(0.5);
        v[0] = 3 + input.data[0];
        return { emb_out: { data: v, dims: [1, 512] } };
      });
    },
  };
  return { backend, counts, sessionOptions };
}

/** A decoder that hands out synthetic images registered for byte arrays. */
function fakeDecoder() {
  const images = new Map<Uint8Array, RgbImage>();
  const decoder: ImageDecoder = {
    specificationVersion: 'v1',
    name: 'fake',
    async decode(data): Promise<DecodedImage> {
      const image = images.get(data);
      if (!image) throw new Error('unknown image');
      return { ...image, format: 'png', orientation: 1 };
    },
  };
  const register = (image: RgbImage) => {
    const key = new Uint8Array(1);
    images.set(key, image);
    return key;
  };
  return { decoder, register };
}

function analyzer(overrides: Partial<OnnxFaceAnalyzerOptions> = {}, uprightOnly = false) {
  const { backend, counts } = fakeBackend({ uprightOnly });
  const { decoder, register } = fakeDecoder();
  const instance = createOnnxFaceAnalyzer({
    backend,
    decoder,
    models: {
      detector: { entry: entries.detector, bytes: bytes.detector },
      landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
      embedder: { entry: entries.embedder, bytes: bytes.embedder },
    },
    faceModelVersion: '1.0',
    similarity: linearSimilarityScale,
    ...overrides,
  });
  return { analyzer: instance, counts, register };
}

/** White squares ("faces") on black: [x, y, side]. */
function squares(width: number, height: number, list: number[][]): RgbImage {
  const image = blankImage(width, height);
  for (const [x, y, side] of list) fillRect(image, x, y, side, side);
  return image;
}

describe('createOnnxFaceAnalyzer', () => {
  it('describes every face, largest first, with ratios of the image', async () => {
    const { analyzer: a, register } = analyzer();
    const list = [
      [500, 300, 40],
      [60, 50, 120],
      [300, 320, 80],
    ];
    const result = await a.analyze(register(squares(640, 480, list)), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });
    expect(result.width).toBe(640);
    expect(result.height).toBe(480);
    expect(result.faces.map((f) => Math.round(f.heightPx / 10))).toEqual([12, 8, 4]);
    const [big] = result.faces;
    const box = big.detail.BoundingBox;
    expect(box?.Left).toBeCloseTo(60 / 640, 2);
    expect(box?.Top).toBeCloseTo(50 / 480, 2);
    expect(box?.Width).toBeCloseTo(120 / 640, 2);
    expect(box?.Height).toBeCloseTo(120 / 480, 2);
    expect(big.detail.Confidence).toBeCloseTo(99);
    expect(big.detail.Landmarks?.map((l) => l.Type)).toEqual([
      'eyeLeft',
      'eyeRight',
      'mouthLeft',
      'mouthRight',
      'nose',
    ]);
    // The fake landmark model puts the nose tip at 50%/60% of the crop.
    const nose = big.detail.Landmarks?.[4];
    expect(nose?.X).toBeCloseTo((60 + 60) / 640, 1);
    expect(Object.keys(big.detail.Pose ?? {}).sort()).toEqual(['Pitch', 'Roll', 'Yaw']);
    for (const v of Object.values(big.detail.Pose ?? {})) expect(Number.isFinite(v)).toBe(true);
    expect(big.detail.Quality?.Brightness).toBeGreaterThan(90); // a white square
    expect(result.faces.every((f) => f.embedding === undefined)).toBe(true);
  });

  it('returns all 30 landmarks only for ALL', async () => {
    const { analyzer: a, register } = analyzer();
    const key = register(squares(320, 240, [[100, 60, 90]]));
    const all = await a.analyze(key, { attributes: ['ALL'], embedLargest: 0 });
    expect(all.faces[0].detail.Landmarks).toHaveLength(30);
    const some = await a.analyze(key, { attributes: ['DEFAULT', 'EMOTIONS'], embedLargest: 0 });
    expect(some.faces[0].detail.Landmarks).toHaveLength(5);
  });

  it('embeds only the embedLargest largest faces, as unit vectors', async () => {
    const { analyzer: a, counts, register } = analyzer();
    const image = squares(640, 480, [
      [20, 20, 50],
      [200, 40, 100],
      [400, 300, 70],
    ]);
    const result = await a.analyze(register(image), { attributes: ['DEFAULT'], embedLargest: 2 });
    expect(counts.embedder).toBe(2);
    expect(result.faces.map((f) => f.embedding !== undefined)).toEqual([true, true, false]);
    for (const f of result.faces.slice(0, 2)) {
      expect(f.embedding).toHaveLength(512);
      expect(dot(f.embedding as Float32Array, f.embedding as Float32Array)).toBeCloseTo(1, 5);
    }
    const many = await a.analyze(register(image), { attributes: ['DEFAULT'], embedLargest: 10 });
    expect(many.faces.every((f) => f.embedding !== undefined)).toBe(true);
  });

  it('keeps at most the 100 largest faces', async () => {
    const { analyzer: a, counts, register } = analyzer({ detection: { tiling: false } });
    // 120 squares of 8–13 px on a 320×240 image (scale 1 in the detector).
    const list: number[][] = [];
    for (let i = 0; i < 120; i++)
      list.push([(i % 16) * 20 + 2, Math.floor(i / 16) * 20 + 2, 8 + (i % 6)]);
    const result = await a.analyze(register(squares(320, 240, list)), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });
    expect(result.faces).toHaveLength(100);
    expect(counts.landmarks).toBe(100);
    const heights = result.faces.map((f) => Math.round(f.heightPx));
    expect(heights).toEqual([...heights].sort((x, y) => y - x));
    // 120 squares, 20 of each size 8..13: the 20 dropped are the 8-px ones.
    expect(Math.min(...heights)).toBe(9);
  });

  it('finds small faces in tiles beyond the full pass', async () => {
    const { analyzer: a, counts, register } = analyzer();
    const image = squares(1280, 960, [
      [100, 100, 60],
      [900, 700, 24],
    ]);
    const result = await a.analyze(register(image), { attributes: ['DEFAULT'], embedLargest: 0 });
    expect(counts.detector).toBe(5); // full pass + 2×2 tiles
    expect(result.faces).toHaveLength(2);
    expect(result.faces[1].detail.BoundingBox?.Left).toBeCloseTo(900 / 1280, 2);
  });

  it('finds a sideways face in the turned image and reports it in the image as given', async () => {
    // A "face" twice as wide as tall: the upright-only detector sees it only after a quarter turn.
    const image = blankImage(640, 480);
    fillRect(image, 100, 200, 160, 80);
    const { analyzer: a, counts, register } = analyzer({ detection: { tiling: false } }, true);
    const key = register(image);
    const result = await a.analyze(key, { attributes: ['ALL'], embedLargest: 1 });
    expect(counts.detector).toBe(4); // upright, then turned 90°, 270° and 180°
    expect(result.width).toBe(640);
    expect(result.faces).toHaveLength(1);
    const [face] = result.faces;
    expect(face.detail.BoundingBox?.Left).toBeCloseTo(100 / 640, 2);
    expect(face.detail.BoundingBox?.Top).toBeCloseTo(200 / 480, 2);
    expect(face.detail.BoundingBox?.Width).toBeCloseTo(160 / 640, 2);
    expect(face.detail.BoundingBox?.Height).toBeCloseTo(80 / 480, 2);
    expect(face.heightPx).toBeCloseTo(160, -1); // the face's own height: its long side here
    // Upright in the image turned clockwise, so turned a quarter anticlockwise as given.
    expect(face.detail.Pose?.Roll).toBeCloseTo(-90, 0);
    expect(face.detail.Landmarks).toHaveLength(30);
    for (const l of face.detail.Landmarks ?? []) {
      expect(Math.abs((l.X ?? 0) * 640 - 180)).toBeLessThan(100);
      expect(Math.abs((l.Y ?? 0) * 480 - 240)).toBeLessThan(100);
    }
    // The top of the face points left in the image as given (turning it clockwise makes it
    // upright), so the nose, below the face's centre, lies right of the box's centre.
    const nose = face.detail.Landmarks?.find((l) => l.Type === 'nose');
    expect(nose?.X).toBeGreaterThan(185 / 640);
    expect(nose?.Y).toBeCloseTo(240 / 480, 1);
    expect(face.embedding).toHaveLength(512);

    const { analyzer: strict, register: registerStrict } = analyzer(
      { detection: { tiling: false, turnedScoreThreshold: 1 } },
      true,
    );
    const none = await strict.analyze(registerStrict(image), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });
    expect(none.faces).toHaveLength(0);
  });

  it('returns no faces for an empty image', async () => {
    const { analyzer: a, counts, register } = analyzer();
    const result = await a.analyze(register(blankImage(400, 300)), {
      attributes: ['ALL'],
      embedLargest: 1,
    });
    expect(result).toEqual({ width: 400, height: 300, faces: [] });
    expect(counts.landmarks + counts.embedder).toBe(0);
  });

  it('loads the three sessions once, even under concurrent calls, and releases them', async () => {
    const { analyzer: a, counts, register } = analyzer();
    const key = register(squares(320, 240, [[100, 60, 90]]));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => a.analyze(key, { attributes: ['DEFAULT'], embedLargest: 1 })),
    );
    expect(counts.loads).toBe(3);
    for (const r of results) expect(r.faces).toHaveLength(1);
    expect(results[0].faces[0].embedding).toEqual(results[4].faces[0].embedding);
    await a.close();
    expect(counts.released).toBe(3);
    await a.analyze(key, { attributes: ['DEFAULT'], embedLargest: 0 });
    expect(counts.loads).toBe(6);
  });

  it('passes session options, per model over the shared ones', async () => {
    const { backend, sessionOptions } = fakeBackend();
    const { decoder, register } = fakeDecoder();
    const a = createOnnxFaceAnalyzer({
      backend,
      decoder,
      models: {
        detector: { entry: entries.detector, bytes: bytes.detector },
        landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
        embedder: {
          entry: entries.embedder,
          bytes: bytes.embedder,
          sessionOptions: { threads: 2 },
        },
      },
      faceModelVersion: '1.0',
      similarity: linearSimilarityScale,
      sessionOptions: { threads: 1 },
    });
    await a.analyze(register(blankImage(100, 100)), { attributes: [], embedLargest: 0 });
    expect(sessionOptions).toEqual({
      'fake detector': { threads: 1 },
      'fake landmarks': { threads: 1 },
      'fake embedder': { threads: 2 },
    });
  });

  it('refuses model bytes that fail their sha256 check, and retries later', async () => {
    const { backend, counts } = fakeBackend();
    const { decoder, register } = fakeDecoder();
    const models = {
      detector: { entry: entries.detector, bytes: encoder.encode('tampered') },
      landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
      embedder: { entry: entries.embedder, bytes: bytes.embedder },
    };
    const a = createOnnxFaceAnalyzer({
      backend,
      decoder,
      models,
      faceModelVersion: '1.0',
      similarity: linearSimilarityScale,
    });
    const key = register(blankImage(100, 100));
    const options = { attributes: [], embedLargest: 0 };
    await expect(a.analyze(key, options)).rejects.toThrow(/integrity check/);
    await expect(a.analyze(key, options)).rejects.toThrow(/integrity check/);
    expect(counts.loads).toBe(0);
  });

  it('releases the sessions that loaded when another fails to load', async () => {
    const { backend, counts } = fakeBackend();
    const failing: InferenceBackend = {
      ...backend,
      loadModel: async (model, options) => {
        if (new TextDecoder().decode(model) === 'fake embedder') throw new Error('no memory');
        return backend.loadModel(model, options);
      },
    };
    const { decoder, register } = fakeDecoder();
    const a = createOnnxFaceAnalyzer({
      backend: failing,
      decoder,
      models: {
        detector: { entry: entries.detector, bytes: bytes.detector },
        landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
        embedder: { entry: entries.embedder, bytes: bytes.embedder },
      },
      faceModelVersion: '1.0',
      similarity: linearSimilarityScale,
    });
    await expect(
      a.analyze(register(blankImage(100, 100)), { attributes: [], embedLargest: 0 }),
    ).rejects.toThrow('no memory');
    expect(counts.released).toBe(2);
  });

  it('checks that each model does the job it is given', () => {
    expect(() =>
      createOnnxFaceAnalyzer({
        backend: fakeBackend().backend,
        decoder: fakeDecoder().decoder,
        models: {
          detector: { entry: entries.landmarks, bytes: bytes.landmarks },
          landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
          embedder: { entry: entries.embedder, bytes: bytes.embedder },
        },
        faceModelVersion: '1.0',
        similarity: linearSimilarityScale,
      }),
    ).toThrow(/detection model/);
  });

  it('exposes its model version and similarity scale', () => {
    const { analyzer: a } = analyzer({ faceModelVersion: '2.5' });
    expect(a.specificationVersion).toBe('v1');
    expect(a.faceModelVersion).toBe('2.5');
    expect(a.similarity).toBe(linearSimilarityScale);
  });
});

describe('createOnnxFaceAnalyzer: confidence and verifier', () => {
  const list = [
    [500, 300, 40],
    [60, 50, 120],
    [300, 320, 80],
  ];

  it('reports Confidence through the calibration and keeps the raw probability', async () => {
    const { analyzer: a, register } = analyzer({
      confidence: piecewiseLinearDetectionConfidence([
        [0.5, 20],
        [0.9, 60],
      ]),
    });
    const result = await a.analyze(register(squares(640, 480, list)), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });
    expect(result.faces).toHaveLength(3);
    for (const face of result.faces) {
      expect(face.detectionScore).toBeCloseTo(0.99);
      // Above the last anchor: its percentage.
      expect(face.detail.Confidence).toBe(60);
    }
  });

  it('a verifier that finds nothing drops the faces it checks; smaller ones skip it', async () => {
    const verifierBytes = encoder.encode('fake verifier');
    const grids = [512, 384];
    const verifierEntry = await entry(
      'detection',
      verifierBytes,
      {
        name: 'v_in',
        dims: [1, 128, 128, 3],
        layout: 'NHWC',
        channels: 'RGB',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
      grids.flatMap((n, g) => [
        { name: `v_scores${g}`, dims: [1, n, 1], description: 'score logits' },
        { name: `v_boxes${g}`, dims: [1, n, 16], description: 'regressions' },
      ]),
    );
    const { backend } = fakeBackend();
    let verified = 0;
    const withVerifier: InferenceBackend = {
      ...backend,
      async loadModel(model, options) {
        if (new TextDecoder().decode(model) !== 'fake verifier') {
          return backend.loadModel(model, options);
        }
        return {
          inputNames: [],
          outputNames: [],
          run: async () => {
            verified++;
            return Object.fromEntries(
              grids.flatMap((n, g) => [
                [`v_scores${g}`, { data: new Float32Array(n).fill(-10), dims: [1, n, 1] }],
                [`v_boxes${g}`, { data: new Float32Array(n * 16), dims: [1, n, 16] }],
              ]),
            );
          },
          release: async () => {},
        };
      },
    };
    const { decoder, register } = fakeDecoder();
    const a = createOnnxFaceAnalyzer({
      backend: withVerifier,
      decoder,
      models: {
        detector: { entry: entries.detector, bytes: bytes.detector },
        landmarks: { entry: entries.landmarks, bytes: bytes.landmarks },
        embedder: { entry: entries.embedder, bytes: bytes.embedder },
        verifier: { entry: verifierEntry, bytes: verifierBytes },
      },
      faceModelVersion: '1.0',
      similarity: linearSimilarityScale,
      detection: { verifyMinHeight: 60, turnedScoreThreshold: 1 },
    });
    const result = await a.analyze(register(squares(640, 480, list)), {
      attributes: ['DEFAULT'],
      embedLargest: 0,
    });
    expect(verified).toBe(2);
    expect(result.faces.map((f) => Math.round(f.heightPx / 10))).toEqual([4]);
  });
});
