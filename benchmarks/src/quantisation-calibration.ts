/**
 * `pnpm calibrate:int8 [--write] [--statistic least-error|min-max] [--limit N]`
 *
 * Measures the activation ranges that `@facekit/models` quantises the detector and the embedder
 * with: the default pipeline (face model 1.0) analyses calibration photos, every input the
 * detector (full pass and tiles) and the embedder (aligned 112 px faces) receive is kept, and
 * `calibrateActivations` runs them through a copy of the float model that outputs each
 * activation to quantise (see there for the statistic). `--write` stores them in `models/src/quantise/ranges/<id>.json`; the models build
 * then produces the int8 files from them, deterministically.
 *
 * The photos are ones no accuracy section measures, so the int8 models' accuracy is not
 * measured on the photos they were calibrated on: the WIDER images outside the ground-truth
 * subset, dlib's example photos (not the dog photo), @vladmandic/human's collage and
 * face_recognition's example and test photos (not the knn ones, which are portraits).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { faceModels } from '@facekit/core/analyzer';
import { sha256Hex } from '@facekit/core/onnx-models';
import { createOnnxNodeBackend } from '@facekit/inference-onnx/node';
import { type CalibrationRanges, calibrateActivations, type RangeStatistic } from '@facekit/models';
import { calibrationPhotos, requireDatasets } from './datasets.js';
import { modelInputs } from './model-inputs.js';

const { values: args } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    limit: { type: 'string' },
    statistic: { type: 'string', default: 'least-error' },
  },
});
if (args.statistic !== 'least-error' && args.statistic !== 'min-max') {
  console.error('--statistic must be least-error or min-max');
  process.exit(2);
}
const statistic = args.statistic as RangeStatistic;

const root = requireDatasets();
const { detector, embedder } = faceModels['1.0'];
const targets = [detector, embedder];

const base = createOnnxNodeBackend({ threads: 1 });
const photos = calibrationPhotos(root).slice(0, args.limit ? Number(args.limit) : undefined);
const started = performance.now();
const { feeds, modelBytes, faces } = await modelInputs(base, targets, photos, 100, (done) => {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${photos.length}`);
});

console.log(
  `Ran the pipeline on ${photos.length} photos (${faces} faces) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
for (const id of targets) {
  const bytes = modelBytes.get(id);
  const inputs = feeds.get(id) ?? [];
  if (!bytes || inputs.length === 0) throw new Error(`${id} never ran`);
  const t0 = performance.now();
  const ranges = await calibrateActivations(base, bytes, inputs, { statistic });
  const file: CalibrationRanges = {
    model: id,
    sha256: await sha256Hex(bytes),
    calibration: `${statistic === 'min-max' ? 'min and max' : 'least-squared-error ranges from histograms'} of ${inputs.length} runs of the default pipeline (face model 1.0) on ${photos.length} photos that no accuracy section measures (pnpm calibrate:int8)`,
    ranges,
  };
  console.log(
    `  ${id}: ${inputs.length} runs, ${Object.keys(ranges).length} activations (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  if (args.write) {
    const out = new URL(`../../models/src/quantise/ranges/${id}.json`, import.meta.url);
    writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`  wrote ${out.pathname}`);
  }
}
