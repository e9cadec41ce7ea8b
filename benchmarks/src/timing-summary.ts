/** Mean, nearest-rank percentiles and extremes of a series of measurements. */
export interface TimingSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile (`p` in 0–100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarizeTimings(values: readonly number[]): TimingSummary {
  const n = values.length;
  return {
    n,
    mean: n === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / n,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: n === 0 ? Number.NaN : Math.min(...values),
    max: n === 0 ? Number.NaN : Math.max(...values),
  };
}
