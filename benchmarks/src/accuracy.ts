/**
 * `pnpm bench:accuracy [--model 1.0] [--runtime node|web] [--calibrate] [--quick]`
 *
 * Accuracy of the default face pipeline on ../shared/datasets: verification (deepface pairs),
 * detection (WIDER FACE subset) and its Confidence calibration (fitted on half, checked on the
 * other half), group photos, portraits, face-less photos, and the similarity calibration. Prints a report with PASS/MISS per target; exits non-zero only on errors.
 * `--variants` also compares detection settings on WIDER and the face-less photos; `--detection`
 * runs only the detection sections (WIDER, Confidence, group photos, portraits, face-less photos,
 * false faces).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaceAnalyzer, SimilarityScale } from '@facekit/core';
import {
  defaultDetectionVerifier,
  defaultFaceDetectionOptions,
  type FaceDetectionOptions,
  piecewiseLinearSimilarityScale,
  qualityBars,
} from '@facekit/core/analyzer';
import {
  detectionConfidenceFor,
  piecewiseLinearDetectionConfidence,
  rawDetectionConfidence,
} from '@facekit/core/pipeline';
import { dot } from '@facekit/core/vector';
import {
  createNodeFaceAnalyzer,
  type FaceModelVersion,
  faceModels,
  type NodeFaceAnalyzerOptions,
  similarityAnchors,
} from '@facekit/pipeline-node';
import { proposeAnchors } from './calibration-anchors.js';
import {
  brierScore,
  confidenceAnchors,
  isotonicBlocks,
  type LabelledDetection,
  reliability,
} from './confidence-calibration.js';
import {
  facelessImages,
  type LabelledPair,
  masterPairs,
  pivotPairs,
  requireDatasets,
  widerSubset,
} from './datasets.js';
import { recallByHeight } from './detection-recall.js';
import { clusterIdentities, identityPairs } from './identity-clusters.js';
import { readImageForApi } from './image-bytes.js';
import { kFoldAccuracy, matchDetections, rocAuc, type ScoredPair, tarAtFar } from './metrics.js';
import { formatTable, num, pct, verdict } from './report-format.js';
import { summarizeTimings } from './timing-summary.js';

const USAGE =
  'Usage: pnpm bench:accuracy [--model 1.0] [--runtime node|web] [--calibrate] [--quick] [--variants] [--detection]';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: '1.0' },
    runtime: { type: 'string', default: 'node' },
    calibrate: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    variants: { type: 'boolean', default: false },
    detection: { type: 'boolean', default: false },
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
const model = args.model as FaceModelVersion;
const runtime = args.runtime;
const root = requireDatasets();
const ids = faceModels[model];
const started = performance.now();

const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: model, runtime });
const verifierPreset = defaultDetectionVerifier;

// ---- analysis with a per-file cache ------------------------------------------------------

interface Face {
  /** [x, y, width, height] in pixels. */
  box: number[];
  confidence: number;
  /** The detector's raw probability (0–1) behind `confidence`. */
  score: number;
  /** The detection verifier's face probability, when it checked this face. */
  faceProbability?: number;
}
type Analysis =
  | { ok: true; faces: Face[]; embedding?: Float32Array; width: number; height: number; ms: number }
  | { ok: false; error: string };

const errors: { path: string; error: string }[] = [];
let analyses = 0;
const converted = new Set<string>();
const rel = (path: string) => relative(root, path);

async function analyze(
  path: string,
  embedLargest: number,
  using: FaceAnalyzer = analyzer,
): Promise<Analysis> {
  analyses++;
  try {
    const image = await readImageForApi(path);
    if (image.converted) converted.add(rel(path));
    const t0 = performance.now();
    const result = await using.analyze(image.bytes, { attributes: ['DEFAULT'], embedLargest });
    const ms = performance.now() - t0;
    const { width, height } = result;
    const faces = result.faces.map((f): Face => {
      const b = f.detail.BoundingBox ?? {};
      return {
        box: [
          (b.Left ?? 0) * width,
          (b.Top ?? 0) * height,
          (b.Width ?? 0) * width,
          (b.Height ?? 0) * height,
        ],
        confidence: f.detail.Confidence ?? 0,
        score: f.detectionScore ?? Number.NaN,
        faceProbability: f.faceProbability,
      };
    });
    return { ok: true, faces, embedding: result.faces[0]?.embedding, width, height, ms };
  } catch (cause) {
    const error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    errors.push({ path: rel(path), error });
    return { ok: false, error };
  }
}

/** Photos analysed once with the largest face embedded, shared by every section below. */
const cache = new Map<string, Analysis>();
async function analyzeCached(path: string): Promise<Analysis> {
  let result = cache.get(path);
  if (!result) {
    result = await analyze(path, 1);
    cache.set(path, result);
  }
  return result;
}

function progress(label: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${label} ${done}/${total}\u001b[K`);
  if (process.stderr.isTTY && done === total) process.stderr.write('\r\u001b[K');
}

async function analyzeAll(label: string, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i++) {
    await analyzeCached(paths[i]);
    progress(label, i + 1, paths.length);
  }
}

function embeddingOf(path: string): Float32Array | undefined {
  const a = cache.get(path);
  return a?.ok ? a.embedding : undefined;
}

function cosine(a: string, b: string): number | undefined {
  const ea = embeddingOf(a);
  const eb = embeddingOf(b);
  return ea && eb ? dot(ea, eb) : undefined;
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const heading = (title: string) => console.log(`\n== ${title} ==`);

const wider = widerSubset(root).filter((_, i) => !args.quick || i % 4 === 0);
const faceless = facelessImages(root);

// ---- report -------------------------------------------------------------------------------

console.log('facekit accuracy benchmark');
console.log(
  `  model ${model} (detector ${ids.detector}, landmarks ${ids.landmarks}, embedder ${ids.embedder})`,
);
console.log(
  `  runtime onnxruntime-${runtime}, 1 thread per model; detection defaults ${JSON.stringify(defaultFaceDetectionOptions)}`,
);
console.log(`  datasets ${root}${args.quick ? '; --quick: WIDER 1 image in 4' : ''}`);

interface Targets {
  name: string;
  pass: boolean;
  value: string;
}
const targets: Targets[] = [];

/** Cosine per pair; a pair with an image without a face (or not analysable) scores −1. */
function scorePairs(pairs: readonly LabelledPair[]): ScoredPair[] {
  return pairs.map((p) => ({ score: cosine(p.a, p.b) ?? -1, same: p.same }));
}

function reportMissingFaces(images: readonly string[]): void {
  const noFace = images.filter((p) => {
    const a = cache.get(p);
    return a?.ok && a.faces.length === 0;
  });
  const failed = images.filter((p) => !cache.get(p)?.ok);
  console.log(
    `  images: ${images.length} distinct; no face found in ${noFace.length}${noFace.length ? `: ${noFace.map((p) => basename(p)).join(', ')}` : ''}`,
  );
  if (failed.length) {
    console.log(
      `  could not be analysed (see Errors): ${failed.map((p) => basename(p)).join(', ')}`,
    );
  }
  const conv = images.filter((p) => converted.has(rel(p)));
  if (conv.length) {
    console.log(
      `  ${conv.map((p) => basename(p)).join(', ')}: WebP despite the name; the API takes JPEG/PNG only, so it was re-encoded losslessly to PNG first (as a client must).`,
    );
  }
}

async function verification(title: string, pairs: readonly LabelledPair[]) {
  heading(title);
  const images = unique(pairs.flatMap((p) => [p.a, p.b]));
  await analyzeAll(title, images);
  reportMissingFaces(images);
  const scored = scorePairs(pairs);
  const same = scored.filter((p) => p.same).map((p) => p.score);
  const different = scored.filter((p) => !p.same).map((p) => p.score);
  const unscored = pairs.filter((p) => cosine(p.a, p.b) === undefined).length;
  console.log(
    `  pairs: ${same.length} same / ${different.length} different${unscored ? `; ${unscored} pairs with an image without a face score cosine −1` : ''}`,
  );
  const cv = kFoldAccuracy(scored, 10);
  const auc = rocAuc(scored);
  console.log(
    `  10-fold CV accuracy: ${pct(cv.mean, 2)} ± ${pct(cv.std, 2)} (threshold chosen on 9 folds, applied to the 10th; fold = pair index mod 10)`,
  );
  console.log(`  ROC AUC: ${num(auc, 5)}`);
  const tar = tarAtFar(scored, 1e-3);
  console.log(
    `  TAR @ FAR 1e-3: ${pct(tar.tar)} at cosine ≥ ${num(tar.threshold, 3)}${tar.resolvable ? '' : ` (NOT resolvable: ${tar.negatives} negatives resolve FAR ≥ ${(1 / tar.negatives).toExponential(1)} only; this is TAR with no negative accepted; see the larger negative set)`}`,
  );
  console.log(
    `  cosine: same-person min ${num(Math.min(...same), 3)}, median ${num(median(same), 3)}; different-person max ${num(Math.max(...different), 3)}, median ${num(median(different), 3)}`,
  );
  const hardest = (wantSame: boolean) =>
    pairs
      .map((p, i) => ({ p, s: scored[i].score }))
      .filter((x) => x.p.same === wantSame)
      .sort((x, y) => (wantSame ? x.s - y.s : y.s - x.s))
      .slice(0, 3)
      .map((x) => `${basename(x.p.a)}–${basename(x.p.b)} ${num(x.s, 3)}`)
      .join(', ');
  console.log(`  lowest same-person pairs: ${hardest(true)}`);
  console.log(`  highest different-person pairs: ${hardest(false)}`);
  return { cv, auc };
}

async function evaluateWider(using: FaceAnalyzer) {
  const results: { boxes: number[][]; found: boolean[] }[] = [];
  const loose: { boxes: number[][]; found: boolean[] }[] = [];
  const ms: number[] = [];
  /** Every detection, labelled: a face when it matches a WIDER box one-to-one (IoU ≥ 0.5). */
  const labelled: (LabelledDetection & {
    image: number;
    confidence: number;
    height: number;
    faceProbability?: number;
  })[] = [];
  /**
   * Clear false faces: Confidence ≥ 90 and no WIDER box (valid or invalid) under them at IoU ≥
   * 0.2, so a face boxed differently from WIDER's annotation does not count; per photo.
   */
  const clearFalse: { path: string; confidence: number }[] = [];
  let falsePositives = 0;
  let detections = 0;
  for (let i = 0; i < wider.length; i++) {
    const image = wider[i];
    const a = await analyze(image.path, 0, using);
    progress('WIDER', i + 1, wider.length);
    if (!a.ok) continue;
    const boxes = a.faces.map((f) => f.box);
    const match = matchDetections(image.boxes, boxes, 0.5, image.invalid);
    results.push({ boxes: image.boxes, found: match.found });
    loose.push({ boxes: image.boxes, found: matchDetections(image.boxes, boxes, 0.3).found });
    falsePositives += match.falsePositives;
    detections += boxes.length;
    const near = matchDetections([], boxes, 0.2, [...image.boxes, ...image.invalid]);
    a.faces.forEach((f, k) => {
      labelled.push({
        image: i,
        score: f.score,
        confidence: f.confidence,
        height: f.box[3],
        face: match.isFace[k],
        faceProbability: f.faceProbability,
      });
      if (f.confidence >= 90 && !near.isFace[k]) {
        clearFalse.push({ path: image.path, confidence: f.confidence });
      }
    });
    ms.push(a.ms);
  }
  return {
    bands: recallByHeight(results),
    looseBands: recallByHeight(loose),
    images: results.length,
    falsePositives,
    detections,
    labelled,
    clearFalse,
    timing: summarizeTimings(ms),
  };
}

/** Faces found in the face-less photos, per photo (undefined when it could not be analysed). */
async function evaluateFaceless(using: FaceAnalyzer, cached: boolean) {
  const found: (Face[] | undefined)[] = [];
  for (const path of faceless) {
    const a = cached ? await analyzeCached(path) : await analyze(path, 0, using);
    found.push(a.ok ? a.faces : undefined);
  }
  const total = found.reduce((n, faces) => n + (faces?.length ?? 0), 0);
  return { found, total, perImage: total / faceless.length };
}

/** Sections 1 (verification), the larger negative set and the similarity calibration. */
async function verificationSections(): Promise<void> {
  // ---- 1. verification ----------------------------------------------------------------------

  const pivot = pivotPairs(root);
  const master = masterPairs(root);
  const pivotResult = await verification(
    'Verification: deepface face-recognition-pivot.csv (140 same / 140 different)',
    pivot,
  );
  targets.push({
    name: 'pivot 10-fold accuracy ≥ 98.5%',
    pass: pivotResult.cv.mean >= 0.985,
    value: pct(pivotResult.cv.mean, 2),
  });
  targets.push({
    name: 'pivot ROC AUC ≥ 0.999',
    pass: pivotResult.auc >= 0.999,
    value: num(pivotResult.auc, 5),
  });
  await verification('Verification: deepface master.csv (38 same / 262 different)', master);

  // ---- larger negative set ------------------------------------------------------------------

  heading('Larger negative set from identities (pivot + master labels)');
  const labelled = unique(pivot.concat(master).map((p) => JSON.stringify(p))).map(
    (s) => JSON.parse(s) as LabelledPair,
  );
  const identities = clusterIdentities(labelled);
  const hasEmbedding = (p: string) => embeddingOf(p) !== undefined;
  const { positives, negatives } = identityPairs(identities, hasEmbedding);
  const sizes = identities.clusters.map((c) => c.length);
  const possible = (identities.clusters.length * (identities.clusters.length - 1)) / 2;
  const directNo = labelled.filter((p) => !p.same && hasEmbedding(p.a) && hasEmbedding(p.b)).length;
  console.log(
    '  How: union-find over every "Yes" pair of both files groups images into identity clusters. Two',
  );
  console.log(
    '  clusters with no "Yes" link are not known to differ (one person can be split in two), so cross',
  );
  console.log(
    '  pairs are negatives only between clusters that some "No" label links (an image of one labelled',
  );
  console.log(
    '  "No" with an image of the other); then every image pair across those two clusters is a negative.',
  );
  console.log('  Positives: every pair inside a cluster. Images without a face are left out.');
  console.log(
    `  ${identities.clusterOf.size} images → ${identities.clusters.length} identity clusters (sizes ${sizes.join(' ')}); ${identities.linked.length} of ${possible} cluster pairs linked by "No"`,
  );
  console.log(
    `  "No" labels inside a cluster (contradicting the "Yes" labels): ${identities.contradictions.length}${identities.contradictions.map((p) => ` ${basename(p.a)}–${basename(p.b)}`).join(',')}`,
  );
  console.log(
    `  negatives: ${negatives.length} (of which ${directNo} labelled "No" directly); positives: ${positives.length} same-cluster pairs (${pivot.filter((p) => p.same).length} labelled "Yes" in pivot)`,
  );
  const large: ScoredPair[] = [
    ...negatives.map(([a, b]) => ({ score: cosine(a, b) as number, same: false })),
    ...positives.map(([a, b]) => ({ score: cosine(a, b) as number, same: true })),
  ];
  const pivotPositives = pivot
    .filter((p) => p.same)
    .map((p) => ({ score: cosine(p.a, p.b) ?? -1, same: true }));
  const largeNegatives = large.filter((p) => !p.same);
  const tarRows = [['FAR', 'threshold cosine', 'TAR same-cluster pairs', 'TAR pivot "Yes" pairs']];
  for (const far of [1e-3, 1e-2]) {
    const all = tarAtFar(large, far);
    const piv = tarAtFar([...largeNegatives, ...pivotPositives], far);
    tarRows.push([
      `${far.toExponential(0)} (${Math.floor(far * negatives.length)} of ${negatives.length} negatives above)${all.resolvable ? '' : ' NOT resolvable'}`,
      num(all.threshold, 3),
      `${pct(all.tar, 2)} of ${positives.length}`,
      `${pct(piv.tar, 2)} of ${pivotPositives.length}`,
    ]);
  }
  console.log(formatTable(tarRows));
  console.log(
    `  ROC AUC on this set: ${num(rocAuc(large), 5)}; highest negative cosine ${num(Math.max(...largeNegatives.map((p) => p.score)), 3)}`,
  );

  // ---- similarity calibration ---------------------------------------------------------------

  function similarityTable(label: string, scale: SimilarityScale): void {
    console.log(`  ${label}:`);
    const rows = [
      ['Similarity ≥', 'cosine ≥', 'FAR (negatives)', 'TAR same-cluster', 'TAR pivot "Yes"'],
    ];
    for (const threshold of [50, 70, 80, 90, 95, 99]) {
      const accepted = (p: ScoredPair) => scale.toPercent(p.score) >= threshold;
      const fa = largeNegatives.filter(accepted).length;
      const ta = large.filter((p) => p.same && accepted(p)).length;
      const tp = pivotPositives.filter(accepted).length;
      rows.push([
        String(threshold),
        num(scale.toCosine(threshold), 3),
        `${pct(fa / largeNegatives.length, 2)} (${fa}/${largeNegatives.length})`,
        pct(ta / positives.length, 1),
        pct(tp / pivotPositives.length, 1),
      ]);
    }
    console.log(formatTable(rows, '    '));
  }

  heading('Similarity calibration');
  const currentAnchors = similarityAnchors[ids.embedder];
  console.log(`  current anchors of ${ids.embedder}: ${JSON.stringify(currentAnchors)}`);
  similarityTable(
    'current calibration (the analyzer’s similarity scale) on the pairs above',
    analyzer.similarity,
  );
  if (args.calibrate) {
    const proposal = proposeAnchors(
      largeNegatives.map((p) => p.score),
      large.filter((p) => p.same).map((p) => p.score),
    );
    const m = proposal.measured;
    console.log(
      '  --calibrate, per the doc comment of packages/core/src/analysis/similarity-calibration.ts:',
    );
    console.log(
      `    50 ← cosine at FAR 10% on the ${largeNegatives.length} negatives: ${num(m.far10, 4)}`,
    );
    console.log(
      `    80 ← cosine at FAR 0.1%: ${num(m.far001, 4)}${proposal.far001Resolvable ? '' : ` (NOT resolvable with ${largeNegatives.length} negatives: it is just above the highest one)`}`,
    );
    console.log(`    90 ← highest negative cosine ${num(m.maxNegative, 4)} + 0.05`);
    console.log(
      `    99 ← median cosine of the ${positives.length} same-person pairs: ${num(m.medianPositive, 4)} (the datasets do not say which pairs share a photo session, so all same-person pairs)`,
    );
    console.log('    anchors are rounded up to 0.001 (so the FAR at each one never grows)');
    for (const note of proposal.notes) console.log(`    adjusted: ${note}`);
    if (proposal.notes.length === 0)
      console.log('    no adjustment needed: strictly increasing as measured');
    console.log(
      `    caveat: in-sample (measured on the pairs it is then checked on), and ${identities.clusters.length} people give ${largeNegatives.length} negatives but only ${identities.linked.length} pairs of people: the FAR 0.1% point rests on the ${Math.floor(largeNegatives.length * 1e-3) + 1} highest negatives.`,
    );
    console.log('  paste into packages/core/src/analysis/similarity-calibration.ts:');
    console.log(`  '${ids.embedder}': [`);
    for (const [c, p] of proposal.anchors) console.log(`    [${c}, ${p}],`);
    console.log('  ],');
    similarityTable(
      'proposed calibration on the same pairs',
      piecewiseLinearSimilarityScale(proposal.anchors),
    );
  }
}

if (!args.detection) await verificationSections();

// ---- 2. detection on WIDER ----------------------------------------------------------------

heading(
  `Detection: WIDER FACE val subset (${wider.length} images, official ground truth, IoU ≥ 0.5; boxes marked invalid are ignored: neither misses nor false positives)`,
);
const widerRun = await evaluateWider(analyzer);
const bands = widerRun.bands;
const allFound = bands.reduce((n, b) => n + b.found, 0);
const allTotal = bands.reduce((n, b) => n + b.total, 0);
console.log(
  formatTable([
    ['face height', 'found', 'total', 'recall'],
    ...bands.map((b) => [b.band, String(b.found), String(b.total), pct(b.recall)]),
    ['all', String(allFound), String(allTotal), pct(allFound / allTotal)],
  ]),
);
console.log(
  `  unmatched detections per image: ${num(widerRun.falsePositives / widerRun.images, 2)} (${widerRun.falsePositives} of ${widerRun.detections} detections in ${widerRun.images} images)`,
);
console.log(
  `  localisation check, recall at IoU ≥ 0.3: ${widerRun.looseBands.map((b) => `${b.band} ${pct(b.recall)}`).join(', ')} (the gap to IoU 0.5 is faces found but boxed differently from WIDER's annotation)`,
);
const wt = widerRun.timing;
console.log(
  `  time per image (decode + detect + landmarks, no embedding): mean ${num(wt.mean, 0)} ms, p50 ${num(wt.p50, 0)} ms, p95 ${num(wt.p95, 0)} ms, max ${num(wt.max, 0)} ms`,
);
targets.push({
  name: 'WIDER recall 32–96 px ≥ 85%',
  pass: bands[1].recall >= 0.85,
  value: pct(bands[1].recall),
});
targets.push({
  name: 'WIDER recall >96 px ≥ 93%',
  pass: bands[2].recall >= 0.93,
  value: pct(bands[2].recall),
});

// ---- 2b. detection confidence --------------------------------------------------------------

heading(
  'Detection confidence: calibration on WIDER (fit on even-numbered images, reported on odd-numbered ones)',
);
{
  const fit = widerRun.labelled.filter((d) => d.image % 2 === 0);
  const heldOut = widerRun.labelled.filter((d) => d.image % 2 === 1);
  const precisionOf = (ds: readonly LabelledDetection[]) =>
    ds.filter((d) => d.face).length / ds.length;
  console.log(
    '  A detection is a face when it matches a WIDER box one-to-one at IoU ≥ 0.5 (or lies on a box WIDER marks invalid);',
  );
  console.log(
    `  fit half: ${fit.length} detections, ${pct(precisionOf(fit))} faces; held-out half: ${heldOut.length} detections, ${pct(precisionOf(heldOut))} faces`,
  );
  const shipped = heldOut.map((d) => ({ confidence: d.confidence, face: d.face }));
  const raw = heldOut.map((d) => ({
    confidence: rawDetectionConfidence.toPercent(d.score),
    face: d.face,
  }));
  const rows = [['Confidence', 'detections', 'mean Confidence', 'measured precision']];
  for (const r of reliability(shipped)) {
    rows.push([
      `${r.from}–${Math.round(r.to)}`,
      String(r.count),
      r.count ? num(r.predicted, 1) : '',
      r.count ? pct(r.precision) : '',
    ]);
  }
  console.log('  reliability of the reported Confidence on the held-out half:');
  console.log(formatTable(rows, '    '));
  console.log(
    `  Brier score on the held-out half (lower is better): reported Confidence ${num(brierScore(shipped), 4)}, raw probability × 100 ${num(brierScore(raw), 4)}`,
  );
  const barRows = [['QualityFilter', 'Confidence ≥', 'faces kept', 'non-faces kept', 'precision']];
  const faces = shipped.filter((d) => d.face).length;
  for (const [level, bar] of Object.entries(qualityBars)) {
    const kept = shipped.filter((d) => d.confidence >= bar.minConfidence);
    const keptFaces = kept.filter((d) => d.face).length;
    barRows.push([
      level,
      String(bar.minConfidence),
      pct(keptFaces / faces),
      `${kept.length - keptFaces} of ${shipped.length - faces}`,
      pct(keptFaces / kept.length),
    ]);
  }
  console.log('  the LOW_CONFIDENCE bar of each QualityFilter level, on the held-out half:');
  console.log(formatTable(barRows, '    '));
  const bandRows = [['face height', 'detections', 'mean Confidence', 'measured precision']];
  for (const [band, lo, hi] of [
    ['<32 px', 0, 32],
    ['32–96 px', 32, 96],
    ['>96 px', 96, Number.POSITIVE_INFINITY],
  ] as const) {
    const inBand = heldOut.filter((d) => d.height >= lo && d.height < hi);
    const mean = inBand.reduce((sum, d) => sum + d.confidence, 0) / inBand.length;
    bandRows.push([band, String(inBand.length), num(mean, 1), pct(precisionOf(inBand))]);
  }
  console.log('  by detected box height, on the held-out half:');
  console.log(formatTable(bandRows, '    '));
  // Faces the detection verifier doubts have their own curve (its `doubtedConfidence`), the
  // others the detector's: each is fitted on its own detections.
  const detectorCurve = detectionConfidenceFor(ids.detector);
  const doubtBelow = verifierPreset ? (verifierPreset.options.doubtBelow ?? 0.5) : 0;
  const isDoubted = (d: { faceProbability?: number }) =>
    d.faceProbability !== undefined && d.faceProbability < doubtBelow;
  for (const [label, doubted, where] of [
    [
      'detector',
      false,
      `packages/core/src/pipeline/detect/detection-confidence.ts ('${ids.detector}')`,
    ],
    [
      'doubted by the verifier',
      true,
      'doubtedConfidence of defaultDetectionVerifier (packages/core/src/analysis/face-model-presets.ts)',
    ],
  ] as const) {
    const part = fit.filter((d) => isDoubted(d) === doubted);
    const held = heldOut.filter((d) => isDoubted(d) === doubted);
    if (part.length === 0) continue;
    const blocks = isotonicBlocks(part, doubted ? 6 : 12);
    const anchors = confidenceAnchors(blocks);
    console.log(
      `  ${label}: ${part.length} detections in the fit half, ${held.length} held out; isotonic fit (${blocks.length} blocks): ${blocks.map((b) => `${num(b.min, 4)}–${num(b.max, 4)}: ${b.faces}/${b.count}`).join('; ')}`,
    );
    const proposed = piecewiseLinearDetectionConfidence(anchors);
    const brier = (confidence: (d: (typeof held)[number]) => number) =>
      num(brierScore(held.map((d) => ({ confidence: confidence(d), face: d.face }))), 4);
    console.log(
      `    held-out Brier score: reported Confidence ${brier((d) => d.confidence)}, the detector's curve ${brier((d) => detectorCurve.toPercent(d.score))}, proposed ${brier((d) => proposed.toPercent(d.score))}; proposed anchors for ${where}:`,
    );
    console.log(`    ${JSON.stringify(anchors)}`);
  }
}

// ---- 3. group photos ----------------------------------------------------------------------

heading('Group photos: faces found per image');
const deepfaceDir = join(root, 'deepface/tests/unit/dataset');
const samples = Array.from({ length: 6 }, (_, i) =>
  join(root, `misc/npm-vladmandic-face-api/sample${i + 1}.jpg`),
);
const groups = [
  ...samples,
  join(deepfaceDir, 'couple.jpg'),
  join(deepfaceDir, 'selfie-many-people.jpg'),
];
await analyzeAll('group photos', groups);
/** Faces visible in the deepface group photos, counted by eye for this benchmark. */
const byEye: Record<string, string> = {
  'couple.jpg': '2',
  'selfie-many-people.jpg': '7 (3 cut by the frame)',
};
const groupRows = [['photo', 'size', 'faces found', 'by eye', 'face heights (px)']];
let sampleFaces = 0;
for (const path of groups) {
  const a = cache.get(path);
  if (!a?.ok) {
    groupRows.push([rel(path), '', 'error', '', '']);
    continue;
  }
  if (samples.includes(path)) sampleFaces += a.faces.length;
  groupRows.push([
    rel(path),
    `${a.width}×${a.height}`,
    String(a.faces.length),
    byEye[basename(path)] ?? '',
    a.faces.map((f) => Math.round(f.box[3])).join(' '),
  ]);
}
console.log(formatTable(groupRows, '  ', 'lrrrl'));
console.log(
  `  @vladmandic/face-api samples: ${sampleFaces} faces found; the datasets README counts 22 in all (counts only: no boxes to match against)`,
);

// ---- 4. portraits -------------------------------------------------------------------------

heading('Portraits: at least one face in every deepface and face_recognition photo');
const imageFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return imageFiles(path);
      return /\.(jpe?g|png)$/i.test(name) ? [path] : [];
    });
const portraits = [
  ...imageFiles(deepfaceDir).filter((p) => basename(p) !== 'img47.jpg'),
  ...imageFiles(join(root, 'face_recognition/examples/knn_examples/train')),
  ...imageFiles(join(root, 'face_recognition/examples/knn_examples/test')),
];
await analyzeAll('portraits', portraits);
const missed = portraits.filter((p) => {
  const a = cache.get(p);
  return a?.ok && a.faces.length === 0;
});
const portraitErrors = portraits.filter((p) => !cache.get(p)?.ok);
const multi = portraits.filter((p) => {
  const a = cache.get(p);
  return a?.ok && a.faces.length > 1;
});
console.log(
  `  ${portraits.length} photos (deepface/tests/unit/dataset/*.jpg without img47.jpg, which is WebP; face_recognition/examples/knn_examples/{train,test}/**)`,
);
console.log(`  no face found: ${missed.length}${missed.map((p) => `\n    ${rel(p)}`).join('')}`);
if (portraitErrors.length) console.log(`  not analysable: ${portraitErrors.map(rel).join(', ')}`);
const smallest = portraits
  .map((p) => {
    const a = cache.get(p);
    return { p, h: a?.ok && a.faces.length ? a.faces[0].box[3] : Number.NaN };
  })
  .filter((x) => Number.isFinite(x.h))
  .sort((x, y) => x.h - y.h)[0];
console.log(
  `  more than one face: ${multi.length} (${multi.map((p) => `${basename(p)}: ${(cache.get(p) as { faces: Face[] }).faces.length}`).join(', ')})`,
);
if (smallest) {
  console.log(`  smallest largest-face: ${rel(smallest.p)}, ${Math.round(smallest.h)} px tall`);
}
targets.push({
  name: 'every portrait has a face found',
  pass: missed.length === 0 && portraitErrors.length === 0,
  value: `${portraits.length - missed.length - portraitErrors.length}/${portraits.length}`,
});

// ---- 5. face-less photos ------------------------------------------------------------------

heading('Face-less photos: false positives (every detection)');
const facelessRun = await evaluateFaceless(analyzer, true);
const facelessRows = [['photo', 'faces', 'confidence, height px']];
faceless.forEach((path, i) => {
  const faces = facelessRun.found[i];
  facelessRows.push([
    rel(path),
    faces ? String(faces.length) : 'error',
    (faces ?? []).map((f) => `${num(f.confidence, 1)}%, ${Math.round(f.box[3])}`).join('; '),
  ]);
});
console.log(formatTable(facelessRows));
const fpRate = facelessRun.perImage;
console.log(
  `  false positives per image: ${num(fpRate, 3)} (${facelessRun.total} in ${faceless.length} photos)`,
);
targets.push({
  name: 'face-less photos ≤ 1 false positive per 20 images',
  pass: fpRate <= 1 / 20,
  value: `${num(fpRate, 3)}/image`,
});

// ---- 5a. false faces -----------------------------------------------------------------------

heading('False faces: face-less photos by Confidence, WIDER group photos above Confidence 90');
console.log(
  `  detection verifier: ${verifierPreset ? `${verifierPreset.model} ${JSON.stringify(verifierPreset.options)}` : 'none'}`,
);
{
  const rows = [['faces counted', 'false faces', 'per face-less photo']];
  const levels: [string, number][] = [
    ['every detection', 0],
    ...Object.entries(qualityBars).map(([level, bar]): [string, number] => [
      `Confidence ≥ ${bar.minConfidence} (QualityFilter ${level})`,
      bar.minConfidence,
    ]),
  ];
  for (const [label, min] of levels) {
    const n = facelessRun.found.reduce(
      (sum, faces) => sum + (faces ?? []).filter((f) => f.confidence >= min).length,
      0,
    );
    rows.push([label, String(n), num(n / faceless.length, 3)]);
  }
  console.log(formatTable(rows));
  const groupEvents = /\/(19--Couple|20--Family_Group|13--Interview)\//;
  const inGroups = widerRun.clearFalse.filter((f) => groupEvents.test(f.path));
  const groupImages = wider.filter((w) => groupEvents.test(w.path)).length;
  console.log(
    `  clear false faces (Confidence ≥ 90, no WIDER box under them at IoU ≥ 0.2): ${widerRun.clearFalse.length} in ${widerRun.images} WIDER photos; ${inGroups.length} in the ${groupImages} group photos (Couple, Family_Group, Interview)${inGroups.map((f) => `\n    ${basename(f.path)} ${num(f.confidence, 1)}`).join('')}`,
  );
  console.log(
    '  (WIDER leaves some faces unboxed, so a clear false face is worth a look, not always wrong)',
  );
  targets.push({
    name: 'no clear false face ≥ 90 in the WIDER group photos',
    pass: inGroups.length === 0,
    value: String(inGroups.length),
  });
}

// ---- 5b. attributes: gender ---------------------------------------------------------------

/**
 * The datasets carry no age or gender labels. The deepface photos are of 13 public figures,
 * grouped into identities by the "Yes" pairs; one photo of each was looked at to label the
 * identity's gender (ours, not the dataset's). Age is not measured: no photo has a known date.
 */
const GENDER_BY_IDENTITY: Record<string, 'Male' | 'Female'> = {
  'img1.jpg': 'Female',
  'img8.jpg': 'Female',
  'img12.jpg': 'Female',
  'img22.jpg': 'Female',
  'img26.jpg': 'Female',
  'img13.jpg': 'Male',
  'img16.jpg': 'Male',
  'img18.jpg': 'Male',
  'img20.jpg': 'Male',
  'img24.jpg': 'Male',
  'img29.jpg': 'Male',
  'img34.jpg': 'Male',
  'img38.jpg': 'Male',
};
if (!args.detection) {
  heading('Gender: deepface photos, 13 identities labelled by us (5 women, 8 men)');
  const identities = clusterIdentities([...pivotPairs(root), ...masterPairs(root)]).clusters;
  let right = 0;
  let total = 0;
  const wrong: string[] = [];
  const confidences: number[] = [];
  const ms: number[] = [];
  for (const cluster of identities) {
    const label = cluster.map((p) => GENDER_BY_IDENTITY[basename(p)]).find(Boolean);
    if (!label) continue;
    for (const path of cluster) {
      try {
        const image = await readImageForApi(path);
        const t0 = performance.now();
        const result = await analyzer.analyze(image.bytes, {
          attributes: ['GENDER'],
          embedLargest: 0,
        });
        ms.push(performance.now() - t0);
        const gender = result.faces[0]?.detail.Gender;
        if (!gender) continue;
        total++;
        confidences.push(gender.Confidence ?? 0);
        if (gender.Value === label) right++;
        else
          wrong.push(
            `${rel(path)} (${label}, said ${gender.Value} ${num(gender.Confidence ?? 0, 0)}%)`,
          );
      } catch (cause) {
        errors.push({ path: rel(path), error: String(cause) });
      }
    }
  }
  const accuracy = total > 0 ? right / total : 0;
  console.log(
    `  largest face of ${total} photos: ${pct(accuracy, 1)} right; median Confidence ${num(median(confidences), 1)}; analyze(GENDER) ${num(median(ms), 0)} ms median`,
  );
  for (const w of wrong) console.log(`    wrong: ${w}`);
  targets.push({
    name: 'gender ≥ 95% on the labelled deepface identities',
    pass: accuracy >= 0.95,
    value: pct(accuracy, 1),
  });
}

// ---- 5c. attributes: eye direction --------------------------------------------------------

/**
 * Faces of the face-api sample photos that look into the camera (labelled by us by looking; the
 * others look down or away): for them the gaze relative to the head is minus the head's yaw,
 * and the gaze pitch about 0. `[photo, x, y]`: the face's box centre as fractions of the image.
 */
const LOOKING_INTO_CAMERA: [number, number, number][] = [
  [1, 0.82, 0.25],
  [1, 0.26, 0.37],
  [3, 0.62, 0.26],
  [3, 0.83, 0.32],
  [3, 0.36, 0.34],
  [4, 0.39, 0.13],
  [4, 0.18, 0.22],
  [5, 0.24, 0.73],
  [5, 0.78, 0.38],
  [5, 0.36, 0.39],
  [5, 0.62, 0.23],
  [5, 0.45, 0.16],
  [6, 0.83, 0.27],
  [6, 0.19, 0.4],
  [6, 0.4, 0.31],
  [6, 0.66, 0.29],
];
if (!args.detection) {
  heading(
    'EyeDirection: 16 faces looking into the camera (face-api sample photos, labelled by us)',
  );
  const gaze: number[] = [];
  const head: number[] = [];
  const pitch: number[] = [];
  for (const n of unique(LOOKING_INTO_CAMERA.map(([p]) => p))) {
    const path = join(root, `misc/npm-vladmandic-face-api/sample${n}.jpg`);
    const image = await readImageForApi(path);
    const result = await analyzer.analyze(image.bytes, {
      attributes: ['EYE_DIRECTION'],
      embedLargest: 0,
    });
    for (const [, x, y] of LOOKING_INTO_CAMERA.filter(([p]) => p === n)) {
      const d = result.faces
        .map((f) => f.detail)
        .find((f) => {
          const b = f.BoundingBox ?? {};
          const cx = (b.Left ?? 0) + (b.Width ?? 0) / 2;
          const cy = (b.Top ?? 0) + (b.Height ?? 0) / 2;
          return Math.hypot(cx - x, cy - y) < 0.06;
        });
      if (!d?.EyeDirection) {
        console.log(`  sample${n} (${x}, ${y}): no face or no eye direction`);
        continue;
      }
      gaze.push(d.EyeDirection.Yaw ?? 0);
      head.push(-(d.Pose?.Yaw ?? 0));
      pitch.push(d.EyeDirection.Pitch ?? 0);
    }
  }
  const mean = (v: number[]) => v.reduce((sum, x) => sum + x, 0) / v.length;
  const [mg, mh] = [mean(gaze), mean(head)];
  const cov = mean(gaze.map((g, i) => (g - mg) * (head[i] - mh)));
  const corr =
    cov / Math.sqrt(mean(gaze.map((g) => (g - mg) ** 2)) * mean(head.map((h) => (h - mh) ** 2)));
  const mae = mean(gaze.map((g, i) => Math.abs(g - head[i])));
  console.log(
    `  ${gaze.length} faces: gaze yaw vs −head yaw correlation ${num(corr, 2)}, mean error ${num(mae, 1)}° (always 0: ${num(mean(head.map(Math.abs)), 1)}°); pitch mean ${num(mean(pitch), 1)}°, mean |pitch| ${num(mean(pitch.map(Math.abs)), 1)}°`,
  );
  targets.push({
    name: 'eye direction: yaw error < half of guessing 0 (faces looking into the camera)',
    pass: mae < mean(head.map(Math.abs)) / 2,
    value: `${num(mae, 1)}°`,
  });
}

// ---- 6. detection variants ----------------------------------------------------------------

if (args.variants) {
  heading('Detection variants (createNodeFaceAnalyzer({ detection }), same models and runtime)');
  type Variant = [string, Partial<FaceDetectionOptions>, NodeFaceAnalyzerOptions?];
  const allVariants: Variant[] = [
    ['defaults', {}],
    ['no detection verifier', {}, { detectionVerifier: false }],
    ...[0.5, 0.3, 0.1].map(
      (p): Variant => [
        `O-Net ≥ ${p} on every face ≥ 24 px`,
        {},
        {
          detectionVerifier: {
            model: 'mtcnn-onet-48',
            options: { minFaceProbability: p, largeFaceMinProbability: p },
          },
        },
      ],
    ),
    [
      'O-Net as shipped but on faces of every size',
      {},
      verifierPreset
        ? {
            detectionVerifier: {
              ...verifierPreset,
              options: { ...verifierPreset.options, minHeight: 0 },
            },
          }
        : {},
    ],
    ['no tiling (full-image pass only)', { tiling: false }],
    ['tiles at 0.7 like the full pass', { tileScoreThreshold: 0.7 }],
    ['0.8 everywhere', { scoreThreshold: 0.8, tileScoreThreshold: 0.8 }],
    ['0.9 everywhere', { scoreThreshold: 0.9, tileScoreThreshold: 0.9 }],
    ['containment 0.6', { containment: 0.6 }],
    ['containment 0.6, no cross-pass support', { containment: 0.6, supportThreshold: 1 }],
    ['containment 0.6, 2×2 tiles only', { containment: 0.6, tiling: { finerGrids: [] } }],
    ['full pass 0.6', { scoreThreshold: 0.6 }],
    ['full 0.5, tiles 0.6', { scoreThreshold: 0.5, tileScoreThreshold: 0.6 }],
    ['cross-pass support 0.3', { supportThreshold: 0.3 }],
    ['NMS IoU 0.3', { iouThreshold: 0.3 }],
    ['NMS IoU 0.5', { iouThreshold: 0.5 }],
    ['tiles even after a large face', { tiling: { skipWhenFaceHeightRatio: Infinity } }],
    ['tile box limit 0.6', { tileMaxBoxFraction: 0.6 }],
    [
      'finer grids 3× and 4× (up to 30 runs)',
      {
        tiling: {
          finerGrids: [
            { zoom: 3, maxTiles: 9 },
            { zoom: 4, maxTiles: 16 },
          ],
        },
      },
    ],
    // BlazeFace (256) confirming each face, on a crop twice the face's side.
    ['BlazeFace verifier ≥ 0.5', { verifyThreshold: 0.5 }, { verifier: 'blazeface-back-256' }],
    ['BlazeFace verifier ≥ 0.75', { verifyThreshold: 0.75 }, { verifier: 'blazeface-back-256' }],
    [
      'BlazeFace ≥ 0.5 below 0.995',
      { verifyThreshold: 0.5, verifyBelow: 0.995 },
      { verifier: 'blazeface-back-256' },
    ],
    ['BlazeFace front-128 ≥ 0.5', { verifyThreshold: 0.5 }, { verifier: 'blazeface-front-128' }],
    [
      'BlazeFace front-128 ≥ 0.5, crop 1.5×',
      { verifyThreshold: 0.5, verifyCropScale: 1.5 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.5, crop 1.5×, faces ≥ 48 px',
      { verifyThreshold: 0.5, verifyCropScale: 1.5, verifyMinHeight: 48 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.5, crop 1.5×, faces ≥ 96 px',
      { verifyThreshold: 0.5, verifyCropScale: 1.5, verifyMinHeight: 96 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.5, crop 1.5×, faces ≥ 96 px under 0.999',
      { verifyThreshold: 0.5, verifyCropScale: 1.5, verifyMinHeight: 96, verifyBelow: 0.999 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.4, crop 1.5×, faces ≥ 96 px',
      { verifyThreshold: 0.4, verifyCropScale: 1.5, verifyMinHeight: 96 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.3, crop 1.5×, faces ≥ 96 px',
      { verifyThreshold: 0.3, verifyCropScale: 1.5, verifyMinHeight: 96 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.5, crop 1.5×, faces ≥ 64 px under 0.999',
      { verifyThreshold: 0.5, verifyCropScale: 1.5, verifyMinHeight: 64, verifyBelow: 0.999 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace front-128 ≥ 0.5, crop 2×, faces ≥ 48 px',
      { verifyThreshold: 0.5, verifyMinHeight: 48 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace ≥ 0.5, IoU 0.1, crop 3×',
      { verifyThreshold: 0.5, verifyIou: 0.1, verifyCropScale: 3 },
      { verifier: 'blazeface-back-256' },
    ],
  ];
  const only = process.env.VARIANTS; // e.g. VARIANTS='defaults|BlazeFace'
  const variants = allVariants.filter(([name]) => !only || new RegExp(only).test(name));
  const rows = [
    [
      'variant',
      '<32 px',
      '32–96 px',
      '>96 px',
      'unmatched/img',
      'face-less FP/img',
      'where',
      'ms/img',
    ],
  ];
  for (const [name, detection, given] of variants) {
    // The BlazeFace variants were measured without the O-Net verifier; they stay so.
    const extra = given?.verifier ? { detectionVerifier: false as const, ...given } : given;
    const variant =
      name === 'defaults'
        ? analyzer
        : await createNodeFaceAnalyzer({ faceModelVersion: model, runtime, detection, ...extra });
    const w = name === 'defaults' ? widerRun : await evaluateWider(variant);
    const f = name === 'defaults' ? facelessRun : await evaluateFaceless(variant, false);
    rows.push([
      name,
      ...w.bands.map((b) => pct(b.recall)),
      num(w.falsePositives / w.images, 2),
      num(f.perImage, 3),
      faceless
        .map((path, i) => (f.found[i]?.length ? `${basename(path)} ${f.found[i]?.length}` : ''))
        .filter(Boolean)
        .join(', '),
      num(w.timing.mean, 0),
    ]);
    if (variant !== analyzer) await variant.close();
  }
  console.log(formatTable(rows));
}

// ---- summary ------------------------------------------------------------------------------

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
console.log(`\n${analyses} analyses in ${num((performance.now() - started) / 1000, 0)} s.`);
await analyzer.close();
process.exitCode = errors.length > 0 ? 1 : 0;
