export { loadManifest } from './load-manifest.js';
export { type LoadedModel, type LoadModelOptions, loadModel } from './load-model.js';
export { modelsDir } from './models-dir.js';
export {
  type CalibrationRanges,
  createHistogramCollector,
  createRangeCollector,
  type HistogramCollector,
  leastErrorRange,
  type RangeCollector,
} from './quantise/activation-ranges.js';
export { calibrateActivations, type RangeStatistic } from './quantise/calibrate.js';
export {
  type ActivationRange,
  calibrationTensors,
  type QdqOptions,
  quantiseQdq,
  withActivationOutputs,
} from './quantise/quantise-qdq.js';
