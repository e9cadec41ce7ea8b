import { ByteBuffer } from 'flatbuffers';

/**
 * Reads the parts of a TensorFlow Lite model (`.tflite`, a FlatBuffer of the `schema.fbs` in
 * tensorflow/lite/schema) that a converter needs: the first subgraph's tensors with their
 * constant data, its operators with their builtin code and options, and its inputs and outputs.
 * Field ids are the schema's; no generated code, so only the fields used here are read.
 */

/** `BuiltinOperator` codes read here (schema.fbs). */
export const TfliteOp = {
  ADD: 0,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RESHAPE: 22,
  SOFTMAX: 25,
  SUB: 41,
  DIV: 42,
  EXP: 47,
  NEG: 59,
  SUM: 74,
  REDUCE_MAX: 82,
} as const;

/** `TensorType` values (schema.fbs). */
export const TfliteType = { FLOAT32: 0, INT32: 2 } as const;

export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: number;
  /** Constant data (weights), or undefined for activations. */
  readonly data?: Uint8Array;
}

export interface TfliteOperator {
  /** `BuiltinOperator` code. */
  readonly code: number;
  /** Tensor indices; -1 marks an absent optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Reads a scalar field of the builtin options table (`id` as in schema.fbs), or `fallback`. */
  option(id: number, kind: 'int8' | 'int32' | 'bool', fallback: number): number;
}

export interface TfliteModel {
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/**
 * Parses the first subgraph of a `.tflite` file.
 * @throws {Error} when the bytes do not carry the `TFL3` identifier.
 */
export function readTflite(bytes: Uint8Array): TfliteModel {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3') {
    throw new Error('Not a TensorFlow Lite model (no TFL3 file identifier)');
  }
  const field = (table: number, id: number) => {
    const offset = bb.__offset(table, 4 + 2 * id);
    return offset ? table + offset : 0;
  };
  const tables = (table: number, id: number): number[] => {
    const at = field(table, id);
    if (!at) return [];
    const start = bb.__vector(at);
    return Array.from({ length: bb.__vector_len(at) }, (_, i) => bb.__indirect(start + 4 * i));
  };
  const ints = (table: number, id: number): number[] => {
    const at = field(table, id);
    if (!at) return [];
    const start = bb.__vector(at);
    return Array.from({ length: bb.__vector_len(at) }, (_, i) => bb.readInt32(start + 4 * i));
  };
  const int32 = (table: number, id: number, fallback = 0) => {
    const at = field(table, id);
    return at ? bb.readInt32(at) : fallback;
  };
  const int8 = (table: number, id: number, fallback = 0) => {
    const at = field(table, id);
    return at ? bb.readInt8(at) : fallback;
  };
  const string = (table: number, id: number) => {
    const at = field(table, id);
    return at ? (bb.__string(at) as string) : '';
  };

  const model = bb.readInt32(bb.position()) + bb.position();
  // OperatorCode: deprecated_builtin_code (0, int8) for codes < 127, builtin_code (3, int32).
  const codes = tables(model, 1).map((t) => Math.max(int8(t, 0), int32(t, 3)));
  const buffers = tables(model, 4).map((t) => {
    const at = field(t, 0);
    if (!at) return undefined;
    const start = bb.__vector(at);
    return bytes.subarray(start, start + bb.__vector_len(at));
  });
  const [subgraph] = tables(model, 2);
  if (subgraph === undefined) throw new Error('TensorFlow Lite model has no subgraph');
  const tensors = tables(subgraph, 0).map((t): TfliteTensor => {
    const data = buffers[int32(t, 2)];
    return {
      shape: ints(t, 0),
      type: int8(t, 1),
      name: string(t, 3),
      ...(data && data.length > 0 && { data }),
    };
  });
  const operators = tables(subgraph, 3).map((op): TfliteOperator => {
    const options = field(op, 4) ? bb.__indirect(field(op, 4)) : 0;
    return {
      code: codes[int32(op, 0)] ?? -1,
      inputs: ints(op, 1),
      outputs: ints(op, 2),
      option(id, kind, fallback) {
        if (!options) return fallback;
        const at = field(options, id);
        if (!at) return fallback;
        return kind === 'int32' ? bb.readInt32(at) : bb.readInt8(at);
      },
    };
  });
  return { tensors, operators, inputs: ints(subgraph, 1), outputs: ints(subgraph, 2) };
}

/** A FLOAT32 constant tensor's values (little-endian, copied out of the file). */
export function tfliteFloats(tensor: TfliteTensor): Float32Array {
  if (!tensor.data || tensor.type !== TfliteType.FLOAT32) {
    throw new Error(`TFLite tensor ${tensor.name} is not a float32 constant`);
  }
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Float32Array.from({ length: tensor.data.byteLength / 4 }, (_, i) =>
    view.getFloat32(i * 4, true),
  );
}

/** An INT32 constant tensor's values. */
export function tfliteInts(tensor: TfliteTensor): number[] {
  if (!tensor.data || tensor.type !== TfliteType.INT32) {
    throw new Error(`TFLite tensor ${tensor.name} is not an int32 constant`);
  }
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Array.from({ length: tensor.data.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
}
