import { describe, expect, it } from 'vitest';
import type { ModelInput } from '../../onnx-models/model-manifest.js';
import { blankImage, fakeUltraFace, fillRect } from '../__fixtures__/synthetic.js';
import { transformRegion } from '../input/resize.js';
import { neutralFill, toTensor } from '../input/to-tensor.js';
import {
  type DetectionPass,
  type DetectionPlan,
  decodeUltraFace,
  type FaceBox,
  mergeDetections,
  planDetection,
  renderPass,
  shouldRunTiles,
} from './detection.js';

const detector: ModelInput = {
  name: 'input',
  dims: [1, 3, 240, 320],
  layout: 'NCHW',
  channels: 'RGB',
  mean: [127, 127, 127],
  std: [128, 128, 128],
};

/** Synthetic detector outputs holding the given boxes (fractions of the model input). */
function outputs(boxes: number[][], scores: number[]) {
  const n = 10;
  const s = new Float32Array(n * 2);
  const b = new Float32Array(n * 4);
  boxes.forEach((box, i) => {
    b.set(box, i * 4);
    s[i * 2 + 1] = scores[i];
  });
  return [
    { data: s, dims: [1, n, 2] },
    { data: b, dims: [1, n, 4] },
  ] as const;
}

/** The image region a tile's model input shows. */
function tileRegion(plan: DetectionPlan, pass: DetectionPass) {
  return transformRegion(pass.transform, plan.modelWidth, plan.modelHeight);
}

describe('planDetection', () => {
  it('uses the full pass alone when the image fits the model', () => {
    const plan = planDetection(320, 240, 320, 240);
    expect(plan.full.transform).toEqual({ scale: 1, offsetX: 0, offsetY: 0 });
    expect(plan.tiles).toEqual([]);
    expect(planDetection(200, 100, 320, 240).tiles).toEqual([]);
    expect(planDetection(4000, 3000, 320, 240, false).tiles).toEqual([]);
  });

  it('tiles a large image in a 2×2 grid at the largest scale that fits', () => {
    const plan = planDetection(1024, 768, 320, 240, { finerGrids: [] });
    expect(plan.full.transform.scale).toBeCloseTo(0.3125);
    expect(plan.tiles).toHaveLength(4);
    // 2 tiles of 320 with 25% overlap cover 560 model px: 560 / 1024.
    for (const t of plan.tiles) expect(t.transform.scale).toBeCloseTo(560 / 1024);
    expect(plan.tiles.map((t) => t.innerEdges)).toEqual([
      { left: false, top: false, right: true, bottom: true },
      { left: true, top: false, right: false, bottom: true },
      { left: false, top: true, right: true, bottom: false },
      { left: true, top: true, right: false, bottom: false },
    ]);
  });

  it('never plans more than maxTiles, and more tiles give a finer scale', () => {
    for (const [w, h] of [
      [1920, 1080],
      [5568, 3712],
      [600, 2400],
    ]) {
      const four = planDetection(w, h, 320, 240, { maxTiles: 4, zoom: 8, finerGrids: [] });
      const nine = planDetection(w, h, 320, 240, { maxTiles: 9, zoom: 8, finerGrids: [] });
      expect(four.tiles.length).toBeLessThanOrEqual(4);
      expect(nine.tiles.length).toBeLessThanOrEqual(9);
      expect(nine.tiles[0].transform.scale).toBeGreaterThan(four.tiles[0].transform.scale);
    }
  });

  it('adds finer grids after the first, each gaining minGain over the one before', () => {
    const plan = planDetection(1024, 768, 320, 240, { finerGrids: [{ zoom: 3, maxTiles: 9 }] });
    const scales = plan.tiles.map((t) => t.transform.scale);
    expect(scales.slice(0, 4)).toEqual(Array(4).fill(560 / 1024));
    expect(plan.tiles.length).toBeLessThanOrEqual(4 + 9);
    expect(plan.tiles.length).toBeGreaterThan(4);
    for (const s of scales.slice(4)) expect(s).toBeCloseTo(800 / 1024); // 3 tiles: 3 × 320 − 2 × 80
    // Both grids would be at scale 1 (maxScale) here, so the 3×3 one is not planned.
    expect(
      planDetection(500, 380, 320, 240, { finerGrids: [{ zoom: 3, maxTiles: 9 }] }).tiles,
    ).toHaveLength(4);
  });

  it('covers every face up to the overlap size wholly in some tile', () => {
    for (const [w, h, maxTiles] of [
      [1024, 768, 4],
      [1920, 1080, 4],
      [1920, 1080, 9],
      [4000, 3000, 6],
      [700, 2000, 4],
    ]) {
      const overlap = 0.25;
      const plan = planDetection(w, h, 320, 240, { maxTiles, overlap });
      expect(plan.tiles.length).toBeGreaterThan(1);
      const regions = plan.tiles.map((t) => tileRegion(plan, t));
      // Largest face (image px) a tile is guaranteed to see whole.
      const side = (overlap * 240) / plan.tiles[0].transform.scale - 1;
      for (let y = 0; y + side <= h; y += side / 3) {
        for (let x = 0; x + side <= w; x += side / 3) {
          const inside = regions.some(
            (r) => x >= r.x && y >= r.y && x + side <= r.x + r.width && y + side <= r.y + r.height,
          );
          expect(inside, `${w}×${h}: face at ${x},${y} size ${side}`).toBe(true);
        }
      }
    }
  });
});

describe('decodeUltraFace', () => {
  it('maps letterboxed boxes to image pixels and applies the threshold', () => {
    const plan = planDetection(640, 240, 320, 240); // scale 0.5, 60 px bands above and below
    const [scores, boxes] = outputs(
      [
        [0.25, 0.5, 0.5, 0.75],
        [0.1, 0.3, 0.2, 0.4],
        [0.5, 0.5, 0.4, 0.6], // empty
      ],
      [0.9, 0.5, 0.99],
    );
    const faces = decodeUltraFace(scores, boxes, plan, plan.full, { scoreThreshold: 0.7 });
    expect(faces).toHaveLength(1);
    expect(faces[0].x1).toBeCloseTo(160);
    expect(faces[0].y1).toBeCloseTo(120);
    expect(faces[0].x2).toBeCloseTo(320);
    expect(faces[0].y2).toBeCloseTo(240);
    expect(faces[0].score).toBeCloseTo(0.9);
  });

  it('drops boxes centred in the letterbox padding', () => {
    const plan = planDetection(640, 240, 320, 240);
    const [scores, boxes] = outputs([[0.4, 0.0, 0.5, 0.2]], [0.9]); // in the top band
    expect(decodeUltraFace(scores, boxes, plan, plan.full, { scoreThreshold: 0.5 })).toEqual([]);
  });

  it('drops boxes cut by a tile edge shared with another tile, not by the image border', () => {
    const plan = planDetection(1024, 768, 320, 240);
    const topLeft = plan.tiles[0]; // inner edges: right and bottom
    const [scores, boxes] = outputs(
      [
        [0.0, 0.0, 0.1, 0.1], // touches the image's top-left corner: kept
        [0.9, 0.2, 1.0, 0.3], // cut by the right edge: dropped
        [0.2, 0.95, 0.3, 1.0], // cut by the bottom edge: dropped
        [0.5, 0.5, 0.6, 0.6], // inside: kept
      ],
      [0.9, 0.9, 0.9, 0.9],
    );
    const faces = decodeUltraFace(scores, boxes, plan, topLeft, { scoreThreshold: 0.5 });
    expect(faces).toHaveLength(2);
    const s = topLeft.transform.scale;
    expect(faces[1].x1).toBeCloseTo((0.5 * 320) / s);
  });

  it('drops boxes too large for a tile, but never in the full pass', () => {
    const plan = planDetection(1024, 768, 320, 240);
    const [scores, boxes] = outputs(
      [
        [0.3, 0.3, 0.5, 0.5], // 20% of the input: kept
        [0.2, 0.2, 0.7, 0.5], // 50% wide: dropped in a tile
        [0.3, 0.1, 0.45, 0.6], // 50% tall: dropped in a tile
      ],
      [0.9, 0.9, 0.9],
    );
    const options = { scoreThreshold: 0.5, tileMaxBoxFraction: 0.4 };
    expect(decodeUltraFace(scores, boxes, plan, plan.tiles[0], options)).toHaveLength(1);
    expect(decodeUltraFace(scores, boxes, plan, plan.full, options)).toHaveLength(3);
  });

  it('checks the output shapes', () => {
    const plan = planDetection(320, 240, 320, 240);
    const [scores, boxes] = outputs([], []);
    expect(() => decodeUltraFace(boxes, scores, plan, plan.full, { scoreThreshold: 0.5 })).toThrow(
      /Unexpected detector outputs/,
    );
  });
});

describe('mergeDetections', () => {
  const face = (x1: number, y1: number, x2: number, y2: number, score: number): FaceBox => ({
    x1,
    y1,
    x2,
    y2,
    score,
  });

  it('keeps one box per face across passes, best score first', () => {
    const merged = mergeDetections([
      face(100, 100, 200, 200, 0.9),
      face(102, 98, 203, 201, 0.95), // the same face from a tile
      face(400, 100, 440, 140, 0.8),
    ]);
    expect(merged).toEqual([face(102, 98, 203, 201, 0.95), face(400, 100, 440, 140, 0.8)]);
  });

  it('drops boxes inside larger faces and boxes under the minimum size', () => {
    const big = face(100, 100, 300, 300, 0.8);
    const part = face(150, 150, 200, 200, 0.99); // an eye region seen at a finer scale
    const tiny = face(500, 500, 505, 505, 0.99);
    expect(mergeDetections([big, part, tiny])).toEqual([big]);
    expect(mergeDetections([big, part, tiny], { containment: 1, minSize: 2 })).toEqual([
      part,
      tiny,
      big,
    ]);
  });
});

describe('shouldRunTiles', () => {
  it('skips tiles when the full pass found a portrait-sized face', () => {
    const plan = planDetection(1000, 1000, 320, 240);
    const small = { x1: 0, y1: 0, x2: 100, y2: 100, score: 1 };
    const large = { x1: 0, y1: 0, x2: 400, y2: 400, score: 1 };
    expect(shouldRunTiles(plan, [small])).toBe(true);
    expect(shouldRunTiles(plan, [small, large])).toBe(false);
    expect(shouldRunTiles(plan, [large], { skipWhenFaceHeightRatio: Infinity })).toBe(true);
    expect(shouldRunTiles(planDetection(300, 200, 320, 240), [])).toBe(false);
  });
});

describe('multi-scale detection on a synthetic image', () => {
  // A stand-in detector that misses blobs under 8 model pixels, like a real one misses tiny faces.
  function detect(image: ReturnType<typeof blankImage>, tiling: false | object) {
    const plan = planDetection(image.width, image.height, 320, 240, tiling);
    const run = (pass: DetectionPass) => {
      const input = renderPass(image, plan, pass, neutralFill(detector));
      const { scores, boxes } = fakeUltraFace(toTensor(input, detector), { minSide: 8 });
      return decodeUltraFace(scores, boxes, plan, pass, { scoreThreshold: 0.5 });
    };
    return mergeDetections([plan.full, ...plan.tiles].flatMap(run));
  }

  it('finds small faces anywhere, including across tile seams, once each', () => {
    const image = blankImage(1280, 960);
    const squares = [
      [100, 100, 300], // large: the full pass finds it
      [720, 200, 24], // small, across the vertical seam between the top tiles
      [300, 530, 24], // small, across the horizontal seam
      [1230, 910, 24], // small, in the bottom-right corner
    ];
    for (const [x, y, side] of squares) fillRect(image, x, y, side, side);
    const all = detect(image, { skipWhenFaceHeightRatio: Infinity });
    expect(all).toHaveLength(4);
    for (const [x, y, side] of squares) {
      const match = all.find((f) => Math.abs(f.x1 - x) < 3 && Math.abs(f.y1 - y) < 3);
      expect(match, `square at ${x},${y}`).toBeDefined();
      expect(match?.x2).toBeCloseTo(x + side, -0.5);
      expect(match?.y2).toBeCloseTo(y + side, -0.5);
    }
    // The full pass alone sees the small ones at 6 model px: missed.
    expect(detect(image, false)).toHaveLength(1);
  });
});
