import { describe, expect, it } from 'vitest';
import type {
  InferenceBackend,
  InferenceSession,
  Tensor,
} from '../../inference/inference-backend.js';
import { type ModelManifestEntry, sha256Hex } from '../../onnx-models/model-manifest.js';
import { blankImage, fillRect } from '../__fixtures__/synthetic.js';
import type { FaceBox } from './detection.js';
import { rawDetectionConfidence } from './detection-confidence.js';
import {
  createDetectionVerifier,
  defaultDetectionVerifierOptions,
  keepsFace,
  type VerifiedFaceBox,
  verificationCrop,
  verifyFaceBoxes,
} from './detection-verifier.js';

const model = new TextEncoder().encode('fake verifier');

async function verifierEntry(task: ModelManifestEntry['task'] = 'verification') {
  return {
    id: 'fake-onet',
    version: '1',
    task,
    file: 'fake-onet.onnx',
    sha256: await sha256Hex(model),
    bytes: model.length,
    source: { package: 'fake@1.0.0', file: 'onet.tflite', method: 'converted' },
    license: 'MIT',
    provenance: 'test double',
    input: {
      name: 'input',
      dims: [-1, 3, 48, 48],
      layout: 'NCHW',
      channels: 'RGB',
      mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128],
    },
    outputs: [
      { name: 'prob', dims: [-1, 2], description: 'non-face, face' },
      { name: 'box', dims: [-1, 4], description: 'regression' },
    ],
  } satisfies ModelManifestEntry;
}

/**
 * A classifier that calls a crop a face in proportion to how bright it is: `prob` = mean of the
 * normalised input mapped to 0–1. Records the batch shapes it saw.
 */
function brightnessSession(seen: number[][]): InferenceSession {
  return {
    inputNames: ['input'],
    outputNames: ['prob', 'box'],
    async run(feeds: Record<string, Tensor>) {
      const { data, dims } = feeds.input;
      seen.push([...dims]);
      const n = dims[0];
      const per = data.length / n;
      const prob = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let k = 0; k < per; k++) sum += data[i * per + k];
        const face = Math.min(1, Math.max(0, (sum / per + 1) / 2));
        prob.set([1 - face, face], i * 2);
      }
      return {
        prob: { data: prob, dims: [n, 2] },
        box: { data: new Float32Array(n * 4), dims: [n, 4] },
      };
    },
    async release() {},
  };
}

// A 400×200 image: white on the left half, black on the right, one grey square in the middle.
const image = blankImage(400, 200, 0);
fillRect(image, 0, 0, 200, 200, [255, 255, 255]);
fillRect(image, 180, 150, 40, 40, [140, 140, 140]);
const box = (x1: number, y1: number, side: number, score = 0.9): FaceBox => ({
  x1,
  y1,
  x2: x1 + side,
  y2: y1 + side,
  score,
});

describe('detection verifier', () => {
  it('drops small faces below minFaceProbability and large ones below largeFaceMinProbability', () => {
    const o = defaultDetectionVerifierOptions;
    expect(keepsFace(20, 0, o)).toBe(true); // under minHeight: never checked
    expect(keepsFace(60, 0.04, o)).toBe(false);
    expect(keepsFace(60, 0.06, o)).toBe(true);
    expect(keepsFace(200, 0.2, o)).toBe(false);
    expect(keepsFace(200, 0.35, o)).toBe(true);
  });

  it('crops a square of the longer side around the box', () => {
    expect(verificationCrop({ x1: 10, y1: 20, x2: 30, y2: 60, score: 1 })).toEqual({
      x: 0,
      y: 20,
      width: 40,
      height: 40,
    });
  });

  it('scores every checked box in one batch, keeps boxes under minHeight unchecked', async () => {
    const seen: number[][] = [];
    const entry = await verifierEntry();
    const boxes = [box(20, 20, 150), box(220, 20, 150), box(180, 150, 40), box(300, 10, 12)];
    const kept = await verifyFaceBoxes(brightnessSession(seen), entry, image, boxes);
    expect(seen).toEqual([[3, 3, 48, 48]]);
    // The black box (probability about 0) is dropped; the tiny one was never checked.
    expect(kept.map((b) => b.x1)).toEqual([20, 180, 300]);
    const [white, grey, tiny] = kept as VerifiedFaceBox[];
    expect(white.faceProbability).toBeGreaterThan(0.99);
    expect(grey.faceProbability).toBeGreaterThan(0.5);
    expect(grey.faceProbability).toBeLessThan(0.6);
    expect(tiny.faceProbability).toBeUndefined();
  });

  it('gives each face probability band its own Confidence scale, the others the fallback', async () => {
    const entry = await verifierEntry();
    const backend: InferenceBackend = {
      specificationVersion: 'v1',
      name: 'fake',
      loadModel: async () => brightnessSession([]),
    };
    const verifier = createDetectionVerifier({
      backend,
      model: { entry, bytes: model },
      options: {
        // Given out of order: the lowest band that applies wins.
        confidenceBands: [
          { below: 0.99, confidence: [[0.5, 50]] },
          { below: 0.6, confidence: [[0.5, 10]] },
        ],
      },
    });
    const kept = await verifier.verify(image, [
      box(20, 20, 150),
      box(180, 150, 40),
      box(120, 20, 100),
      box(300, 10, 12),
    ]);
    expect(kept).toHaveLength(4);
    const [white, grey, half, tiny] = kept as VerifiedFaceBox[];
    expect(half.faceProbability).toBeGreaterThan(0.6);
    expect(half.faceProbability).toBeLessThan(0.99);
    const at = (b: FaceBox) => verifier.confidenceFor(b, rawDetectionConfidence).toPercent(0.9);
    expect(at(white)).toBeCloseTo(90);
    expect(at(grey)).toBe(10);
    expect(at(half)).toBe(50);
    expect(at(tiny)).toBeCloseTo(90);
    await verifier.close();
  });

  it('asks the confirming classifier about doubted faces only, drops those it finds unlikely', async () => {
    const entry = await verifierEntry();
    const seen: number[][] = [];
    const confirmSeen: number[][] = [];
    /** A confirming classifier that gives every crop the same face probability `q`. */
    const constant = (q: number): InferenceSession => ({
      inputNames: ['input'],
      outputNames: ['prob', 'box'],
      async run(feeds: Record<string, Tensor>) {
        const n = feeds.input.dims[0];
        confirmSeen.push([...feeds.input.dims]);
        const prob = new Float32Array(n * 2);
        for (let i = 0; i < n; i++) prob.set([1 - q, q], i * 2);
        return { prob: { data: prob, dims: [n, 2] } };
      },
      async release() {},
    });
    const confirmModel = new TextEncoder().encode('fake confirmer');
    const confirmEntry = {
      ...(await verifierEntry()),
      id: 'fake-rnet',
      sha256: await sha256Hex(confirmModel),
      bytes: confirmModel.length,
      input: { ...entry.input, dims: [-1, 3, 24, 24] },
    };
    for (const [q, expected] of [
      [0.04, [20]],
      [0.06, [20, 180]],
    ] as const) {
      const backend: InferenceBackend = {
        specificationVersion: 'v1',
        name: 'fake',
        loadModel: async (bytes) =>
          bytes.length === confirmModel.length ? constant(q) : brightnessSession(seen),
      };
      const verifier = createDetectionVerifier({
        backend,
        model: { entry, bytes: model },
        confirm: { entry: confirmEntry, bytes: confirmModel },
        options: { doubtBelow: 0.6, confirmMinProbability: 0.05 },
      });
      confirmSeen.length = 0;
      // White (sure), grey (doubted), black (dropped by the first classifier).
      const kept = await verifier.verify(image, [
        box(20, 20, 150),
        box(180, 150, 40),
        box(220, 20, 150),
      ]);
      expect(kept.map((b) => b.x1)).toEqual(expected);
      expect(confirmSeen).toEqual([[1, 3, 24, 24]]);
      const grey = kept[1] as VerifiedFaceBox | undefined;
      if (grey) expect(grey.confirmProbability).toBeCloseTo(q);
      expect((kept[0] as VerifiedFaceBox).confirmProbability).toBeUndefined();
      await verifier.close();
    }
  });

  it('refuses a model of another task, and bytes that fail their sha256', async () => {
    const backend: InferenceBackend = {
      specificationVersion: 'v1',
      name: 'fake',
      loadModel: async () => brightnessSession([]),
    };
    const detection = await verifierEntry('detection');
    expect(() =>
      createDetectionVerifier({ backend, model: { entry: detection, bytes: model } }),
    ).toThrow(/verification model/);
    const verifier = createDetectionVerifier({
      backend,
      model: { entry: await verifierEntry(), bytes: new TextEncoder().encode('tampered') },
    });
    await expect(verifier.verify(image, [box(20, 20, 150)])).rejects.toThrow();
  });
});
