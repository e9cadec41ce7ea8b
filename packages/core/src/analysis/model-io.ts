import type { Tensor } from '../inference/inference-backend.js';
import type { ModelManifestEntry } from '../onnx-models/model-manifest.js';
import { inputSize } from '../pipeline/input/to-tensor.js';
import type { ModelSource } from './model-source.js';

export function checkTask(source: ModelSource, task: ModelManifestEntry['task']): void {
  if (source.entry.task !== task) {
    throw new Error(
      `Model ${source.entry.id} is a ${source.entry.task} model; the analyzer needs a ${task} model here.`,
    );
  }
}

export function checkChipSize(entry: ModelManifestEntry, size: number | undefined): void {
  const { width, height } = inputSize(entry.input);
  if (width !== height || (size !== undefined && size !== width)) {
    const wanted = size === undefined ? 'a square chip' : `a ${size}×${size} chip`;
    throw new Error(
      `Embedder ${entry.id} takes ${width}×${height}; its dlib-chip alignment makes ${wanted}.`,
    );
  }
}

/** Names of the detector's score and box outputs, told apart by their last dimension. */
export function detectorOutputs(entry: ModelManifestEntry): [scores: string, boxes: string] {
  const scores = entry.outputs.find((o) => o.dims[o.dims.length - 1] === 2)?.name;
  const boxes = entry.outputs.find((o) => o.dims[o.dims.length - 1] === 4)?.name;
  if (!scores || !boxes) {
    throw new Error(
      `Detector ${entry.id}: its manifest must list a scores output [1,N,2] and a boxes output [1,N,4].`,
    );
  }
  return [scores, boxes];
}

/** BlazeFace's score and regression outputs, each ordered by anchor count, largest grid first. */
export function verifierOutputs(entry: ModelManifestEntry): {
  scores: string[];
  regressors: string[];
} {
  const pick = (last: number) =>
    entry.outputs
      .filter((o) => o.dims.length === 3 && o.dims[2] === last)
      .sort((a, b) => b.dims[1] - a.dims[1])
      .map((o) => o.name);
  const scores = pick(1);
  const regressors = pick(16);
  if (scores.length === 0 || scores.length !== regressors.length) {
    throw new Error(
      `Verifier ${entry.id}: its manifest must list score outputs [1,N,1] and regression outputs [1,N,16] per anchor grid.`,
    );
  }
  return { scores, regressors };
}

export function firstOutput(entry: ModelManifestEntry): string {
  const name = entry.outputs[0]?.name;
  if (!name) throw new Error(`Model ${entry.id}: its manifest lists no outputs.`);
  return name;
}

export function output(outputs: Record<string, Tensor>, name: string): Tensor {
  const tensor = outputs[name];
  if (!tensor) {
    throw new Error(
      `Model output ${name} is missing (got ${Object.keys(outputs).join(', ') || 'nothing'}).`,
    );
  }
  return tensor;
}
