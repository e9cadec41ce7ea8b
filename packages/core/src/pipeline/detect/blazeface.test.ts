import { describe, expect, it } from 'vitest';
import {
  blazeFaceAnchors,
  decodeBlazeFace,
  fromCrop,
  verifierCrop,
  verifierScore,
} from './blazeface.js';

/** Empty outputs of the 256 model: logits far below any threshold, zero regressions. */
function outputs() {
  return {
    scores: [new Float32Array(512).fill(-20), new Float32Array(384).fill(-20)],
    regressors: [new Float32Array(512 * 16), new Float32Array(384 * 16)],
  };
}

describe('blazeFaceAnchors', () => {
  it('places 896 anchors at cell centres, 16×16×2 then 8×8×6', () => {
    const a = blazeFaceAnchors();
    expect(a.length).toBe(896 * 2);
    expect([a[0], a[1], a[2], a[3]]).toEqual([0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
    // anchor 2 is cell (1, 0) of the 16 grid
    expect(a[4]).toBeCloseTo(1.5 / 16);
    // first anchor of the 8 grid
    expect(a[512 * 2]).toBeCloseTo(0.5 / 8);
    // last anchor: cell (7, 7) of the 8 grid
    expect(a[895 * 2]).toBeCloseTo(7.5 / 8);
    expect(a[895 * 2 + 1]).toBeCloseTo(7.5 / 8);
  });
});

describe('decodeBlazeFace', () => {
  it('decodes an anchor of each grid with its offsets in input pixels', () => {
    const { scores, regressors } = outputs();
    // 16 grid, cell (x 3, y 5), second anchor: index (5*16+3)*2+1
    const i = (5 * 16 + 3) * 2 + 1;
    scores[0][i] = 2; // sigmoid ≈ 0.881
    regressors[0].set([8, -4, 64, 80], i * 16);
    // 8 grid, cell (x 6, y 1), fourth anchor
    const j = (1 * 8 + 6) * 6 + 3;
    scores[1][j] = 0;
    regressors[1].set([0, 0, 32, 32], j * 16);
    const found = decodeBlazeFace(scores, regressors, { inputSize: 256, scoreThreshold: 0.5 });
    expect(found).toHaveLength(2);
    const [a, b] = found;
    const cx = 3.5 / 16 + 8 / 256;
    const cy = 5.5 / 16 - 4 / 256;
    expect(a.x1).toBeCloseTo(cx - 32 / 256, 6);
    expect(a.x2).toBeCloseTo(cx + 32 / 256, 6);
    expect(a.y1).toBeCloseTo(cy - 40 / 256, 6);
    expect(a.y2).toBeCloseTo(cy + 40 / 256, 6);
    expect(a.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(b.x1).toBeCloseTo(6.5 / 8 - 16 / 256, 6);
    expect(b.y1).toBeCloseTo(1.5 / 8 - 16 / 256, 6);
    expect(b.score).toBeCloseTo(0.5, 6);
  });

  it('drops anchors under the threshold and survives extreme logits', () => {
    const { scores, regressors } = outputs();
    scores[0][0] = 0.5; // 0.62
    scores[1][0] = 1e9;
    const found = decodeBlazeFace(scores, regressors, { inputSize: 128, scoreThreshold: 0.75 });
    expect(found).toHaveLength(1);
    expect(found[0].score).toBe(1);
  });

  it('rejects outputs of the wrong size', () => {
    const { scores, regressors } = outputs();
    expect(() =>
      decodeBlazeFace([scores[0], new Float32Array(10)], regressors, { inputSize: 256 }),
    ).toThrow(RangeError);
    expect(() => decodeBlazeFace([scores[0]], [regressors[0]], { inputSize: 256 })).toThrow(
      RangeError,
    );
  });
});

describe('verification helpers', () => {
  const box = { x1: 100, y1: 200, x2: 140, y2: 260, score: 0.9 };

  it('crops a square twice the longer side around the box', () => {
    expect(verifierCrop(box)).toEqual({ x: 60, y: 170, width: 120, height: 120 });
    expect(verifierCrop(box, 1.5).width).toBe(90);
  });

  it('maps crop fractions back to image pixels', () => {
    const crop = { x: 60, y: 170, width: 120, height: 120 };
    expect(fromCrop({ x1: 0.25, y1: 0.5, x2: 0.75, y2: 1, score: 0.8 }, crop)).toEqual({
      x1: 90,
      y1: 230,
      x2: 150,
      y2: 290,
      score: 0.8,
    });
  });

  it('scores the best overlapping detection, 0 without one', () => {
    const crop = verifierCrop(box);
    // exactly the box: (100-60)/120 … (140-60)/120, (200-170)/120 … (260-170)/120
    const same = { x1: 40 / 120, y1: 30 / 120, x2: 80 / 120, y2: 90 / 120, score: 0.7 };
    const elsewhere = { x1: 0, y1: 0, x2: 0.1, y2: 0.1, score: 0.99 };
    expect(verifierScore(box, [elsewhere, same], crop)).toBeCloseTo(0.7);
    expect(verifierScore(box, [elsewhere], crop)).toBe(0);
    expect(verifierScore(box, [], crop)).toBe(0);
  });
});
