import { describe, expect, it } from 'vitest';
import { InvalidParameterException } from '../errors/exceptions.js';
import {
  checkFalseAcceptPoints,
  falseAcceptRateAt,
  similarityForFalseAcceptRate,
} from './false-accept-rate.js';

const points = [
  [50, 0.1],
  [65, 0.01],
  [80, 0.001],
] as const;

describe('similarityForFalseAcceptRate', () => {
  it('answers the measured points exactly', () => {
    expect(similarityForFalseAcceptRate(points, 0.1, '1.0')).toBe(50);
    expect(similarityForFalseAcceptRate(points, 0.01, '1.0')).toBe(65);
    expect(similarityForFalseAcceptRate(points, 0.001, '1.0')).toBe(80);
  });

  it('interpolates linearly in log(FAR) between points, rounding up', () => {
    // 10^-1.5 is halfway between 0.1 and 0.01 in log scale.
    expect(similarityForFalseAcceptRate(points, 10 ** -1.5, '1.0')).toBe(57.5);
    const at = similarityForFalseAcceptRate(points, 0.005, '1.0');
    expect(at).toBeGreaterThan(65);
    expect(at).toBeLessThan(80);
    expect(at).toBe(Math.ceil((65 + (15 * Math.log(2)) / Math.log(10)) * 100) / 100);
  });

  it('falls as the allowed rate grows (monotonic)', () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let rate = 0.001; rate <= 0.1; rate *= 1.3) {
      const s = similarityForFalseAcceptRate(points, rate, '1.0');
      expect(s).toBeLessThanOrEqual(previous);
      previous = s;
    }
  });

  it('refuses rates outside the measured range, saying which range', () => {
    for (const rate of [0.0001, 0.5, Number.NaN, 0]) {
      const call = () => similarityForFalseAcceptRate(points, rate, '2.0');
      expect(call).toThrow(InvalidParameterException);
      expect(call).toThrow(/measured at: 0.001 to 0.1/);
    }
  });

  it('refuses models without measured points', () => {
    expect(() => similarityForFalseAcceptRate(undefined, 0.01, '7.0')).toThrow(
      /Face model 7.0 has no measured false accept rates/,
    );
  });
});

describe('checkFalseAcceptPoints', () => {
  it('accepts points rising in similarity and falling in rate', () => {
    expect(() => checkFalseAcceptPoints(points)).not.toThrow();
  });
  it('rejects points out of order or out of range', () => {
    expect(() =>
      checkFalseAcceptPoints([
        [50, 0.01],
        [60, 0.1],
      ]),
    ).toThrow(/rise in similarity/);
    expect(() => checkFalseAcceptPoints([[50, 0]])).toThrow(/out of range/);
  });
});

describe('falseAcceptRateAt', () => {
  it('inverts similarityForFalseAcceptRate inside the measured range', () => {
    expect(falseAcceptRateAt(points, 57.5)).toEqual({ Rate: 0.0316, Bound: 'INTERPOLATED' });
    for (const rate of [0.1, 0.03, 0.01, 0.004, 0.0015]) {
      const at = falseAcceptRateAt(points, similarityForFalseAcceptRate(points, rate, '1.0'));
      expect(at?.Bound).toBe('INTERPOLATED');
      // The threshold is rounded up to 0.01, so the rate there is at most the one asked for.
      expect(at?.Rate).toBeLessThanOrEqual(rate * 1.0001);
      expect(at?.Rate).toBeGreaterThan(rate * 0.99);
    }
  });

  it('only bounds the rate outside the measured range', () => {
    expect(falseAcceptRateAt(points, 80)).toEqual({ Rate: 0.001, Bound: 'AT_MOST' });
    expect(falseAcceptRateAt(points, 99)).toEqual({ Rate: 0.001, Bound: 'AT_MOST' });
    expect(falseAcceptRateAt(points, 20)).toEqual({ Rate: 0.1, Bound: 'AT_LEAST' });
  });

  it('falls as Similarity rises', () => {
    let previous = 1;
    for (let s = 50; s < 80; s += 0.7) {
      const rate = falseAcceptRateAt(points, s)?.Rate ?? 1;
      expect(rate).toBeLessThanOrEqual(previous);
      previous = rate;
    }
  });

  it('is undefined for an uncalibrated model', () => {
    expect(falseAcceptRateAt(undefined, 90)).toBeUndefined();
  });
});
