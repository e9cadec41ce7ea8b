import {
  floatTensorData,
  type OnnxModelProto,
  type OnnxNode,
  type OnnxTensor,
  onnxTensor,
  readOnnxModel,
  writeOnnxModel,
} from '../onnx/onnx-model.js';
import { upgradeOpsetTo11 } from './upgrade-opset.js';

/**
 * Static int8 quantisation in the QDQ format: each activation that enters or leaves a quantised
 * operator goes through QuantizeLinear → DequantizeLinear with a scale fixed from calibration,
 * and each weight is stored as int8 behind a DequantizeLinear. onnxruntime's CPU provider fuses
 * DQ → Conv → Q into QLinearConv (and DQ → Add → Q into QLinearAdd), which runs on uint8 ×
 * int8 kernels (VNNI where the CPU has it); every other operator keeps running in float on the
 * dequantised values, so the graph stays exact where it is not quantised.
 *
 * Choices, the ones onnxruntime's own quantiser makes by default for CNNs on x86: activations
 * uint8 asymmetric per tensor, weights int8 symmetric per output channel, biases int32 at scale
 * input scale × weight scale. Q/DQ are the `com.microsoft` versions, which take a per-channel
 * `axis` at any opset, so a model exported at opset 9 only goes up to 11 (QLinearConv needs 10),
 * not to 13 (which changed Softmax and Unsqueeze).
 */

/** A calibrated activation range: the least and greatest value seen. */
export type ActivationRange = readonly [min: number, max: number];

export interface QdqOptions {
  /** Range of every activation to quantise, by tensor name (from {@link calibrationTensors}). */
  ranges: Readonly<Record<string, ActivationRange>>;
  /** Operator types to quantise; default `Conv` and `Add`. */
  ops?: readonly string[];
  /** Names (or first outputs) of nodes to leave in float. */
  excludeNodes?: readonly string[];
}

const DEFAULT_OPS = ['Conv', 'Add'] as const;
const MS_DOMAIN = 'com.microsoft';

/** The float inputs of a node that are activations (not initializers or constants). */
function activationInputs(node: OnnxNode, constants: ReadonlySet<string>): string[] {
  if (node.opType === 'Conv') return [node.input[0]];
  return node.input.filter((name) => name !== '' && !constants.has(name));
}

/**
 * Removes each Relu that is the only reader of a quantised node's output, the node writing the
 * Relu's output directly: quantising that output with the Relu's range (minimum 0, so zero point
 * 0) clamps negatives to 0 exactly as Relu does, and onnxruntime then fuses the whole group
 * (onnxruntime's own quantiser does the same).
 */
function foldRelus(model: OnnxModelProto, options: Omit<QdqOptions, 'ranges'>): void {
  const readers = new Map<string, OnnxNode[]>();
  for (const node of model.graph.node) {
    for (const input of node.input) readers.set(input, [...(readers.get(input) ?? []), node]);
  }
  const graphOutputs = new Set(model.graph.output.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  for (const node of quantisedNodes(model, options)) {
    const out = node.output[0];
    const next = readers.get(out) ?? [];
    const relu = next[0];
    if (next.length !== 1 || relu.opType !== 'Relu' || (relu.domain ?? '') !== '') continue;
    if (graphOutputs.has(out) || graphOutputs.has(relu.output[0])) continue;
    node.output[0] = relu.output[0];
    removed.add(relu);
  }
  model.graph.node = model.graph.node.filter((n) => !removed.has(n));
}

function quantisedNodes(model: OnnxModelProto, options: Omit<QdqOptions, 'ranges'>): OnnxNode[] {
  const ops = new Set<string>(options.ops ?? DEFAULT_OPS);
  const excluded = new Set(options.excludeNodes ?? []);
  const graphOutputs = new Set(model.graph.output.map((o) => o.name));
  const constants = constantNames(model);
  return model.graph.node.filter((node) => {
    if (!ops.has(node.opType) || (node.domain ?? '') !== '') return false;
    if (excluded.has(node.name ?? '') || excluded.has(node.output[0])) return false;
    // A graph output stays float: the model's result keeps its precision.
    if (node.output.some((o) => graphOutputs.has(o))) return false;
    if (node.opType === 'Conv') {
      return constants.has(node.input[1]) && (!node.input[2] || constants.has(node.input[2]));
    }
    // Add of two activations; an Add with a constant stays float.
    return activationInputs(node, constants).length === node.input.length;
  });
}

function constantNames(model: OnnxModelProto): Set<string> {
  return new Set(model.graph.initializer.map((t) => t.name));
}

/**
 * The activations {@link quantiseQdq} needs a range for, in graph order: the inputs and outputs
 * of the nodes it will quantise with these options.
 */
export function calibrationTensors(
  modelBytes: Uint8Array,
  options: Omit<QdqOptions, 'ranges'> = {},
): string[] {
  const model = readOnnxModel(modelBytes);
  foldRelus(model, options);
  return activationsOf(model, quantisedNodes(model, options));
}

function activationsOf(model: OnnxModelProto, nodes: readonly OnnxNode[]): string[] {
  const constants = constantNames(model);
  const names = new Set<string>();
  for (const node of nodes) {
    for (const input of activationInputs(node, constants)) names.add(input);
    names.add(node.output[0]);
  }
  return [...names];
}

/**
 * The model with extra graph outputs for `names` (float32, shape left open), so one run gives
 * every activation a calibration needs.
 */
export function withActivationOutputs(
  modelBytes: Uint8Array,
  names: readonly string[],
): Uint8Array {
  const model = readOnnxModel(modelBytes);
  const existing = new Set(model.graph.output.map((o) => o.name));
  for (const name of names) {
    if (!existing.has(name))
      model.graph.output.push({ name, type: { tensorType: { elemType: 1 } } });
  }
  return writeOnnxModel(model);
}

/** uint8 scale and zero point of a range widened to include 0 (so 0 is exact, as padding needs). */
export function uint8Params(range: ActivationRange): { scale: number; zeroPoint: number } {
  const min = Math.min(range[0], 0);
  const max = Math.max(range[1], 0);
  if (max - min === 0) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  return { scale, zeroPoint };
}

/** Symmetric int8 per output channel (axis 0): q = round(w / scale), scale = max|w| / 127. */
export function quantiseWeightsPerChannel(
  weights: Float32Array,
  channels: number,
): { values: Int8Array; scales: Float32Array } {
  const per = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let maxAbs = 0;
    for (let i = c * per; i < (c + 1) * per; i++) maxAbs = Math.max(maxAbs, Math.abs(weights[i]));
    const scale = maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++) {
      values[i] = Math.max(-127, Math.min(127, Math.round(weights[i] / scale)));
    }
  }
  return { values, scales };
}

/**
 * The QDQ int8 version of a float32 model (see the module comment). Deterministic: the same
 * model and ranges give the same bytes.
 * @throws {Error} when an activation to quantise has no range, or a weight is not float32.
 */
export function quantiseQdq(modelBytes: Uint8Array, options: QdqOptions): Uint8Array {
  const model = readOnnxModel(modelBytes);
  upgradeOpsetTo11(model);
  foldRelus(model, options);
  const nodes = quantisedNodes(model, options);
  const activations = activationsOf(model, nodes);
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const used = new Set<string>([
    ...model.graph.initializer.map((t) => t.name),
    ...model.graph.input.map((i) => i.name),
    ...model.graph.node.flatMap((n) => [...n.input, ...n.output, n.name ?? '']),
  ]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const added: OnnxTensor[] = [];
  const activationParams = new Map<string, { scale: string; zeroPoint: string; value: number }>();

  // 1. QuantizeLinear → DequantizeLinear after each activation; its consumers read the DQ output.
  const renamed = new Map<string, string>();
  const qdqAfter = new Map<string, OnnxNode[]>();
  for (const name of activations) {
    const range = options.ranges[name];
    if (!range) throw new Error(`No calibrated range for activation "${name}"`);
    const { scale, zeroPoint } = uint8Params(range);
    const scaleName = fresh(`${name}_scale`);
    const zeroName = fresh(`${name}_zero_point`);
    added.push(onnxTensor(scaleName, [], Float32Array.of(scale)));
    added.push(onnxTensor(zeroName, [], Uint8Array.of(zeroPoint)));
    activationParams.set(name, { scale: scaleName, zeroPoint: zeroName, value: scale });
    const quantised = fresh(`${name}_quantized`);
    const dequantised = fresh(`${name}_dequantized`);
    renamed.set(name, dequantised);
    qdqAfter.set(name, [
      msNode('QuantizeLinear', [name, scaleName, zeroName], quantised, fresh(`${name}_Q`)),
      msNode(
        'DequantizeLinear',
        [quantised, scaleName, zeroName],
        dequantised,
        fresh(`${name}_DQ`),
      ),
    ]);
  }

  // 2. Conv weights as int8 per output channel and biases as int32, each behind a DQ.
  const weightNodes = new Map<OnnxNode, OnnxNode[]>();
  for (const node of nodes) {
    if (node.opType !== 'Conv') continue;
    const weight = initializers.get(node.input[1]);
    if (!weight) throw new Error(`Conv "${node.name}": weight ${node.input[1]} is not a constant`);
    const channels = weight.dims[0];
    const { values, scales } = quantiseWeightsPerChannel(floatTensorData(weight), channels);
    const dqs: OnnxNode[] = [];
    const wName = fresh(`${weight.name}_quantized`);
    const wScale = fresh(`${weight.name}_scale`);
    const wZero = fresh(`${weight.name}_zero_point`);
    added.push(onnxTensor(wName, weight.dims, values));
    added.push(onnxTensor(wScale, [channels], scales));
    added.push(onnxTensor(wZero, [channels], new Int8Array(channels)));
    const wOut = fresh(`${weight.name}_dequantized`);
    dqs.push(msNode('DequantizeLinear', [wName, wScale, wZero], wOut, fresh(`${wOut}_DQ`), 0));
    const inputs = [renamed.get(node.input[0]) ?? node.input[0], wOut];
    if (node.input[2]) {
      const bias = initializers.get(node.input[2]);
      if (!bias) throw new Error(`Conv "${node.name}": bias ${node.input[2]} is not a constant`);
      const inputScale = activationParams.get(node.input[0])?.value;
      if (inputScale === undefined) throw new Error(`Conv "${node.name}": input not quantised`);
      const biasScales = scales.map((s) => Math.fround(inputScale * s));
      const biasFloat = floatTensorData(bias);
      const biasValues = Int32Array.from(biasFloat, (b, c) => Math.round(b / biasScales[c]));
      const bName = fresh(`${bias.name}_quantized`);
      const bScale = fresh(`${bias.name}_scale`);
      const bZero = fresh(`${bias.name}_zero_point`);
      added.push(onnxTensor(bName, bias.dims, biasValues));
      added.push(onnxTensor(bScale, [channels], biasScales));
      added.push(onnxTensor(bZero, [channels], new Int32Array(channels)));
      const bOut = fresh(`${bias.name}_dequantized`);
      dqs.push(msNode('DequantizeLinear', [bName, bScale, bZero], bOut, fresh(`${bOut}_DQ`), 0));
      inputs.push(bOut);
    }
    weightNodes.set(node, dqs);
    node.input = inputs;
  }

  // 3. Rewire and emit in order: weight DQs before their node, activation Q/DQ after producers.
  const graphInputs = model.graph.input.map((i) => i.name).filter((n) => qdqAfter.has(n));
  const out: OnnxNode[] = graphInputs.flatMap((n) => qdqAfter.get(n) ?? []);
  for (const node of model.graph.node) {
    if (!weightNodes.has(node)) {
      node.input = node.input.map((name) => renamed.get(name) ?? name);
    }
    out.push(...(weightNodes.get(node) ?? []), node);
    for (const output of node.output) out.push(...(qdqAfter.get(output) ?? []));
  }
  model.graph.node = out;

  // 4. Float weights no node reads any more are dropped; the int8 ones added.
  const read = new Set(out.flatMap((n) => n.input));
  model.graph.initializer = [...model.graph.initializer.filter((t) => read.has(t.name)), ...added];
  model.graph.input = model.graph.input.filter(
    (i) => !initializers.has(i.name) || read.has(i.name),
  );
  if (!model.opsetImport.some((o) => o.domain === MS_DOMAIN)) {
    model.opsetImport.push({ domain: MS_DOMAIN, version: 1 });
  }
  model.producerName = 'facekit';
  model.producerVersion = 'qdq-int8';
  return writeOnnxModel(model);
}

function msNode(
  opType: string,
  input: string[],
  output: string,
  name: string,
  axis?: number,
): OnnxNode {
  return {
    opType,
    domain: MS_DOMAIN,
    input,
    output: [output],
    name,
    ...(axis !== undefined && { attribute: [{ name: 'axis', type: 2, i: axis }] }),
  };
}
