/**
 * `pnpm bench:verifier-study`
 *
 * How well second opinions separate the detector's false faces from real ones: every face the
 * detector alone finds (no verifier) on the WIDER FACE subset and the face-less photos is
 * scored by MTCNN's O-Net on several crops, by its R-Net, by BlazeFace (front-128 on a 1.5× crop, back-256 on
 * a 2× crop) and by the agreement of O-Net's five points with the landmark model's; then each
 * rule keeping a face is evaluated on the same detections: WIDER recall by height and the
 * face-less false faces left. The numbers behind `defaultDetectionVerifier` and the README's
 * "False faces".
 */
import type { RgbImage } from '@facekit/core';
import {
  decodeBlazeFace,
  type FaceBox,
  neutralFill,
  resizeRegion,
  scoreFaceBoxes,
  toTensor,
  verificationCrop,
  verifierCrop,
  verifierScore,
} from '@facekit/core/pipeline';
import { createNapiImageDecoder } from '@facekit/image-napi';
import { createOnnxNodeBackend } from '@facekit/inference-onnx/node';
import { loadModel } from '@facekit/models';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { facelessImages, requireDatasets, widerSubset } from './datasets.js';
import { recallByHeight } from './detection-recall.js';
import { readImageForApi } from './image-bytes.js';
import { matchDetections } from './metrics.js';
import { formatTable, num } from './report-format.js';

const root = requireDatasets();
const detector = await createNodeFaceAnalyzer({ detectionVerifier: false });
const backend = await createOnnxNodeBackend({ threads: 1 });
const decoder = createNapiImageDecoder();
const onet = await loadModel('mtcnn-onet-48');
const onetSession = await backend.loadModel(onet.bytes, { graphOptimizationLevel: 'all' });
const rnet = await loadModel('mtcnn-rnet-24');
const rnetSession = await backend.loadModel(rnet.bytes, { graphOptimizationLevel: 'all' });
const blazeFaces = await Promise.all(
  (['blazeface-front-128', 'blazeface-back-256'] as const).map(async (id, k) => {
    const { entry, bytes } = await loadModel(id);
    const session = await backend.loadModel(bytes, { graphOptimizationLevel: 'all' });
    const names = (last: number) =>
      entry.outputs
        .filter((o) => o.dims.length === 3 && o.dims[2] === last)
        .sort((a, b) => b.dims[1] - a.dims[1])
        .map((o) => o.name);
    return { entry, session, scores: names(1), regressors: names(16), crop: k === 0 ? 1.5 : 2 };
  }),
);

interface Scored {
  box: number[];
  height: number;
  detector: number;
  /** O-Net at crops 0.8, 0.9, 1, 1.15, 1.3 × the longer side. */
  onet: number[];
  /** R-Net (24×24) on the same crop as O-Net's. */
  rnet: number;
  /** O-Net at crop 1 shifted down / up by 10% of the height. */
  shifted: number[];
  /** O-Net after re-centring on its own box regression, once and twice. */
  refined: number[];
  blaze: number[];
  /** Mean distance of O-Net's five points from the landmark model's, per crop side. */
  pointGap: number;
}

async function onetRun(image: RgbImage, box: FaceBox, scale: number, shift = 0) {
  const crop = verificationCrop(box, scale);
  const region = { ...crop, y: crop.y + shift * (box.y2 - box.y1) };
  const input = resizeRegion(image, region, 48, 48, {
    fill: neutralFill(onet.entry.input),
    filter: 'area',
  });
  const out = await onetSession.run({ input: toTensor(input, onet.entry.input) });
  return { p: out.prob.data[1], reg: out.box.data, points: out.landmarks.data, region };
}

async function score(
  image: RgbImage,
  box: FaceBox,
  five: (readonly [number, number])[],
): Promise<Scored> {
  const onetScores = await scoreFaceBoxes(onetSession, onet.entry, image, [box]);
  const [rnetScore] = await scoreFaceBoxes(rnetSession, rnet.entry, image, [box]);
  const crops = [];
  for (const s of [0.8, 0.9, 1, 1.15, 1.3]) crops.push((await onetRun(image, box, s)).p);
  const shifted = [(await onetRun(image, box, 1, 0.1)).p, (await onetRun(image, box, 1, -0.1)).p];
  let step = await onetRun(image, box, 1);
  const side = step.region.width;
  const pointGap =
    five.reduce((sum, [x, y], j) => {
      const ox = step.region.x + step.points[j] * side;
      const oy = step.region.y + step.points[j + 5] * side;
      return sum + Math.hypot(ox - x, oy - y);
    }, 0) /
    5 /
    side;
  const refined: number[] = [];
  for (let k = 0; k < 2; k++) {
    const r = step.region;
    const next: FaceBox = {
      x1: r.x + step.reg[0] * r.width,
      y1: r.y + step.reg[1] * r.height,
      x2: r.x + r.width + step.reg[2] * r.width,
      y2: r.y + r.height + step.reg[3] * r.height,
      score: 0,
    };
    step = await onetRun(image, next, 1);
    refined.push(step.p);
  }
  const blaze: number[] = [];
  for (const b of blazeFaces) {
    const size = b.entry.input.dims[1];
    const crop = verifierCrop(box, b.crop);
    const input = resizeRegion(image, crop, size, size, {
      fill: neutralFill(b.entry.input),
      filter: 'area',
    });
    const out = await b.session.run({ [b.entry.input.name]: toTensor(input, b.entry.input) });
    const found = decodeBlazeFace(
      b.scores.map((n) => out[n].data),
      b.regressors.map((n) => out[n].data),
      { inputSize: size, scoreThreshold: 0.05 },
    );
    blaze.push(verifierScore(box, found, crop, 0.3));
  }
  return {
    box: [box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1],
    height: box.y2 - box.y1,
    detector: box.score,
    onet: [crops[0], crops[1], onetScores[0], crops[3], crops[4]],
    rnet: rnetScore,
    shifted,
    refined,
    blaze,
    pointGap,
  };
}

const FIVE = ['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight'];
async function detections(path: string): Promise<Scored[]> {
  const image = await readImageForApi(path);
  const result = await detector.analyze(image.bytes, { attributes: ['DEFAULT'], embedLargest: 0 });
  const rgb = await decoder.decode(image.bytes);
  const { width, height } = result;
  const out: Scored[] = [];
  for (const face of result.faces) {
    const b = face.detail.BoundingBox ?? {};
    const x1 = (b.Left ?? 0) * width;
    const y1 = (b.Top ?? 0) * height;
    const box = {
      x1,
      y1,
      x2: x1 + (b.Width ?? 0) * width,
      y2: y1 + (b.Height ?? 0) * height,
      score: face.detectionScore ?? 0,
    };
    const five = FIVE.map((type) => {
      const l = face.detail.Landmarks?.find((m) => m.Type === type);
      return [(l?.X ?? 0) * width, (l?.Y ?? 0) * height] as const;
    });
    out.push(await score(rgb, box, five));
  }
  return out;
}

const wider = widerSubset(root);
const widerFaces: Scored[][] = [];
for (let i = 0; i < wider.length; i++) {
  widerFaces.push(await detections(wider[i].path));
  if (process.stderr.isTTY) process.stderr.write(`\r  WIDER ${i + 1}/${wider.length}\u001b[K`);
}
const faceless = facelessImages(root);
const facelessFaces: Scored[][] = [];
for (const path of faceless) facelessFaces.push(await detections(path));

type Rule = [string, (f: Scored) => boolean];
const max = (xs: number[]) => Math.max(...xs);
const rules: Rule[] = [['detector alone', () => true]];
for (const t of [0.1, 0.3, 0.5]) rules.push([`O-Net ≥ ${t}`, (f) => f.onet[2] >= t]);
for (const [k, s] of [0.8, 0.9, 1.15, 1.3].entries()) {
  rules.push([`O-Net ≥ 0.5 on a ${s}× crop`, (f) => f.onet[k < 2 ? k : k + 1] >= 0.5]);
}
rules.push([
  'max O-Net over crops 0.8–1.15 and shifts ≥ 0.7',
  (f) => max([...f.onet.slice(0, 4), ...f.shifted]) >= 0.7,
]);
for (const t of [0.5, 0.7]) rules.push([`O-Net re-centred once ≥ ${t}`, (f) => f.refined[0] >= t]);
rules.push(['O-Net re-centred twice ≥ 0.5', (f) => f.refined[1] >= 0.5]);
rules.push(['BlazeFace front-128 ≥ 0.5', (f) => f.blaze[0] >= 0.5]);
rules.push(['BlazeFace back-256 ≥ 0.5', (f) => f.blaze[1] >= 0.5]);
rules.push([
  'O-Net ≥ 0.5 or BlazeFace front-128 ≥ 0.5',
  (f) => f.onet[2] >= 0.5 || f.blaze[0] >= 0.5,
]);
for (const t of [0.1, 0.15])
  rules.push([`O-Net's and the landmarks' points within ${t} of the side`, (f) => f.pointGap <= t]);
rules.push([
  'O-Net ≥ 0.05 (≥ 0.3 from 128 px), every size',
  (f) => f.onet[2] >= (f.height >= 128 ? 0.3 : 0.05),
]);
const onetAlone = (f: Scored) => f.height < 24 || f.onet[2] >= (f.height >= 128 ? 0.3 : 0.05);
rules.push(['O-Net ≥ 0.05 (≥ 0.3 from 128 px), faces ≥ 24 px', onetAlone]);
for (const t of [0.5, 0.7])
  rules.push([`R-Net ≥ ${t} (faces ≥ 24 px)`, (f) => f.height < 24 || f.rnet >= t]);
for (const t of [0.03, 0.05, 0.08, 0.1]) {
  rules.push([
    `${t === 0.05 ? 'as shipped: ' : ''}that, and R-Net ≥ ${t} when O-Net < 0.5`,
    (f) => onetAlone(f) && (f.height < 24 || f.onet[2] >= 0.5 || f.rnet >= t),
  ]);
}
rules.push([
  'that, and O-Net × R-Net ≥ 0.03',
  (f) => onetAlone(f) && (f.height < 24 || f.onet[2] * f.rnet >= 0.03),
]);

const rows = [
  ['rule', '<32 px', '32–96 px', '>96 px', '32–96 even / odd', 'unmatched/img', 'face-less left'],
];
for (const [name, keep] of rules) {
  let unmatched = 0;
  const results = wider.map((w, i) => {
    const kept = widerFaces[i].filter(keep).map((f) => f.box);
    const m = matchDetections(w.boxes, kept, 0.5, w.invalid);
    unmatched += m.falsePositives;
    return { boxes: w.boxes, found: m.found };
  });
  // Thresholds are chosen on the even-numbered images and checked on the odd ones.
  const half = (h: number) =>
    `${num(recallByHeight(results.filter((_, i) => i % 2 === h))[1].recall * 100, 2)}%`;
  const left = facelessFaces.flatMap((faces, i) =>
    faces.filter(keep).map((f) => `${faceless[i].split('/').pop()} ${num(f.detector, 3)}`),
  );
  rows.push([
    name,
    ...recallByHeight(results).map((b) => `${num(b.recall * 100, 1)}%`),
    `${half(0)} / ${half(1)}`,
    num(unmatched / wider.length, 2),
    `${left.length}${left.length ? ` (${left.join(', ')})` : ''}`,
  ]);
}
{
  // What the shipped R-Net bar drops on WIDER: faces O-Net doubts that R-Net finds unlikely too.
  let dropped = 0;
  let faces = 0;
  wider.forEach((w, i) => {
    const kept = widerFaces[i].filter(onetAlone);
    const m = matchDetections(
      w.boxes,
      kept.map((f) => f.box),
      0.5,
      w.invalid,
    );
    kept.forEach((f, k) => {
      if (f.height >= 24 && f.onet[2] < 0.5 && f.rnet < 0.05) {
        dropped++;
        if (m.isFace[k]) faces++;
      }
    });
  });
  console.log(
    `R-Net < 0.05 among the WIDER faces O-Net doubts (kept by O-Net alone): ${dropped}, of which ${faces} match a WIDER face`,
  );
}
if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
console.log(
  `Second opinions on the detector's faces: ${wider.length} WIDER photos, ${faceless.length} face-less photos`,
);
console.log(formatTable(rows));
await detector.close();
