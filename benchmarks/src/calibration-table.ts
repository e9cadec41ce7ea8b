/**
 * `pnpm bench:calibration [--model 1.0] [--runtime node|web]`
 *
 * Per face model: `Similarity` threshold → false accept rate (FAR) and true accept rate (TAR) on
 * the labelled deepface photos of ../shared/datasets, with the pairs `bench:accuracy` uses
 * (different-person pairs between identities a "No" label separates; same-person pairs inside an
 * identity; and deepface's pivot "Yes" pairs), and the measured FAR points that
 * `packages/core/src/analysis/similarity-calibration.ts` keeps for matching by a target false accept rate.
 */
import { parseArgs } from 'node:util';
import { dot } from '@facekit/core/vector';
import {
  createNodeFaceAnalyzer,
  type FaceModelVersion,
  faceModels,
  similarityScaleFor,
} from '@facekit/pipeline-node';
import { type LabelledPair, labelledPairs, pivotPairs, requireDatasets } from './datasets.js';
import { falseAcceptPoints, thresholdTable } from './false-accept-table.js';
import { clusterIdentities, identityPairs } from './identity-clusters.js';
import { readImageForApi } from './image-bytes.js';
import { formatTable, num, pct } from './report-format.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', multiple: true },
    runtime: { type: 'string', default: 'node' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log('Usage: pnpm bench:calibration [--model 1.0 --model 2.0] [--runtime node|web]');
  process.exit(0);
}
const models = (args.model ?? Object.keys(faceModels)) as FaceModelVersion[];
for (const m of models) {
  if (!(m in faceModels)) {
    console.error(`Unknown --model ${m}; known: ${Object.keys(faceModels).join(', ')}`);
    process.exit(2);
  }
}
const runtime = args.runtime === 'web' ? 'web' : 'node';
const root = requireDatasets();

const THRESHOLDS = [50, 60, 70, 75, 80, 85, 90, 95, 99];
const RATES = [0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];

const pivot = pivotPairs(root);
const identities = clusterIdentities(labelledPairs(root));
const images = [...identities.clusterOf.keys()];

console.log('facekit similarity calibration: Similarity threshold → FAR / TAR per face model');
console.log(`  datasets ${root}; onnxruntime-${runtime}`);
console.log(
  `  ${images.length} deepface photos, ${identities.clusters.length} identities (union-find over the "Yes" pairs of face-recognition-pivot.csv and master.csv)`,
);

for (const model of models) {
  const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: model, runtime });
  const embeddings = new Map<string, Float32Array>();
  for (const path of images) {
    const { bytes } = await readImageForApi(path);
    const result = await analyzer.analyze(bytes, { attributes: ['DEFAULT'], embedLargest: 1 });
    const embedding = result.faces[0]?.embedding;
    if (embedding) embeddings.set(path, embedding);
  }
  await analyzer.close();
  const scale = similarityScaleFor(faceModels[model].embedder);
  const similarity = (a: string, b: string) =>
    scale.toPercent(dot(embeddings.get(a) as Float32Array, embeddings.get(b) as Float32Array));
  const { positives, negatives } = identityPairs(identities, (p) => embeddings.has(p));
  const negativeScores = negatives.map(([a, b]) => similarity(a, b));
  const positiveScores = positives.map(([a, b]) => similarity(a, b));
  const pivotYes = pivot
    .filter((p: LabelledPair) => p.same && embeddings.has(p.a) && embeddings.has(p.b))
    .map((p) => similarity(p.a, p.b));

  console.log(
    `\n== Face model ${model} (${faceModels[model].embedder}) ==\n  ${embeddings.size}/${images.length} photos with a face; ${negatives.length} different-person pairs, ${positives.length} same-person pairs, ${pivotYes.length} pivot "Yes" pairs`,
  );
  const same = thresholdTable(negativeScores, positiveScores, THRESHOLDS);
  const yes = thresholdTable(negativeScores, pivotYes, THRESHOLDS);
  console.log(
    formatTable([
      ['Similarity ≥', 'FAR', 'false accepts', 'TAR (same-person)', 'TAR (pivot "Yes")'],
      ...same.map((row, i) => [
        String(row.similarity),
        pct(row.falseAcceptRate, 2),
        `${row.falseAccepts}/${negatives.length}`,
        pct(row.trueAcceptRate, 1),
        pct(yes[i].trueAcceptRate, 1),
      ]),
    ]),
  );
  const points = falseAcceptPoints(negativeScores, RATES);
  const pointRows = points.map(([s, rate]) => {
    const tar = positiveScores.filter((x) => x >= s).length / positiveScores.length;
    return [String(rate), num(s, 2), pct(tar, 1)];
  });
  console.log('  target FAR → lowest Similarity with at most that FAR (measured), TAR there:');
  console.log(formatTable([['max FAR', 'Similarity ≥', 'TAR (same-person)'], ...pointRows]));
  const unresolved = RATES.filter((r) => r * negatives.length < 1);
  if (unresolved.length) {
    console.log(`  not resolvable with ${negatives.length} negatives: ${unresolved.join(', ')}`);
  }
  console.log(`  falseAcceptRates for similarity-calibration.ts: ${JSON.stringify(points)}`);
  const current = scale.falseAcceptRates;
  if (current) console.log(`  current similarity-calibration.ts: ${JSON.stringify(current)}`);
}
console.log(
  '\nIn-sample: the pairs that placed the anchors are the pairs measured here, and 13 people give few',
);
console.log(
  'pairs of people; the 0.1% point rests on the two highest different-person pairs. Read it as a',
);
console.log('measured order of magnitude, not a guarantee on your population.');
