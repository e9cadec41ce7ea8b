import { writeFileSync } from 'node:fs';
import { alignFace, applySimilarity, ARCFACE_TEMPLATE_112, estimateSimilarity, toTensor } from '@facekit/core';
import { createNapiImageDecoder } from '@facekit/image-napi';
import { createOnnxNodeBackend } from '@facekit/inference-onnx/node';
import { loadModel } from '@facekit/models';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { facelessImages, requireDatasets, widerSubset } from './datasets.js';
import { readImageForApi } from './image-bytes.js';
import { matchDetections } from './metrics.js';
const root = requireDatasets();
const analyzer = await createNodeFaceAnalyzer({ attributes: false });
const backend = createOnnxNodeBackend({ threads: 1 });
const m = await loadModel('faceplugin-embed-mobilefacenet512');
const sess = await backend.loadModel(m.bytes, { graphOptimizationLevel: 'extended' });
const decoder = createNapiImageDecoder();
const out: unknown[] = [];
const order = ['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight'];
async function run(path: string, gt?: { boxes: number[][]; invalid: number[][] }, tag?: string) {
  const { bytes } = await readImageForApi(path);
  const r = await analyzer.analyze(bytes, { attributes: ['DEFAULT'], embedLargest: 0 });
  const img = await decoder.decode(bytes);
  const boxes = r.faces.map((f) => { const b = f.detail.BoundingBox ?? {}; return [(b.Left ?? 0) * r.width, (b.Top ?? 0) * r.height, (b.Width ?? 0) * r.width, (b.Height ?? 0) * r.height]; });
  const isFace = gt ? matchDetections(gt.boxes, boxes, 0.5, gt.invalid).isFace : boxes.map(() => false);
  for (let k = 0; k < r.faces.length; k++) {
    const f = r.faces[k];
    const lm = f.detail.Landmarks ?? [];
    const p = new Float32Array(10);
    order.forEach((t, i) => { const l = lm.find((x) => x.Type === t); p[i * 2] = (l?.X ?? 0) * r.width; p[i * 2 + 1] = (l?.Y ?? 0) * r.height; });
    const { image, transform } = alignFace(img, p);
    const o = await sess.run({ [m.entry.input.name]: toTensor(image, m.entry.input) });
    const v = Object.values(o)[0].data;
    let n = 0; for (let i = 0; i < v.length; i++) n += v[i] * v[i];
    let res = 0; for (let i = 0; i < 5; i++) { const [x, y] = applySimilarity(transform, p[i*2]-0.5, p[i*2+1]-0.5); res += Math.hypot(x - ARCFACE_TEMPLATE_112[i*2], y - ARCFACE_TEMPLATE_112[i*2+1]); }
    out.push({ tag, path, score: f.detectionScore, conf: f.detail.Confidence, h: boxes[k][3], face: isFace[k], norm: Math.sqrt(n), res: res / 5, yaw: f.detail.Pose?.Yaw, pitch: f.detail.Pose?.Pitch, roll: f.detail.Pose?.Roll, sharp: f.detail.Quality?.Sharpness, bright: f.detail.Quality?.Brightness });
  }
}
const w = widerSubset(root);
for (let i = 0; i < w.length; i++) { await run(w[i].path, w[i], 'wider'); if (i % 50 === 0) console.error(i); }
for (const p of facelessImages(root)) await run(p, undefined, 'faceless');
writeFileSync(process.argv[2], JSON.stringify(out));
