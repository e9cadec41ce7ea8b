import { describe, expect, it } from 'vitest';
import { percentile, summarizeTimings } from './timing-summary.js';

describe('timing summary', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises a series', () => {
    expect(summarizeTimings([3, 1, 2])).toEqual({ n: 3, mean: 2, p50: 2, p95: 3, min: 1, max: 3 });
  });
});
