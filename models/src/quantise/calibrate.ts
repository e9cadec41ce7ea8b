import type { InferenceBackend, Tensor } from '@facekit/core';
import {
  type CalibrationRanges,
  createHistogramCollector,
  createRangeCollector,
} from './activation-ranges.js';
import { calibrationTensors, type QdqOptions, withActivationOutputs } from './quantise-qdq.js';

export type RangeStatistic = 'min-max' | 'least-error';

/**
 * Measures the ranges {@link quantiseQdq} needs for `modelBytes` by running a copy of the model
 * that outputs every activation to quantise on each of `feeds` (the inputs the pipeline gave the
 * model on calibration photos): their min and max, or (`least-error`, default) the range with
 * the least uint8 quantisation error over a histogram of the values, which takes a second pass.
 */
export async function calibrateActivations(
  backend: InferenceBackend,
  modelBytes: Uint8Array,
  feeds: readonly Readonly<Record<string, Tensor>>[],
  options: Omit<QdqOptions, 'ranges'> & { statistic?: RangeStatistic } = {},
): Promise<CalibrationRanges['ranges']> {
  const names = calibrationTensors(modelBytes, options);
  // Unoptimised, so no fusion hides an activation that is also an output.
  const probe = await backend.loadModel(withActivationOutputs(modelBytes, names), {
    name: 'calibration probe',
    graphOptimizationLevel: 'disabled',
    threads: 1,
  });
  try {
    const extremes = createRangeCollector(names);
    for (const feed of feeds) extremes.add(await probe.run(feed));
    const bounds = extremes.ranges();
    if ((options.statistic ?? 'least-error') === 'min-max') return bounds;
    const histograms = createHistogramCollector(bounds);
    for (const feed of feeds) histograms.add(await probe.run(feed));
    return histograms.ranges();
  } finally {
    await probe.release();
  }
}
