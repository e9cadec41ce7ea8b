/**
 * `pnpm bench:people [--model 1.0] [--faces 100000] [--quality-faces 10000] [--skip-photos]`
 *
 * How well ClusterFaces' clustering finds people, and what it costs:
 * 1. the labelled photos of ../shared/datasets/deepface (largest face of each, identities from
 *    the labelled pairs as `bench:accuracy` forms them): BCubed and pairwise precision/recall,
 *    clusters vs people, for each method and threshold (ClusterFaces uses average linkage);
 * 2. face-like vectors (the generator of `bench:search`, fitted to our embedder) with known
 *    identities, through the approximate neighbour graph ClusterFaces uses above 3000 faces;
 * 3. time and memory of clustering `--faces` face-like vectors (graph + average linkage): wall
 *    time, and the CPU time of this process (one thread), which the machine's load inflates less.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { SimilarityScale } from '@facekit/core';
import { similarityScaleFor } from '@facekit/core/analyzer';
import {
  buildNeighbourGraph,
  type ClusteringMethod,
  clusterVectors,
} from '@facekit/core/clustering';
import { createNodeFaceAnalyzer, type FaceModelVersion } from '@facekit/pipeline-node';
import { scoreClustering } from './clustering-metrics.js';
import { labelledPairs, requireDatasets } from './datasets.js';
import { FaceLikeVectors } from './face-like-vectors.js';
import { clusterIdentities } from './identity-clusters.js';
import { readImageForApi } from './image-bytes.js';
import { formatTable, num } from './report-format.js';
import { measureWhoIsInPhoto } from './who-is-in-photo.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: '1.0' },
    faces: { type: 'string', default: '100000' },
    'quality-faces': { type: 'string', default: '10000' },
    'skip-photos': { type: 'boolean', default: false },
  },
  strict: true,
});

const METHODS: readonly ClusteringMethod[] = ['average', 'single', 'whispers'];
const THRESHOLDS = [60, 70, 75, 80, 85, 90];
/** ClusterFaces' defaults. */
const DEFAULT_THRESHOLD = 85;
const NEIGHBOURS = 16;
const load = () => loadavg()[0].toFixed(1);

interface Labelled {
  vectors: Float32Array;
  dim: number;
  truth: Int32Array;
}

/** One table: every method at every threshold over the same exact-or-approximate graph. */
function qualityTable(data: Labelled, scale: SimilarityScale, title: string): void {
  const n = data.truth.length;
  const lowest = scale.toCosine(Math.min(...THRESHOLDS));
  const started = performance.now();
  const graph = buildNeighbourGraph(data.vectors, data.dim, { k: NEIGHBOURS, minScore: lowest });
  const graphSeconds = (performance.now() - started) / 1000;
  const rows: string[][] = [
    [
      'method',
      'Similarity ≥',
      'cosine',
      'BCubed P',
      'BCubed R',
      'BCubed F',
      'pair P',
      'pair R',
      'clusters',
      'people',
    ],
  ];
  for (const method of METHODS) {
    for (const threshold of THRESHOLDS) {
      const cosine = scale.toCosine(threshold);
      const labels = clusterVectors({
        vectors: data.vectors,
        dim: data.dim,
        graph,
        threshold: cosine,
        imageOf: Int32Array.from({ length: n }, (_, i) => i),
        seedOf: new Int32Array(n).fill(-1),
        cannotLink: [],
        method,
      });
      const s = scoreClustering(labels, data.truth);
      rows.push([
        `${method}${method === 'average' && threshold === DEFAULT_THRESHOLD ? ' (default)' : ''}`,
        String(threshold),
        num(cosine, 3),
        num(s.bcubedPrecision, 4),
        num(s.bcubedRecall, 4),
        num(s.bcubedF, 4),
        num(s.pairwisePrecision, 4),
        num(s.pairwiseRecall, 4),
        String(s.clusters),
        String(s.identities),
      ]);
    }
  }
  console.log(`\n== ${title} ==`);
  console.log(
    `  ${n} faces, ${new Set(data.truth).size} people; graph (k ${NEIGHBOURS}, ${n <= 3000 ? 'exact' : 'approximate'}) ${num(graphSeconds, 1)} s, load ${load()}`,
  );
  console.log(formatTable(rows));
}

async function photos(): Promise<void> {
  const root = requireDatasets();
  const analyzer = await createNodeFaceAnalyzer({
    faceModelVersion: args.model as FaceModelVersion,
  });
  const identities = clusterIdentities(labelledPairs(root));
  const embedded: { vector: Float32Array; identity: number }[] = [];
  for (const [path, identity] of identities.clusterOf) {
    try {
      const image = await readImageForApi(path);
      const result = await analyzer.analyze(image.bytes, { attributes: [], embedLargest: 1 });
      const vector = result.faces[0]?.embedding;
      if (vector) embedded.push({ vector, identity });
    } catch {
      // An unreadable photo is left out like a photo without a face.
    }
  }
  const scale = analyzer.similarity;
  await analyzer.close?.();
  const dim = embedded[0]?.vector.length ?? 0;
  const vectors = new Float32Array(embedded.length * dim);
  for (const [i, e] of embedded.entries()) vectors.set(e.vector, i * dim);
  qualityTable(
    { vectors, dim, truth: Int32Array.from(embedded, (e) => e.identity) },
    scale,
    `Labelled photos (deepface; model ${args.model}): ${embedded.length}/${identities.clusterOf.size} photos with a face. People are the labelled pairs' identities; two that no "No" pair separates may be one person split in two, so a merge of them counts against precision here`,
  );
}

function faceLike(count: number, seed: number): Labelled {
  const dim = 512;
  const generator = new FaceLikeVectors(dim, seed);
  const vectors = new Float32Array(count * dim);
  const truth = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    generator.next(vectors, i * dim);
    truth[i] = generator.lastIdentity;
  }
  return { vectors, dim, truth };
}

function timing(count: number, scale: SimilarityScale): void {
  const data = faceLike(count, 11);
  const cosine = scale.toCosine(DEFAULT_THRESHOLD);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const graph = buildNeighbourGraph(data.vectors, data.dim, {
    k: NEIGHBOURS,
    minScore: cosine,
  });
  const graphDone = performance.now();
  peak = Math.max(peak, process.memoryUsage().rss);
  const labels = clusterVectors({
    vectors: data.vectors,
    dim: data.dim,
    graph,
    threshold: cosine,
    imageOf: Int32Array.from({ length: count }, (_, i) => i),
    seedOf: new Int32Array(count).fill(-1),
    cannotLink: [],
    method: 'average',
  });
  const done = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const s = scoreClustering(labels, data.truth);
  console.log(`\n== Clustering ${count} face-like vectors (512-d), average linkage ==`);
  console.log(
    formatTable([
      [
        'faces',
        'graph s',
        'linkage s',
        'total s',
        'CPU s',
        'RSS before MB',
        'peak RSS MB',
        'BCubed P',
        'BCubed R',
        'clusters',
        'people',
        'load',
      ],
      [
        String(count),
        num((graphDone - started) / 1000, 1),
        num((done - graphDone) / 1000, 1),
        num((done - started) / 1000, 1),
        num((cpu.user + cpu.system) / 1e6, 1),
        num(rssBefore / 2 ** 20, 0),
        num(peak / 2 ** 20, 0),
        num(s.bcubedPrecision, 4),
        num(s.bcubedRecall, 4),
        String(s.clusters),
        String(s.identities),
        load(),
      ],
    ]),
  );
}

const embedderScale = similarityScaleFor('faceplugin-embed-mobilefacenet512');
if (!args['skip-photos']) {
  await photos();
  // Who is in this photo (FacekitService.WhoIsInImage): its own file, also pnpm bench:who.
  console.log('\n== Who is in this photo: labelled group photos (face model 1.0) ==');
  await measureWhoIsInPhoto(requireDatasets());
}
if (Number(args['quality-faces']) > 0) {
  qualityTable(
    faceLike(Number(args['quality-faces']), 7),
    embedderScale,
    `Face-like vectors with known identities (Similarity through model 1.0's calibration, which the generator was fitted to)`,
  );
}
timing(Number(args.faces), embedderScale);
