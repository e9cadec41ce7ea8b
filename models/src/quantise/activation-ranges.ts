import type { ActivationRange } from './quantise-qdq.js';

/** Calibrated ranges of one model, as committed in `src/quantise/ranges/<float id>.json`. */
export interface CalibrationRanges {
  /** Manifest id of the float model these ranges were measured on. */
  model: string;
  /** sha256 of that float model: ranges of another file would quantise it wrongly. */
  sha256: string;
  /** How the ranges were measured (which photos, how many runs, which statistic). */
  calibration: string;
  /** Least and greatest value of each activation, by tensor name. */
  ranges: Record<string, ActivationRange>;
}

/** Running min/max of named activations over calibration runs. */
export interface RangeCollector {
  add(outputs: Readonly<Record<string, { data: ArrayLike<number> }>>): void;
  readonly runs: number;
  /** The ranges so far, in the order of `names`, as float32 values. */
  ranges(): Record<string, ActivationRange>;
}

export function createRangeCollector(names: readonly string[]): RangeCollector {
  const min = new Float64Array(names.length).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(names.length).fill(Number.NEGATIVE_INFINITY);
  let runs = 0;
  return {
    add(outputs) {
      names.forEach((name, k) => {
        const tensor = outputs[name];
        if (!tensor) throw new Error(`Calibration run has no output "${name}"`);
        const data = tensor.data;
        let lo = min[k];
        let hi = max[k];
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        min[k] = lo;
        max[k] = hi;
      });
      runs++;
    },
    get runs() {
      return runs;
    },
    ranges() {
      if (runs === 0) throw new Error('No calibration run yet');
      return Object.fromEntries(names.map((name, k) => [name, [min[k], max[k]] as const]));
    },
  };
}

/** Bins of the histograms {@link createHistogramCollector} keeps per activation. */
const BINS = 2048;

/**
 * Histograms of named activations over calibration runs, between the min and max a first pass
 * found; {@link HistogramCollector.ranges} then picks for each activation the range whose uint8
 * quantisation (clipping outside, rounding inside) has the least squared error over the values
 * seen. Clipping a few outliers buys resolution for every other value: min/max ranges cost the
 * MobileFaceNet embedder 0.02 of cosine to the float embedding, these about half that.
 */
export interface HistogramCollector {
  add(outputs: Readonly<Record<string, { data: ArrayLike<number> }>>): void;
  readonly runs: number;
  ranges(): Record<string, ActivationRange>;
}

export function createHistogramCollector(
  bounds: Readonly<Record<string, ActivationRange>>,
): HistogramCollector {
  const names = Object.keys(bounds);
  const histograms = names.map(() => new Float64Array(BINS));
  let runs = 0;
  return {
    add(outputs) {
      names.forEach((name, k) => {
        const tensor = outputs[name];
        if (!tensor) throw new Error(`Calibration run has no output "${name}"`);
        const [lo, hi] = bounds[name];
        const width = (hi - lo) / BINS || 1;
        const histogram = histograms[k];
        const data = tensor.data;
        for (let i = 0; i < data.length; i++) {
          const bin = Math.floor((data[i] - lo) / width);
          histogram[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]++;
        }
      });
      runs++;
    },
    get runs() {
      return runs;
    },
    ranges() {
      if (runs === 0) throw new Error('No calibration run yet');
      return Object.fromEntries(
        names.map((name, k) => [name, leastErrorRange(histograms[k], bounds[name])]),
      );
    },
  };
}

/**
 * The [min, max] (on bin edges, always including 0) whose uint8 quantisation of the histogram's
 * values has the least squared error, each bin's values taken at its centre.
 */
export function leastErrorRange(
  histogram: Float64Array,
  [lo, hi]: ActivationRange,
): ActivationRange {
  const bins = histogram.length;
  const width = (hi - lo) / bins;
  if (!(width > 0)) return [lo, hi];
  const centre = (i: number) => lo + (i + 0.5) * width;
  const zeroBin = Math.min(bins, Math.max(0, Math.round(-lo / width)));
  let best: ActivationRange = [lo, hi];
  let bestError = Number.POSITIVE_INFINITY;
  // Candidate edges: the full range shrunk in steps, each side separately.
  const steps = 48;
  for (let a = 0; a <= steps; a++) {
    const first = Math.round((zeroBin * a) / steps);
    for (let b = 0; b <= steps; b++) {
      const last = bins - Math.round(((bins - zeroBin) * b) / steps);
      const min = Math.min(0, lo + first * width);
      const max = Math.max(0, lo + last * width);
      if (max - min <= 0) continue;
      const scale = (max - min) / 255;
      const zero = Math.round(-min / scale);
      let error = 0;
      for (let i = 0; i < bins; i++) {
        const count = histogram[i];
        if (count === 0) continue;
        const v = centre(i);
        const q = Math.min(255, Math.max(0, Math.round(v / scale) + zero));
        const d = (q - zero) * scale - v;
        error += count * d * d;
      }
      if (error < bestError) {
        bestError = error;
        best = [min, max];
      }
    }
  }
  return best;
}
