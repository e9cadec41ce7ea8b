/**
 * `pnpm bench:face-cosines [--model 1.0]`
 *
 * The cosine distributions that the face-like vectors of `pnpm bench:search` imitate: every
 * labelled photo of ../shared/datasets/deepface is embedded with the default pipeline (largest
 * face), images are grouped into identities (`identity-clusters.ts`, as `bench:accuracy` does),
 * and the same-person and different-person cosines are summarised next to those of the
 * generator (`face-like-vectors.ts`) with its current parameters.
 */
import { parseArgs } from 'node:util';
import { dot } from '@facekit/core/vector';
import { createNodeFaceAnalyzer, type FaceModelVersion } from '@facekit/pipeline-node';
import { labelledPairs, requireDatasets } from './datasets.js';
import { faceLikePairCosines, summarizeCosines } from './face-like-vectors.js';
import { clusterIdentities, identityPairs } from './identity-clusters.js';
import { readImageForApi } from './image-bytes.js';
import { formatTable, num } from './report-format.js';

const { values: args } = parseArgs({
  options: { model: { type: 'string', default: '1.0' } },
  strict: true,
});

const root = requireDatasets();
const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: args.model as FaceModelVersion });
const identities = clusterIdentities(labelledPairs(root));
const embeddings = new Map<string, Float32Array>();
for (const path of identities.clusterOf.keys()) {
  try {
    const image = await readImageForApi(path);
    const result = await analyzer.analyze(image.bytes, { attributes: [], embedLargest: 1 });
    const embedding = result.faces[0]?.embedding;
    if (embedding) embeddings.set(path, embedding);
  } catch {
    // An unreadable photo has no embedding; it is left out like a photo without a face.
  }
}
const { positives, negatives } = identityPairs(identities, (p) => embeddings.has(p));
const cosineOf = ([a, b]: [string, string]) =>
  dot(embeddings.get(a) as Float32Array, embeddings.get(b) as Float32Array);
const real = {
  same: summarizeCosines(positives.map(cosineOf)),
  different: summarizeCosines(negatives.map(cosineOf)),
};
const generated = faceLikePairCosines(20_000, 512, 7);
const row = (label: string, s: ReturnType<typeof summarizeCosines>) => [
  label,
  String(s.count),
  num(s.mean, 3),
  num(s.std, 3),
  num(s.p5, 3),
  num(s.p50, 3),
  num(s.p95, 3),
];
console.log(
  `${embeddings.size}/${identities.clusterOf.size} labelled photos embedded (model ${args.model}), ${identities.clusters.length} identities`,
);
console.log(
  formatTable([
    ['pairs', 'n', 'mean', 'std', 'p5', 'p50', 'p95'],
    row('photos: same person', real.same),
    row('generator: same person', generated.same),
    row('photos: different people', real.different),
    row('generator: different people', generated.different),
  ]),
);
console.log(`RESULT ${JSON.stringify(real)}`);
