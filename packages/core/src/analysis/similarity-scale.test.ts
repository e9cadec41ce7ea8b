import { describe, expect, it } from 'vitest';
import { linearSimilarityScale, piecewiseLinearSimilarityScale } from './similarity-scale.js';

describe('similarity scales', () => {
  it('linear: clamps negative cosines to 0', () => {
    expect(linearSimilarityScale.toPercent(-0.3)).toBe(0);
    expect(linearSimilarityScale.toPercent(0.8)).toBeCloseTo(80, 10);
    expect(linearSimilarityScale.toCosine(80)).toBeCloseTo(0.8, 10);
  });

  it('piecewise: passes through the anchors, is monotonic and inverts', () => {
    const scale = piecewiseLinearSimilarityScale([
      [0.2, 50],
      [0.4, 80],
      [0.6, 95],
    ]);
    expect(scale.toPercent(0.4)).toBeCloseTo(80, 10);
    expect(scale.toPercent(0.3)).toBeCloseTo(65, 10);
    expect(scale.toPercent(-1)).toBe(0);
    expect(scale.toPercent(1)).toBe(100);
    expect(scale.toPercent(-0.4)).toBeCloseTo(25, 10);
    let previous = -1;
    for (let c = -1; c <= 1; c += 0.01) {
      const p = scale.toPercent(c);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(scale.toCosine(p)).toBeCloseTo(c, 6);
      previous = p;
    }
  });

  it('piecewise: refuses anchors that do not increase', () => {
    expect(() =>
      piecewiseLinearSimilarityScale([
        [0.5, 80],
        [0.4, 90],
      ]),
    ).toThrow(/increase/);
  });
});
