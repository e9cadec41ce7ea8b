/** One row of a video job's timeline: a person (or "faces") and when they are on screen. */
export interface TimelineRow {
  label: string;
  detail?: string;
  /** `[from, to]` in ms from the start of the video. */
  spans: [number, number][];
}

/**
 * Timestamps (ms) as spans: consecutive samples at most 1.5 sampling intervals apart join, the
 * interval being the smallest gap between distinct timestamps of the whole job. Each span lasts
 * until one interval after its last sample (the next sample no longer showed the face).
 */
export function timelineSpans(timestamps: readonly number[], interval: number): [number, number][] {
  const sorted = [...new Set(timestamps)].sort((a, b) => a - b);
  const spans: [number, number][] = [];
  for (const t of sorted) {
    const last = spans.at(-1);
    if (last && t - (last[1] - interval) <= interval * 1.5) last[1] = t + interval;
    else spans.push([t, t + interval]);
  }
  return spans;
}

/** The smallest gap between distinct timestamps: the job's sampling interval (500 ms default). */
export function samplingInterval(timestamps: readonly number[]): number {
  const sorted = [...new Set(timestamps)].sort((a, b) => a - b);
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return Number.isFinite(gap) ? gap : 500;
}

/** `m:ss.s`. */
export function videoTime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}:${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}`;
}
