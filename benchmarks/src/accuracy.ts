/**
 * `pnpm bench:accuracy [--model 1.0] [--runtime node|web] [--int8 detector,embedder] [--calibrate] [--quick]`
 *
 * Accuracy of the default face pipeline on ../shared/datasets: verification (deepface pairs),
 * detection (WIDER FACE subset) and its Confidence calibration (fitted on half, checked on the
 * other half), group photos, portraits, face-less photos, and the similarity calibration. Prints a report with PASS/MISS per target; exits non-zero only on errors.
 * `--variants` also compares detection settings on WIDER and the face-less photos; `--detection`
 * runs only the detection sections (WIDER, Confidence, group photos, portraits, face-less photos,
 * false faces); `--verification` only the verification sections. `--int8` runs the listed models as their int8 variants (`@facekit/models`'
 * quantiser), to compare with the float run.
 */
import { parseArgs } from 'node:util';
import type { Int8Stage } from '@facekit/core/analyzer';
import { defaultFaceDetectionOptions } from '@facekit/core/analyzer';
import { createNodeFaceAnalyzer, type FaceModelVersion, faceModels } from '@facekit/pipeline-node';
import { eyeDirectionSection, genderSection } from './accuracy/attributes.js';
import { type AccuracyContext, createPhotoAnalyses, heading } from './accuracy/context.js';
import { detectionSections } from './accuracy/detection.js';
import { detectionVariantsSection } from './accuracy/detection-variants.js';
import { verificationSections } from './accuracy/verification.js';
import { facelessImages, requireDatasets, widerSubset } from './datasets.js';
import { formatTable, num, verdict } from './report-format.js';

const USAGE =
  'Usage: pnpm bench:accuracy [--model 1.0] [--runtime node|web] [--int8 detector,embedder] [--calibrate] [--quick] [--variants] [--detection | --verification]';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: '1.0' },
    runtime: { type: 'string', default: 'node' },
    int8: { type: 'string', default: '' },
    calibrate: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    variants: { type: 'boolean', default: false },
    detection: { type: 'boolean', default: false },
    verification: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!(args.model in faceModels)) {
  console.error(`Unknown --model ${args.model}; known: ${Object.keys(faceModels).join(', ')}`);
  process.exit(2);
}
if (args.runtime !== 'node' && args.runtime !== 'web') {
  console.error(`--runtime must be node or web.\n${USAGE}`);
  process.exit(2);
}
const int8 = args.int8.split(',').filter(Boolean) as Int8Stage[];
if (int8.some((stage) => stage !== 'detector' && stage !== 'embedder')) {
  console.error(`--int8 takes detector and/or embedder.\n${USAGE}`);
  process.exit(2);
}
const model = args.model as FaceModelVersion;
const runtime = args.runtime;
const root = requireDatasets();
const ids = faceModels[model];
const started = performance.now();

const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: model, runtime, int8 });
const photos = createPhotoAnalyses(root, analyzer);
const context: AccuracyContext = {
  root,
  model,
  runtime,
  args,
  analyzer,
  photos,
  wider: widerSubset(root).filter((_, i) => !args.quick || i % 4 === 0),
  faceless: facelessImages(root),
  targets: [],
};

// ---- report -------------------------------------------------------------------------------

console.log('facekit accuracy benchmark');
console.log(
  `  model ${model} (detector ${ids.detector}, landmarks ${ids.landmarks}, embedder ${ids.embedder})${int8.length ? `; int8: ${int8.join(', ')}` : ''}`,
);
console.log(
  `  runtime onnxruntime-${runtime}, 1 thread per model; detection defaults ${JSON.stringify(defaultFaceDetectionOptions)}`,
);
console.log(`  datasets ${root}${args.quick ? '; --quick: WIDER 1 image in 4' : ''}`);

// Sections print in this order; each adds its targets to context.targets.
if (!args.detection) await verificationSections(context);
if (!args.verification) {
  const { widerRun, facelessRun } = await detectionSections(context);
  if (!args.detection) await genderSection(context);
  if (!args.detection) await eyeDirectionSection(context);
  if (args.variants) await detectionVariantsSection(context, widerRun, facelessRun);
}

// ---- summary ------------------------------------------------------------------------------

const { targets } = context;
const { errors } = photos;
heading('Targets');
console.log(
  formatTable(
    targets.map((t) => [verdict(t.pass), t.name, t.value]),
    '  ',
    'lll',
  ),
);

if (errors.length) {
  heading('Errors');
  for (const e of errors) console.log(`  ${e.path}: ${e.error}`);
}
console.log(`\n${photos.analyses} analyses in ${num((performance.now() - started) / 1000, 0)} s.`);
await analyzer.close();
process.exitCode = errors.length > 0 ? 1 : 0;
