import { type ModelManifestEntry, sha256Hex } from '@facekit/core/onnx-models';
import type { ModelRecipe } from '../model-recipe.js';
import { readOnnxGraph } from '../onnx/read-onnx-graph.js';
import { packageSpec } from '../sources/pinned-package.js';

/** A free (symbolic) dimension in manifest dims. */
export const FREE_DIM = -1;

const CHANNELS = { RGB: 3, BGR: 3, GRAY: 1 } as const;

function numericDims(dims: readonly (number | string)[]): number[] {
  return dims.map((d) => (typeof d === 'number' ? d : FREE_DIM));
}

/**
 * The manifest entry for `bytes` produced by `recipe`: the recipe's metadata plus what the ONNX
 * file itself says (input and output names and dims), its size and sha256.
 * @throws {Error} when the file contradicts the recipe: not one float32 input, a channel count
 *   that does not match the layout and normalisation, or outputs other than those described.
 */
export async function describeModel(
  recipe: ModelRecipe,
  bytes: Uint8Array,
): Promise<ModelManifestEntry> {
  const graph = readOnnxGraph(bytes);
  const fail = (why: string) => {
    throw new Error(`Model ${recipe.id} (${recipe.source.file}): ${why}`);
  };
  if (graph.inputs.length !== 1) {
    fail(`expected one graph input, found ${graph.inputs.map((i) => i.name).join(', ') || 'none'}`);
  }
  const [input] = graph.inputs;
  if (input.elemType !== 'float32') fail(`input ${input.name} is ${input.elemType}, not float32`);
  const dims = numericDims(input.dims);
  if (dims.length !== 4) fail(`input ${input.name} has dims [${dims}], not 4-D`);
  const { layout, channels, mean, std } = recipe.input;
  const channelDim = dims[layout === 'NCHW' ? 1 : 3];
  const expected = CHANNELS[channels];
  if (channelDim !== expected || mean.length !== expected || std.length !== expected) {
    fail(
      `${layout} input [${dims}] has ${channelDim} channels; ${channels} needs ${expected} (mean has ${mean.length}, std ${std.length})`,
    );
  }
  const fileOutputs = graph.outputs.map((o) => o.name);
  const described = Object.keys(recipe.outputs);
  if (
    fileOutputs.length !== described.length ||
    fileOutputs.some((name) => !Object.hasOwn(recipe.outputs, name))
  ) {
    fail(`outputs are [${fileOutputs}] but the recipe describes [${described}]`);
  }
  return {
    id: recipe.id,
    version: recipe.version,
    task: recipe.task,
    file: `${recipe.id}.onnx`,
    sha256: await sha256Hex(bytes),
    bytes: bytes.byteLength,
    source: {
      package: packageSpec(recipe.source.package),
      file: recipe.source.file,
      method: recipe.source.method,
    },
    license: recipe.license,
    provenance: recipe.provenance,
    input: { name: input.name, dims, layout, channels, mean: [...mean], std: [...std] },
    outputs: graph.outputs.map((o) => ({
      name: o.name,
      dims: numericDims(o.dims),
      description: recipe.outputs[o.name],
    })),
  };
}
