import protobuf from 'protobufjs';

/**
 * Every field of `onnx.proto` (IR version 10) that an inference model can carry, so a model
 * decoded here and encoded again keeps all it had: protobufjs drops fields its schema does not
 * name. Training info and functions are named so that {@link readOnnxModel} can refuse them.
 * @see https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message AttributeProto {
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional int32 type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  optional SparseTensorProto sparse_tensor = 22;
  optional TypeProto tp = 14;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
  repeated SparseTensorProto sparse_tensors = 23;
  repeated TypeProto type_protos = 15;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
  repeated StringStringEntryProto metadata_props = 4;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  repeated StringStringEntryProto metadata_props = 9;
}
message TrainingInfoProto { optional GraphProto initialization = 1; }
message FunctionProto { optional string name = 1; }
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
  repeated TrainingInfoProto training_info = 20;
  repeated FunctionProto functions = 25;
}
message TensorAnnotation {
  optional string tensor_name = 1;
  repeated StringStringEntryProto quant_parameter_tensor_names = 2;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
  repeated TensorAnnotation quantization_annotation = 14;
  repeated StringStringEntryProto metadata_props = 16;
}
message TensorProto {
  message Segment { optional int64 begin = 1; optional int64 end = 2; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional Segment segment = 3;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
  repeated StringStringEntryProto metadata_props = 16;
}
message SparseTensorProto {
  optional TensorProto values = 1;
  optional TensorProto indices = 2;
  repeated int64 dims = 3;
}
message TensorShapeProto {
  message Dimension {
    oneof value { int64 dim_value = 1; string dim_param = 2; }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  message Sequence { optional TypeProto elem_type = 1; }
  message Map { optional int32 key_type = 1; optional TypeProto value_type = 2; }
  message Optional { optional TypeProto elem_type = 1; }
  message SparseTensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
    Optional optional_type = 9;
    SparseTensor sparse_tensor_type = 8;
  }
  optional string denotation = 6;
}
`;

/** `TensorProto.DataType` values used by the quantiser. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** `AttributeProto.AttributeType` values. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, INTS: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: (number | string)[];
  dataLocation?: number;
  [field: string]: unknown;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  /** int64 as a decimal string once read. */
  i?: number | string;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: (number | string)[];
  [field: string]: unknown;
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute?: OnnxAttribute[];
  [field: string]: unknown;
}

/** `TensorShapeProto.Dimension`: a size (int64, a decimal string once read) or a free name. */
export interface OnnxDimension {
  dimValue?: number | string;
  dimParam?: string;
  [field: string]: unknown;
}

export interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } } };
  [field: string]: unknown;
}

export interface OnnxGraphProto {
  name?: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
  sparseInitializer?: { values?: OnnxTensor; [field: string]: unknown }[];
  [field: string]: unknown;
}

/** A `ModelProto` as {@link decodeModelProto} gives it: `graph` is absent when the file has none. */
export interface DecodedModelProto {
  irVersion: number;
  opsetImport: { domain?: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph?: OnnxGraphProto;
  metadataProps?: { key: string; value: string }[];
  trainingInfo?: unknown[];
  functions?: unknown[];
  [field: string]: unknown;
}

/** A whole `ModelProto` as plain objects (int64 fields as numbers), editable and writable again. */
export interface OnnxModelProto extends DecodedModelProto {
  graph: OnnxGraphProto;
}

let modelType: protobuf.Type | undefined;
function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: false }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * Decodes a whole ONNX model into plain objects, judging nothing: `bytes` stay `Uint8Array`;
 * int64 values are decimal strings (exact: exporters write INT64_MAX as an open Slice end),
 * except initializer dims and the IR and opset versions, which become numbers. Both the
 * quantiser's {@link readOnnxModel} and the manifest's `readOnnxGraph` read models through it.
 * @throws {Error} when the bytes do not decode as `onnx.ModelProto`.
 */
export function decodeModelProto(bytes: Uint8Array): DecodedModelProto {
  const type = onnxModelType();
  let model: DecodedModelProto;
  try {
    model = type.toObject(type.decode(bytes), {
      longs: String,
      bytes: Uint8Array,
      arrays: true,
      defaults: false,
    }) as DecodedModelProto;
  } catch (cause) {
    throw new Error('Not an ONNX model: the protobuf does not decode as onnx.ModelProto', {
      cause,
    });
  }
  model.irVersion = Number(model.irVersion ?? 0);
  for (const opset of model.opsetImport) opset.version = Number(opset.version ?? 0);
  if (model.graph) {
    for (const key of ['node', 'initializer', 'input', 'output'] as const) model.graph[key] ??= [];
    for (const tensor of model.graph.initializer) tensor.dims = (tensor.dims ?? []).map(Number);
  }
  return model;
}

/**
 * Decodes a whole ONNX model for editing and writing again (see {@link decodeModelProto}); a
 * model without a graph gets an empty one.
 * @throws {Error} for bytes that are not a model, and for models with training info, local
 *   functions or external tensor data, which the tools here do not handle.
 */
export function readOnnxModel(bytes: Uint8Array): OnnxModelProto {
  const model = decodeModelProto(bytes);
  if (model.trainingInfo?.length || model.functions?.length) {
    throw new Error('ONNX models with training info or local functions are not supported here');
  }
  model.graph ??= { node: [], initializer: [], input: [], output: [] };
  for (const tensor of model.graph.initializer) {
    if (tensor.dataLocation === 1) {
      throw new Error(`ONNX initializer "${tensor.name}" keeps its data in an external file`);
    }
  }
  return model as OnnxModelProto;
}

/** Encodes a model built or edited as plain objects (see {@link readOnnxModel}). */
export function writeOnnxModel(model: OnnxModelProto): Uint8Array {
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * The float32 values of a tensor stored in `raw_data` (little-endian) or `float_data`.
 * @throws {Error} for another element type.
 */
export function floatTensorData(tensor: OnnxTensor): Float32Array {
  if (tensor.dataType !== OnnxDataType.FLOAT) {
    throw new Error(`ONNX tensor "${tensor.name}" is not float32 (data type ${tensor.dataType})`);
  }
  const count = (tensor.dims ?? []).reduce((a, b) => a * b, 1);
  if (tensor.rawData && tensor.rawData.length > 0) {
    const view = new DataView(
      tensor.rawData.buffer,
      tensor.rawData.byteOffset,
      tensor.rawData.byteLength,
    );
    const out = new Float32Array(tensor.rawData.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    if (out.length !== count) throw new Error(`ONNX tensor "${tensor.name}": size mismatch`);
    return out;
  }
  const out = Float32Array.from(tensor.floatData ?? []);
  if (out.length !== count) throw new Error(`ONNX tensor "${tensor.name}": size mismatch`);
  return out;
}

/** A tensor with `raw_data` in little-endian order, whatever the host's order. */
export function onnxTensor(
  name: string,
  dims: readonly number[],
  data: Float32Array | Int8Array | Uint8Array | Int32Array,
): OnnxTensor {
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  let dataType: number;
  if (data instanceof Float32Array) {
    dataType = OnnxDataType.FLOAT;
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  } else if (data instanceof Int32Array) {
    dataType = OnnxDataType.INT32;
    for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i], true);
  } else {
    dataType = data instanceof Int8Array ? OnnxDataType.INT8 : OnnxDataType.UINT8;
    raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`ONNX tensor "${name}": ${data.length} values`);
  return { name, dims: [...dims], dataType, rawData: raw };
}
