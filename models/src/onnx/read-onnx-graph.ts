import { decodeModelProto, type OnnxValueInfo as OnnxValueInfoProto } from './onnx-model.js';

/** `TensorProto.DataType` names, indexed by their enum value. */
const ELEM_TYPES = [
  'undefined',
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
] as const;

/** One graph input or output as the ONNX file declares it. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Element type, e.g. `float32`; `unknown(<n>)` for types this reader does not name. */
  readonly elemType: string;
  /** Each dimension: its fixed size, or the symbolic name of a free dimension. */
  readonly dims: readonly (number | string)[];
}

/** What an ONNX file says about itself: producer, opsets and graph interface. */
export interface OnnxGraphInfo {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  /** `domain` (`''` is the default `ai.onnx` domain) → opset version. */
  readonly opsets: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly graphName: string;
  /** Distinct operator types used, sorted. */
  readonly opTypes: readonly string[];
  readonly nodeCount: number;
  readonly initializerCount: number;
  /**
   * Real inputs: graph inputs that are not initializers. Exporters before IR version 4 list
   * every weight among the graph inputs too.
   */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function toValueInfo(raw: OnnxValueInfoProto): OnnxValueInfo {
  const tensor = raw.type?.tensorType;
  const elem = tensor?.elemType ?? 0;
  return {
    name: raw.name ?? '',
    elemType: ELEM_TYPES[elem] ?? `unknown(${elem})`,
    dims: (tensor?.shape?.dim ?? []).map((d) =>
      d.dimValue !== undefined ? Number(d.dimValue) : (d.dimParam ?? '?'),
    ),
  };
}

/**
 * Reads the interface of an ONNX model (`ModelProto`) without running it.
 * @param bytes the whole `.onnx` file.
 * @throws {Error} when the bytes are not a ModelProto with a graph.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraphInfo {
  const model = decodeModelProto(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('Not an ONNX model: ModelProto has no graph');
  const weights = new Set<string>();
  for (const t of graph.initializer) if (t.name) weights.add(t.name);
  for (const t of graph.sparseInitializer ?? []) if (t.values?.name) weights.add(t.values.name);
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport) opsets[o.domain ?? ''] = o.version;
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    irVersion: model.irVersion,
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    docString: model.docString ?? '',
    opsets,
    metadata,
    graphName: graph.name ?? '',
    opTypes: [...new Set(graph.node.map((n) => n.opType ?? ''))].sort(),
    nodeCount: graph.node.length,
    initializerCount: weights.size,
    inputs: graph.input.filter((i) => !weights.has(i.name ?? '')).map(toValueInfo),
    outputs: graph.output.map(toValueInfo),
  };
}
