import { describe, expect, it } from 'vitest';
import { blankImage, fillRect, meanFace68, pixel } from '../__fixtures__/synthetic.js';
import {
  ageRange,
  booleanAttribute,
  emotions,
  eyeCrops,
  eyeDirection,
  eyesOpenProbability,
  FACE_API_EXPRESSIONS,
  mouthOpenProbability,
  mouthOpenRatio,
  occlusionProbability,
  paddedFaceCrop,
  resolveAttributes,
  smile,
  truncatedShare,
} from './face-attributes.js';

/** meanFace68 scaled to a `side`-pixel square at (x, y). */
function face(x = 0, y = 0, side = 200): Float32Array {
  return meanFace68().map((v, i) => v * side + (i % 2 === 0 ? x : y));
}

/** Moves the inner lower lip (65–67) `by` pixels below the inner upper lip (61–63). */
function withMouthGap(points: Float32Array, by: number): Float32Array {
  const p = points.slice();
  for (const [lower, upper] of [
    [65, 63],
    [66, 62],
    [67, 61],
  ]) {
    p[lower * 2 + 1] = p[upper * 2 + 1] + by;
  }
  return p;
}

describe('resolveAttributes', () => {
  it('reads DEFAULT, ALL, ALL with DEFAULT and single names as Rekognition does', () => {
    expect(resolveAttributes(['DEFAULT'])).toEqual({ all: false, attributes: new Set() });
    expect(resolveAttributes([])).toEqual({ all: false, attributes: new Set() });
    const all = resolveAttributes(['ALL']);
    expect(all.all).toBe(true);
    expect([...all.attributes].sort()).toEqual([
      'AGE_RANGE',
      'EMOTIONS',
      'EYES_OPEN',
      'EYE_DIRECTION',
      'FACE_OCCLUDED',
      'GENDER',
      'MOUTH_OPEN',
      'SMILE',
    ]);
    expect(resolveAttributes(['DEFAULT', 'ALL'])).toEqual(all);
    expect(resolveAttributes(['AGE_RANGE', 'DEFAULT', 'SMILE'])).toEqual({
      all: false,
      attributes: new Set(['AGE_RANGE', 'SMILE']),
    });
  });

  it('accepts the attributes no model exists for and computes nothing for them', () => {
    expect(resolveAttributes(['BEARD', 'MUSTACHE', 'EYEGLASSES', 'SUNGLASSES'])).toEqual({
      all: false,
      attributes: new Set(),
    });
  });
});

describe('emotions', () => {
  it('maps the 7 classes to 8 Rekognition types, sorted, summing to 100', () => {
    // neutral, happy, sad, angry, fearful, disgusted, surprised
    const out = emotions([0.1, 0.6, 0.05, 0.1, 0.05, 0.02, 0.08]);
    expect(out.map((e) => e.Type)).toEqual([
      'HAPPY',
      'CALM',
      'ANGRY',
      'SURPRISED',
      'SAD',
      'FEAR',
      'DISGUSTED',
      'CONFUSED',
    ]);
    const sum = out.reduce((s, e) => s + (e.Confidence ?? 0), 0);
    expect(sum).toBeCloseTo(100, 6);
    for (let i = 1; i < out.length; i++) {
      expect(out[i - 1].Confidence).toBeGreaterThanOrEqual(out[i].Confidence ?? 0);
    }
    // CONFUSED has no class: it gets the least likely class's share, here DISGUSTED's.
    const by = Object.fromEntries(out.map((e) => [e.Type, e.Confidence]));
    expect(by.CONFUSED).toBeCloseTo(by.DISGUSTED as number, 9);
    expect(by.HAPPY).toBeCloseTo((0.6 / 1.02) * 100, 6);
  });

  it('refuses another number of classes', () => {
    expect(() => emotions([0.5, 0.5])).toThrow(/7 expected/);
  });

  it('smiles with the HAPPY probability', () => {
    const p = new Array(7).fill(0.05);
    p[FACE_API_EXPRESSIONS.indexOf('HAPPY')] = 0.7;
    expect(smile(p)).toEqual({ Value: true, Confidence: 70 });
    p[FACE_API_EXPRESSIONS.indexOf('HAPPY')] = 0.1;
    expect(smile(p).Value).toBe(false);
    expect(smile(p).Confidence).toBeCloseTo(90);
  });
});

describe('booleanAttribute and ageRange', () => {
  it('reports the more likely value with its probability in percent', () => {
    expect(booleanAttribute(0.8)).toEqual({ Value: true, Confidence: 80 });
    expect(booleanAttribute(0.2).Value).toBe(false);
    expect(booleanAttribute(0.2).Confidence).toBeCloseTo(80);
    expect(booleanAttribute(1.7)).toEqual({ Value: true, Confidence: 100 });
  });

  it('widens the age range with age, in whole years, never below 0', () => {
    expect(ageRange(8)).toEqual({ Low: 4, High: 12 });
    expect(ageRange(30)).toEqual({ Low: 24, High: 36 });
    expect(ageRange(70)).toEqual({ Low: 56, High: 84 });
    expect(ageRange(1.5)).toEqual({ Low: 0, High: 6 });
    const r = ageRange(42.3);
    expect(Number.isInteger(r.Low) && Number.isInteger(r.High)).toBe(true);
    expect(r.Low).toBeLessThanOrEqual(42.3);
    expect(r.High).toBeGreaterThanOrEqual(42.3);
  });
});

describe('landmark geometry', () => {
  it('tells an open mouth from a closed one by the inner-lip gap', () => {
    const closed = withMouthGap(face(), 0);
    const open = withMouthGap(face(), 30);
    expect(mouthOpenRatio(closed)).toBeCloseTo(0, 6);
    expect(mouthOpenRatio(open)).toBeGreaterThan(0.4);
    expect(mouthOpenProbability(mouthOpenRatio(closed))).toBeLessThan(0.05);
    expect(mouthOpenProbability(mouthOpenRatio(open))).toBeGreaterThan(0.95);
  });

  it('counts the face points outside the image; only then is the face occluded', () => {
    expect(truncatedShare(face(50, 50), 400, 400)).toBe(0);
    // Shifted down by 60% of its size: the mouth and nose leave a 400 px tall image.
    const cut = truncatedShare(face(50, 320), 400, 400);
    expect(cut).toBeGreaterThan(0.3);
    expect(occlusionProbability(cut)).toBeGreaterThan(0.95);
    // Never more than 75% sure of "not occluded": objects over the face are not detected.
    expect(booleanAttribute(occlusionProbability(0))).toEqual({ Value: false, Confidence: 75 });
  });

  it('trusts the eye model less for small eyes', () => {
    expect(eyesOpenProbability(0.98, 32)).toBeCloseTo(0.98);
    expect(eyesOpenProbability(0.02, 16)).toBeCloseTo(0.02);
    expect(eyesOpenProbability(0.02, 4)).toBeCloseTo(0.5 - 0.48 / 4);
  });

  it('crops each eye as a square around its lids, image-left eye first', () => {
    const points = face(0, 0, 100);
    const [left, right] = eyeCrops(points);
    expect(left.width).toBeCloseTo(Math.hypot(18, 0.5) * 1.6, 4);
    expect(left.width).toBe(left.height);
    expect(left.x + left.width / 2).toBeCloseTo(32, 4);
    expect(right.x + right.width / 2).toBeCloseTo(68, 4);
  });
});

describe('paddedFaceCrop', () => {
  it('pads a tall box with black to a centred square, as face-api does', () => {
    const image = blankImage(200, 200, 200);
    const crop = paddedFaceCrop(image, { x1: 75, y1: 50, x2: 125, y2: 150 }, 20, 20);
    expect(crop.width).toBe(20);
    expect(pixel(crop, 10, 10)).toEqual([200, 200, 200]);
    expect(pixel(crop, 1, 10)).toEqual([0, 0, 0]);
    expect(pixel(crop, 18, 10)).toEqual([0, 0, 0]);
    expect(pixel(crop, 10, 1)).toEqual([200, 200, 200]);
  });
});

describe('eyeDirection', () => {
  /** A light face with both irises drawn `dx` pixels right of their eye centres. */
  function gazing(dx: number) {
    const points = face(0, 0, 400);
    const image = blankImage(400, 400, 230);
    for (const [a, b] of [
      [36, 39],
      [42, 45],
    ]) {
      const cx = (points[a * 2] + points[b * 2]) / 2 + dx;
      const cy = (points[a * 2 + 1] + points[b * 2 + 1]) / 2 + 2;
      fillRect(image, Math.round(cx - 8), Math.round(cy - 8), 16, 16, [30, 20, 20]);
    }
    return eyeDirection(image, points, 0);
  }

  it('finds the iris and turns its offset into a yaw with the sign of the image side', () => {
    const ahead = gazing(0);
    const right = gazing(14);
    const left = gazing(-14);
    expect(ahead).toBeDefined();
    expect(Math.abs(ahead?.yaw ?? 99)).toBeLessThan(5);
    expect(right?.yaw).toBeGreaterThan(15);
    expect(left?.yaw).toBeLessThan(-15);
    expect(right?.confidence).toBeGreaterThan(50);
  });

  it('has nothing to say about an eye without contrast', () => {
    const gaze = eyeDirection(blankImage(400, 400, 128), face(0, 0, 400), 0);
    expect(gaze === undefined || gaze.confidence === 0).toBe(true);
  });
});
