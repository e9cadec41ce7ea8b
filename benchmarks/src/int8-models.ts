/**
 * `pnpm bench:int8 [--runs 20]`
 *
 * The int8 variants of the detector and the embedder (`@facekit/models`' quantiser) against
 * their float models, on the inputs the default pipeline gives them for deepface's photos (the
 * pivot-pair photos): file size, CPU time per run on one thread (onnxruntime-node, each model at
 * its preset graph optimisation level) and how close the outputs are (embedder: cosine of the
 * L2-normalised embeddings; detector: largest difference of a face probability). Accuracy is
 * `pnpm bench:accuracy --int8 detector,embedder`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Tensor } from '@facekit/core';
import { faceModels, int8Models, sessionOptionsByModel } from '@facekit/core/analyzer';
import { createOnnxNodeBackend } from '@facekit/inference-onnx/node';
import { loadModel } from '@facekit/models';
import { requireDatasets } from './datasets.js';
import { modelInputs } from './model-inputs.js';
import { formatTable, num } from './report-format.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(args.runs);
const root = requireDatasets();
const { detector, embedder } = faceModels['1.0'];

// 1. The inputs the pipeline gives each model on deepface's photos.
const base = createOnnxNodeBackend({ threads: 1 });
const dir = join(root, 'deepface/tests/unit/dataset');
const photos = readdirSync(dir)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .map((file) => join(dir, file));
const { feeds } = await modelInputs(base, [detector, embedder], photos, 1);

// 2. Float and int8 sessions on the same inputs.
async function measure(id: string, inputs: Record<string, Tensor>[]) {
  const { bytes, entry } = await loadModel(id);
  const session = await base.loadModel(bytes, { name: id, ...sessionOptionsByModel[id] });
  const outputs: Record<string, Tensor>[] = [];
  for (const feed of inputs) outputs.push(await session.run(feed));
  // Timing: `runs` passes over the first 16 inputs; per-run median and minimum of the passes.
  const sample = inputs.slice(0, 16);
  const perRun: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (const feed of sample) await session.run(feed);
    perRun.push((performance.now() - t0) / sample.length);
  }
  await session.release();
  perRun.sort((a, b) => a - b);
  return { bytes: entry.bytes, outputs, median: perRun[perRun.length >> 1], min: perRun[0] };
}

const unit = (v: Float32Array) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
const rows = [['model', 'inputs', 'size', 'ms/run p50', 'ms/run min', 'agreement with float']];
for (const id of [detector, embedder]) {
  const inputs = feeds.get(id) ?? [];
  const float = await measure(id, inputs);
  const quantised = await measure(int8Models[id], inputs);
  let agreement: string;
  if (id === embedder) {
    const cosines = float.outputs.map((o, i) => {
      const [a, b] = [unit(o.output.data), unit(quantised.outputs[i].output.data)];
      return a.reduce((s, v, k) => s + v * b[k], 0);
    });
    cosines.sort((a, b) => a - b);
    const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
    agreement = `cosine min ${num(cosines[0], 4)}, p10 ${num(cosines[Math.floor(cosines.length / 10)], 4)}, mean ${num(mean, 4)}`;
  } else {
    let worst = 0;
    let confident = 0;
    float.outputs.forEach((o, i) => {
      const [a, b] = [o.scores.data, quantised.outputs[i].scores.data];
      for (let k = 1; k < a.length; k += 2) {
        worst = Math.max(worst, Math.abs(a[k] - b[k]));
        if (a[k] >= 0.7 !== b[k] >= 0.7) confident++;
      }
    });
    agreement = `face probability differs by ≤ ${num(worst, 3)}; ${confident} priors cross 0.7`;
  }
  for (const [label, m] of [
    [id, float],
    [int8Models[id], quantised],
  ] as const) {
    rows.push([
      label,
      String(inputs.length),
      `${num(m.bytes / 1e6, 2)} MB`,
      num(m.median, 2),
      num(m.min, 2),
      label === id ? '' : agreement,
    ]);
  }
}
console.log(
  `int8 variants against float (onnxruntime-node, 1 thread, ${runs} passes of 16 inputs from deepface's photos)`,
);
console.log(formatTable(rows, '  ', 'lrrrrl'));
