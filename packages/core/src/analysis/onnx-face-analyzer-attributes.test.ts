import { beforeAll, describe, expect, it } from 'vitest';
import type { DecodedImage, ImageDecoder } from '../image/image-decoder.js';
import type { RgbImage } from '../image/raster.js';
import type { InferenceBackend, InferenceSession, Tensor } from '../inference/inference-backend.js';
import type { Attribute } from '../model/wire-types.generated.js';
import { type ModelManifestEntry, sha256Hex } from '../onnx-models/model-manifest.js';
import {
  blankImage,
  fakeUltraFace,
  fillRect,
  meanFace68,
} from '../pipeline/__fixtures__/synthetic.js';
import { validateShape } from '../validation/validate-shape.js';
import type { AttributeModels } from './attribute-estimator.js';
import { createOnnxFaceAnalyzer, type ModelSource } from './onnx-face-analyzer.js';
import { linearSimilarityScale } from './similarity-scale.js';

/**
 * Which attribute models run for which `Attributes`, through a backend that counts every model
 * load and run: DEFAULT must not touch an attribute model, and each named attribute only its own.
 */

const NAMES = ['detector', 'landmarks', 'embedder', 'ageGender', 'expression', 'eyes'] as const;
type Name = (typeof NAMES)[number];
const bytes = Object.fromEntries(
  NAMES.map((n) => [n, new TextEncoder().encode(`fake ${n}`)]),
) as Record<Name, Uint8Array>;

const rgb = (name: string, side: number) =>
  ({
    name,
    dims: [1, 3, side, side],
    layout: 'NCHW',
    channels: 'RGB',
    mean: [127, 127, 127],
    std: [128, 128, 128],
  }) as const;

const specs: Record<Name, Pick<ModelManifestEntry, 'task' | 'input' | 'outputs'>> = {
  detector: {
    task: 'detection',
    // The detector's input is 320×240, not square.
    input: { ...rgb('det_in', 240), dims: [1, 3, 240, 320] },
    outputs: [
      { name: 'det_boxes', dims: [1, 4420, 4], description: 'boxes' },
      { name: 'det_scores', dims: [1, 4420, 2], description: 'scores' },
    ],
  },
  landmarks: {
    task: 'landmarks',
    input: {
      name: 'lm_in',
      dims: [1, 1, 64, 64],
      layout: 'NCHW',
      channels: 'GRAY',
      mean: [0],
      std: [256],
    },
    outputs: [{ name: 'lm_out', dims: [1, 136], description: '68 points' }],
  },
  embedder: {
    task: 'embedding',
    input: rgb('emb_in', 112),
    outputs: [{ name: 'emb_out', dims: [1, 512], description: 'embedding' }],
  },
  ageGender: {
    task: 'age',
    input: rgb('ag_in', 112),
    outputs: [
      { name: 'age', dims: [1, 1], description: 'years' },
      { name: 'gender', dims: [1, 2], description: 'male, female' },
    ],
  },
  expression: {
    task: 'expression',
    input: rgb('ex_in', 112),
    outputs: [{ name: 'expressions', dims: [1, 7], description: 'probabilities' }],
  },
  eyes: {
    task: 'eyes',
    input: {
      name: 'eye_in',
      dims: [1, 1, 24, 24],
      layout: 'NCHW',
      channels: 'GRAY',
      mean: [0],
      std: [255],
    },
    outputs: [{ name: 'eye_out', dims: [1, 2], description: 'closed, open logits' }],
  },
};

const entries = {} as Record<Name, ModelManifestEntry>;
beforeAll(async () => {
  for (const name of NAMES) {
    entries[name] = {
      id: `fake-${name}`,
      version: '1',
      file: `${name}.onnx`,
      sha256: await sha256Hex(bytes[name]),
      bytes: bytes[name].length,
      source: { package: 'fake@1.0.0', file: `${name}.onnx`, method: 'copied' },
      license: 'MIT',
      provenance: 'test double',
      ...specs[name],
    };
  }
});

const outputsOf: Record<Name, (feeds: Record<string, Tensor>) => Record<string, Tensor>> = {
  detector: (feeds) => {
    const { scores, boxes } = fakeUltraFace(feeds.det_in);
    return { det_scores: scores, det_boxes: boxes };
  },
  landmarks: () => ({ lm_out: { data: meanFace68(), dims: [1, 136] } }),
  embedder: () => ({ emb_out: { data: new Float32Array(512).fill(1), dims: [1, 512] } }),
  ageGender: () => ({
    age: { data: Float32Array.of(8.4), dims: [1, 1] },
    gender: { data: Float32Array.of(0.9, 0.1), dims: [1, 2] },
  }),
  // neutral, happy, sad, angry, fearful, disgusted, surprised
  expression: () => ({
    expressions: { data: Float32Array.of(0.1, 0.7, 0.05, 0.05, 0.04, 0.03, 0.03), dims: [1, 7] },
  }),
  eyes: () => ({ eye_out: { data: Float32Array.of(-3, 3), dims: [1, 2] } }),
};

function countingBackend() {
  const loads: Record<string, number> = {};
  const runs: Record<string, number> = {};
  const released: string[] = [];
  const backend: InferenceBackend = {
    specificationVersion: 'v1',
    name: 'counting',
    async loadModel(model) {
      const name = new TextDecoder().decode(model).replace('fake ', '') as Name;
      loads[name] = (loads[name] ?? 0) + 1;
      const session: InferenceSession = {
        inputNames: [],
        outputNames: [],
        async run(feeds) {
          runs[name] = (runs[name] ?? 0) + 1;
          expect(Object.keys(feeds)).toEqual([entries[name].input.name]);
          return outputsOf[name](feeds);
        },
        async release() {
          released.push(name);
        },
      };
      return session;
    },
  };
  return { backend, loads, runs, released };
}

function decoderFor(image: RgbImage): ImageDecoder {
  return {
    specificationVersion: 'v1',
    name: 'fake',
    async decode(): Promise<DecodedImage> {
      return { ...image, format: 'png', orientation: 1 };
    },
  };
}

/** Two white "faces" on black, large enough for 16 px eyes. */
const image = (() => {
  const img = blankImage(640, 480);
  fillRect(img, 40, 60, 260, 260);
  fillRect(img, 380, 120, 180, 180);
  return img;
})();

function setUp(options: { lazySources?: boolean; load?: 'lazy' | 'startup' } = {}) {
  const counting = countingBackend();
  const source = (n: Name): ModelSource => ({ entry: entries[n], bytes: bytes[n] });
  const opened: string[] = [];
  const attr = (n: 'ageGender' | 'expression' | 'eyes') =>
    options.lazySources
      ? async () => {
          opened.push(n);
          return source(n);
        }
      : source(n);
  const models: AttributeModels = {
    ageGender: attr('ageGender'),
    expression: attr('expression'),
    eyes: attr('eyes'),
  };
  const analyzer = createOnnxFaceAnalyzer({
    backend: counting.backend,
    decoder: decoderFor(image),
    models: {
      detector: source('detector'),
      landmarks: source('landmarks'),
      embedder: source('embedder'),
    },
    faceModelVersion: '1.0',
    similarity: linearSimilarityScale,
    detection: { tiling: false },
    attributes: { models, load: options.load },
  });
  return { analyzer, ...counting, opened };
}

const analyze = (a: ReturnType<typeof setUp>['analyzer'], attributes: Attribute[]) =>
  a.analyze(new Uint8Array(1), { attributes, embedLargest: 0 });

const ATTRIBUTE_MEMBERS = [
  'AgeRange',
  'Gender',
  'Emotions',
  'Smile',
  'EyesOpen',
  'MouthOpen',
  'FaceOccluded',
  'EyeDirection',
  'Eyeglasses',
  'Sunglasses',
  'Beard',
  'Mustache',
];
const attributeMembers = (detail: object) =>
  Object.keys(detail)
    .filter((k) => ATTRIBUTE_MEMBERS.includes(k))
    .sort();

describe('FaceDetail attributes', () => {
  it('DEFAULT runs no attribute model and returns no attribute', async () => {
    const t = setUp({ lazySources: true });
    for (const attributes of [['DEFAULT'], []] as Attribute[][]) {
      const result = await analyze(t.analyzer, attributes);
      expect(result.faces).toHaveLength(2);
      for (const face of result.faces) expect(attributeMembers(face.detail)).toEqual([]);
    }
    expect(t.opened).toEqual([]);
    expect(t.loads).toEqual({ detector: 1, landmarks: 1, embedder: 1 });
    expect(t.runs.ageGender ?? 0).toBe(0);
    expect(t.runs.expression ?? 0).toBe(0);
    expect(t.runs.eyes ?? 0).toBe(0);
  });

  it.each([
    [['AGE_RANGE'], ['ageGender'], ['AgeRange']],
    [['GENDER'], ['ageGender'], ['Gender']],
    [['DEFAULT', 'EMOTIONS'], ['expression'], ['Emotions']],
    [['SMILE'], ['expression'], ['Smile']],
    [['EYES_OPEN'], ['eyes'], ['EyesOpen']],
    [['MOUTH_OPEN'], [], ['MouthOpen']],
    [['FACE_OCCLUDED'], [], ['FaceOccluded']],
    [['BEARD', 'MUSTACHE', 'EYEGLASSES', 'SUNGLASSES'], [], []],
  ] as [Attribute[], string[], string[]][])(
    '%j runs only %j and returns only %j',
    async (attributes, models, members) => {
      const t = setUp({ lazySources: true });
      const result = await analyze(t.analyzer, attributes);
      for (const face of result.faces) {
        expect(attributeMembers(face.detail)).toEqual([...members].sort());
        expect(face.detail.Landmarks).toHaveLength(5);
      }
      expect(t.opened.sort()).toEqual(models);
      for (const m of ['ageGender', 'expression', 'eyes']) {
        const expected = models.includes(m) ? (m === 'eyes' ? 4 : 2) : 0;
        expect(t.runs[m] ?? 0, m).toBe(expected);
      }
    },
  );

  it('ALL returns every computable attribute, valid against the API model, in wire order', async () => {
    const t = setUp();
    const result = await analyze(t.analyzer, ['ALL']);
    expect(t.runs).toMatchObject({ ageGender: 2, expression: 2, eyes: 4 });
    for (const face of result.faces) {
      const d = face.detail;
      expect(validateShape('FaceDetail', d, 'FaceDetail')).toEqual([]);
      // EyeDirection needs a visible iris: the synthetic faces are flat white.
      expect(attributeMembers(d)).toEqual(
        ['AgeRange', 'Emotions', 'EyesOpen', 'FaceOccluded', 'Gender', 'MouthOpen', 'Smile'].sort(),
      );
      expect(d.Landmarks).toHaveLength(30);
      expect(d.AgeRange).toEqual({ Low: 4, High: 13 });
      expect(d.Gender).toEqual({ Value: 'Male', Confidence: expect.closeTo(90, 4) });
      expect(d.Emotions?.[0]).toEqual({ Type: 'HAPPY', Confidence: expect.closeTo(70 / 1.03, 4) });
      expect(d.Emotions?.map((e) => e.Type).sort()).toEqual([
        'ANGRY',
        'CALM',
        'CONFUSED',
        'DISGUSTED',
        'FEAR',
        'HAPPY',
        'SAD',
        'SURPRISED',
      ]);
      expect(d.Smile).toEqual({ Value: true, Confidence: expect.closeTo(70, 4) });
      expect(d.EyesOpen?.Value).toBe(true);
      expect(d.FaceOccluded).toEqual({ Value: false, Confidence: 75 });
      expect(Object.keys(d)).toEqual([
        'BoundingBox',
        'AgeRange',
        'Smile',
        'Gender',
        'EyesOpen',
        'MouthOpen',
        'Emotions',
        'Landmarks',
        'Pose',
        'Quality',
        'Confidence',
        'FaceOccluded',
      ]);
    }
    // Sessions are made once and shared by later requests.
    await analyze(t.analyzer, ['ALL']);
    expect(t.loads).toMatchObject({ ageGender: 1, expression: 1, eyes: 1 });
    await t.analyzer.close();
    expect(t.released.sort()).toEqual([
      'ageGender',
      'detector',
      'embedder',
      'expression',
      'eyes',
      'landmarks',
    ]);
  });

  it('loads every attribute model in load() with startup loading, none without', async () => {
    const eager = setUp({ load: 'startup', lazySources: true });
    await eager.analyzer.load();
    expect(eager.loads).toMatchObject({ ageGender: 1, expression: 1, eyes: 1, detector: 1 });
    expect(eager.runs).toEqual({});
    const lazy = setUp({ lazySources: true });
    await lazy.analyzer.load();
    expect(lazy.loads).toEqual({ detector: 1, landmarks: 1, embedder: 1 });
  });

  it('leaves out attributes whose model is missing, and refuses a model of the wrong task', async () => {
    const counting = countingBackend();
    const source = (n: Name): ModelSource => ({ entry: entries[n], bytes: bytes[n] });
    const make = (models: AttributeModels) =>
      createOnnxFaceAnalyzer({
        backend: counting.backend,
        decoder: decoderFor(image),
        models: {
          detector: source('detector'),
          landmarks: source('landmarks'),
          embedder: source('embedder'),
        },
        faceModelVersion: '1.0',
        similarity: linearSimilarityScale,
        detection: { tiling: false },
        attributes: { models },
      });
    const none = await analyze(make({}), ['ALL']);
    expect(attributeMembers(none.faces[0].detail)).toEqual(['FaceOccluded', 'MouthOpen']);
    await expect(analyze(make({ ageGender: source('expression') }), ['AGE_RANGE'])).rejects.toThrow(
      /fake-expression is a expression model; the ageGender attributes need a age model/,
    );
  });

  it('refuses attribute model bytes that fail their sha256', async () => {
    const counting = countingBackend();
    const source = (n: Name): ModelSource => ({ entry: entries[n], bytes: bytes[n] });
    const a = createOnnxFaceAnalyzer({
      backend: counting.backend,
      decoder: decoderFor(image),
      models: {
        detector: source('detector'),
        landmarks: source('landmarks'),
        embedder: source('embedder'),
      },
      faceModelVersion: '1.0',
      similarity: linearSimilarityScale,
      detection: { tiling: false },
      attributes: {
        models: { eyes: { entry: entries.eyes, bytes: new TextEncoder().encode('tampered') } },
      },
    });
    await expect(analyze(a, ['EYES_OPEN'])).rejects.toThrow(/sha256/i);
    expect(counting.loads.eyes ?? 0).toBe(0);
  });
});
