import protobuf from 'protobufjs';

/**
 * The part of `onnx.proto` (IR version 3 and later) that describes a model's interface. Fields
 * not listed here, such as tensor data, are skipped by the decoder without being copied.
 * @see https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */
const ONNX_PROTO_SUBSET = `
syntax = "proto2";
package onnx;
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
message NodeProto {
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
}
message TensorProto { optional string name = 8; }
message SparseTensorProto { optional TensorProto values = 1; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value { Tensor tensor_type = 1; }
}
message TensorShapeProto {
  message Dimension {
    oneof value { int64 dim_value = 1; string dim_param = 2; }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}
`;

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

interface RawDimension {
  dim_value?: number;
  dim_param?: string;
}
interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: RawDimension[] } } };
}
interface RawModel {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  opset_import?: { domain?: string; version?: number }[];
  metadata_props?: { key?: string; value?: string }[];
  graph?: {
    name?: string;
    node?: { op_type?: string }[];
    initializer?: { name?: string }[];
    sparse_initializer?: { values?: { name?: string } }[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
  };
}

let modelType: protobuf.Type | undefined;

function getModelType(): protobuf.Type {
  modelType ??= protobuf
    .parse(ONNX_PROTO_SUBSET, { keepCase: true })
    .root.lookupType('onnx.ModelProto');
  return modelType;
}

function toValueInfo(raw: RawValueInfo): OnnxValueInfo {
  const tensor = raw.type?.tensor_type;
  const elem = tensor?.elem_type ?? 0;
  return {
    name: raw.name ?? '',
    elemType: ELEM_TYPES[elem] ?? `unknown(${elem})`,
    dims: (tensor?.shape?.dim ?? []).map((d) => d.dim_value ?? d.dim_param ?? '?'),
  };
}

/**
 * Reads the interface of an ONNX model (`ModelProto`) without running it.
 * @param bytes the whole `.onnx` file.
 * @throws {Error} when the bytes are not a ModelProto with a graph.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraphInfo {
  const type = getModelType();
  let raw: RawModel;
  try {
    raw = type.toObject(type.decode(bytes), {
      longs: Number,
      defaults: false,
      oneofs: false,
    }) as RawModel;
  } catch (cause) {
    throw new Error('Not an ONNX model: the protobuf does not decode as onnx.ModelProto', {
      cause,
    });
  }
  const graph = raw.graph;
  if (!graph) throw new Error('Not an ONNX model: ModelProto has no graph');
  const weights = new Set<string>();
  for (const t of graph.initializer ?? []) if (t.name) weights.add(t.name);
  for (const t of graph.sparse_initializer ?? []) if (t.values?.name) weights.add(t.values.name);
  const opsets: Record<string, number> = {};
  for (const o of raw.opset_import ?? []) opsets[o.domain ?? ''] = o.version ?? 0;
  const metadata: Record<string, string> = {};
  for (const p of raw.metadata_props ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const nodes = graph.node ?? [];
  return {
    irVersion: raw.ir_version ?? 0,
    producerName: raw.producer_name ?? '',
    producerVersion: raw.producer_version ?? '',
    docString: raw.doc_string ?? '',
    opsets,
    metadata,
    graphName: graph.name ?? '',
    opTypes: [...new Set(nodes.map((n) => n.op_type ?? ''))].sort(),
    nodeCount: nodes.length,
    initializerCount: weights.size,
    inputs: (graph.input ?? []).filter((i) => !weights.has(i.name ?? '')).map(toValueInfo),
    outputs: (graph.output ?? []).map(toValueInfo),
  };
}
