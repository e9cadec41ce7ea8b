import { describe, expect, it } from 'vitest';
import {
  detectionConfidenceAnchors,
  detectionConfidenceFor,
  piecewiseLinearDetectionConfidence,
  rawDetectionConfidence,
} from './detection-confidence.js';

const logit = (p: number) => Math.log(p / (1 - p));

describe('detection confidence', () => {
  it('raw: the probability × 100, clamped', () => {
    expect(rawDetectionConfidence.toPercent(0.853)).toBeCloseTo(85.3, 10);
    expect(rawDetectionConfidence.toPercent(1.2)).toBe(100);
    expect(rawDetectionConfidence.toPercent(-0.1)).toBe(0);
  });

  it('piecewise: passes through the anchors, linear in the logit between them', () => {
    const c = piecewiseLinearDetectionConfidence([
      [0.8, 40],
      [0.99, 90],
      [0.9999, 99],
    ]);
    expect(c.toPercent(0.8)).toBeCloseTo(40, 10);
    expect(c.toPercent(0.99)).toBeCloseTo(90, 10);
    expect(c.toPercent(0.9999)).toBeCloseTo(99, 10);
    // Halfway in logit between 0.8 and 0.99 is not halfway in probability.
    const mid = 1 / (1 + Math.exp(-(logit(0.8) + logit(0.99)) / 2));
    expect(c.toPercent(mid)).toBeCloseTo(65, 8);
    // Below the first anchor: linear to 0 at score 0; above the last: the last anchor's value.
    expect(c.toPercent(0.4)).toBeCloseTo(20, 10);
    expect(c.toPercent(0)).toBe(0);
    expect(c.toPercent(0.99995)).toBe(99);
    expect(c.toPercent(1)).toBe(99);
    expect(c.toPercent(1.5)).toBe(99);
    expect(c.toPercent(Number.NaN)).toBe(0);
  });

  it('piecewise: is monotonic and stays within 0–100', () => {
    const c = piecewiseLinearDetectionConfidence([
      [0.7, 30],
      [0.95, 80],
    ]);
    let previous = 0;
    for (let s = 0; s <= 1; s += 0.001) {
      const p = c.toPercent(s);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(p).toBeLessThanOrEqual(100);
      previous = p;
    }
  });

  it('piecewise: refuses anchors that do not increase or leave (0, 1) × (0, 100)', () => {
    expect(() => piecewiseLinearDetectionConfidence([])).toThrow(/anchor/);
    expect(() =>
      piecewiseLinearDetectionConfidence([
        [0.9, 80],
        [0.95, 70],
      ]),
    ).toThrow(/increase/);
    expect(() => piecewiseLinearDetectionConfidence([[1, 99]])).toThrow(/increase/);
    expect(() => piecewiseLinearDetectionConfidence([[0.9, 100]])).toThrow(/increase/);
  });

  it('every measured calibration is valid; unknown detectors get the raw probability', () => {
    for (const [id, anchors] of Object.entries(detectionConfidenceAnchors)) {
      expect(() => piecewiseLinearDetectionConfidence(anchors), id).not.toThrow();
    }
    expect(detectionConfidenceFor('no-such-detector')).toBe(rawDetectionConfidence);
  });
});
