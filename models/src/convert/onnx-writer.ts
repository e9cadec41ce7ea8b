import { Root, type Type } from 'protobufjs';

/**
 * The part of `onnx.proto` (IR version 7, the one opset 13 shipped with) that a converter needs
 * to write an inference graph with dense initializers. Field numbers are the official ones, so
 * any ONNX reader accepts the bytes; sparse tensors, functions, training info and non-tensor
 * types are left out.
 */
const onnxProto = Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { id: 1, type: 'int64' },
            opsetImport: { id: 8, rule: 'repeated', type: 'OperatorSetIdProto' },
            producerName: { id: 2, type: 'string' },
            producerVersion: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            modelVersion: { id: 5, type: 'int64' },
            docString: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            metadataProps: { id: 14, rule: 'repeated', type: 'StringStringEntryProto' },
          },
        },
        StringStringEntryProto: {
          fields: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'string' } },
        },
        OperatorSetIdProto: {
          fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } },
        },
        GraphProto: {
          fields: {
            node: { id: 1, rule: 'repeated', type: 'NodeProto' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, rule: 'repeated', type: 'TensorProto' },
            docString: { id: 10, type: 'string' },
            input: { id: 11, rule: 'repeated', type: 'ValueInfoProto' },
            output: { id: 12, rule: 'repeated', type: 'ValueInfoProto' },
            valueInfo: { id: 13, rule: 'repeated', type: 'ValueInfoProto' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, rule: 'repeated', type: 'string' },
            output: { id: 2, rule: 'repeated', type: 'string' },
            name: { id: 3, type: 'string' },
            opType: { id: 4, type: 'string' },
            domain: { id: 7, type: 'string' },
            attribute: { id: 5, rule: 'repeated', type: 'AttributeProto' },
            docString: { id: 6, type: 'string' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            docString: { id: 13, type: 'string' },
            type: { id: 20, type: 'int32' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, rule: 'repeated', type: 'float' },
            ints: { id: 8, rule: 'repeated', type: 'int64' },
            strings: { id: 9, rule: 'repeated', type: 'bytes' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, rule: 'repeated', type: 'int64' },
            dataType: { id: 2, type: 'int32' },
            name: { id: 8, type: 'string' },
            docString: { id: 12, type: 'string' },
            rawData: { id: 9, type: 'bytes' },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 2, type: 'TypeProto' },
            docString: { id: 3, type: 'string' },
          },
        },
        TypeProto: {
          fields: {
            tensorType: { id: 1, type: 'TypeProtoTensor' },
            denotation: { id: 6, type: 'string' },
          },
        },
        // `TypeProto.Tensor` in onnx.proto; nesting only changes the name, not the wire format.
        TypeProtoTensor: {
          fields: {
            elemType: { id: 1, type: 'int32' },
            shape: { id: 2, type: 'TensorShapeProto' },
          },
        },
        TensorShapeProto: {
          fields: { dim: { id: 1, rule: 'repeated', type: 'TensorShapeDimension' } },
        },
        TensorShapeDimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { id: 1, type: 'int64' },
            dimParam: { id: 2, type: 'string' },
            denotation: { id: 3, type: 'string' },
          },
        },
      },
    },
  },
});

const ModelProto: Type = onnxProto.lookupType('onnx.ModelProto');

/** `TensorProto.DataType` values used here. */
const DataType = { FLOAT: 1, INT64: 7 } as const;

/** `AttributeProto.AttributeType` values used here. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** ONNX IR version 7 goes with opset 13 (ONNX 1.8). */
const IR_VERSION = 7;

/**
 * A node attribute. Plain integers and integer arrays are `INT`/`INTS` (kernel_shape, strides,
 * pads, axes…), strings are `STRING`; floats must be wrapped, because `1` and `1.0` are the same
 * JavaScript number but different ONNX attribute types.
 */
export type OnnxAttribute =
  | number
  | readonly number[]
  | string
  | { readonly f: number }
  | { readonly floats: readonly number[] };

/** A dimension: a size, or a name for a size only known at run time (e.g. the batch). */
export type OnnxDim = number | string;

/** Element types a graph input, output or initializer may have here. */
export type OnnxElementType = 'float32' | 'int64';

/** Model-level fields of the written `ModelProto`. */
export interface OnnxGraphOptions {
  /** `GraphProto.name`. */
  name: string;
  /** Version of the default (`ai.onnx`) operator set; default 13. */
  opsetVersion?: number;
  /** `ModelProto.producer_name`; default `facekit`. */
  producerName?: string;
  producerVersion?: string;
  /** `ModelProto.doc_string`. */
  docString?: string;
  /** `ModelProto.metadata_props`, readable by any ONNX tool. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Builds one ONNX graph and writes it as a `ModelProto`. Names are checked as they are added,
 * so a node can only consume a graph input, an initializer or an earlier node's output, and
 * every name is defined once: the graph is topologically sorted by construction.
 */
export interface OnnxGraph {
  /** Declares a graph input; `dims` may name dynamic sizes, e.g. `['N', 3, 150, 150]`. */
  addInput(name: string, dims: readonly OnnxDim[], elementType?: OnnxElementType): void;
  /** Declares a graph output; it must be produced by a node by the time of `serialize()`. */
  addOutput(name: string, dims: readonly OnnxDim[], elementType?: OnnxElementType): void;
  /**
   * Adds a constant tensor, stored little-endian in `raw_data`.
   * @throws {Error} when the element count does not match `dims`.
   */
  addInitializer(name: string, data: Float32Array | BigInt64Array, dims: readonly number[]): void;
  /**
   * Adds a node of the default domain. Returns its first output's name, for chaining.
   * @throws {Error} when an input is undefined or an output is already defined.
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes?: Readonly<Record<string, OnnxAttribute>>,
    name?: string,
  ): string;
  /** Number of nodes so far. */
  readonly nodeCount: number;
  /**
   * The `ModelProto` bytes.
   * @throws {Error} when a declared output is never produced.
   */
  serialize(): Uint8Array;
}

interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: object[] } } };
}

interface NodeRecord {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: object[];
}

interface TensorRecord {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** Creates an empty {@link OnnxGraph}. */
export function createOnnxGraph(options: OnnxGraphOptions): OnnxGraph {
  const defined = new Set<string>();
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const initializers: TensorRecord[] = [];
  const nodes: NodeRecord[] = [];

  const define = (name: string, what: string): void => {
    if (name === '') throw new Error(`ONNX ${what} needs a name`);
    if (defined.has(name)) throw new Error(`ONNX value "${name}" is defined twice (${what})`);
    defined.add(name);
  };

  return {
    addInput(name, dims, elementType = 'float32') {
      define(name, 'graph input');
      inputs.push(valueInfo(name, dims, elementType));
    },

    addOutput(name, dims, elementType = 'float32') {
      outputs.push(valueInfo(name, dims, elementType));
    },

    addInitializer(name, data, dims) {
      define(name, 'initializer');
      const count = dims.reduce((a, b) => a * b, 1);
      if (count !== data.length) {
        throw new Error(
          `ONNX initializer "${name}": ${data.length} values for dims [${dims.join(', ')}]`,
        );
      }
      initializers.push({
        name,
        dims: [...dims],
        dataType: data instanceof Float32Array ? DataType.FLOAT : DataType.INT64,
        rawData: littleEndianBytes(data),
      });
    },

    addNode(opType, nodeInputs, nodeOutputs, attributes = {}, name) {
      for (const input of nodeInputs) {
        // An empty name is ONNX's way to skip an optional input.
        if (input !== '' && !defined.has(input)) {
          throw new Error(`ONNX ${opType} node reads "${input}", which is not defined yet`);
        }
      }
      if (nodeOutputs.length === 0) throw new Error(`ONNX ${opType} node has no output`);
      for (const output of nodeOutputs) define(output, `${opType} output`);
      nodes.push({
        input: [...nodeInputs],
        output: [...nodeOutputs],
        name: name ?? nodeOutputs[0],
        opType,
        attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
      });
      return nodeOutputs[0];
    },

    get nodeCount() {
      return nodes.length;
    },

    serialize() {
      for (const output of outputs) {
        if (!defined.has(output.name)) {
          throw new Error(`ONNX graph output "${output.name}" is never produced`);
        }
      }
      const model = {
        irVersion: IR_VERSION,
        opsetImport: [{ domain: '', version: options.opsetVersion ?? 13 }],
        producerName: options.producerName ?? 'facekit',
        producerVersion: options.producerVersion ?? '',
        docString: options.docString ?? '',
        graph: {
          name: options.name,
          node: nodes,
          initializer: initializers,
          input: inputs,
          output: outputs,
        },
        metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({
          key,
          value,
        })),
      };
      return ModelProto.encode(ModelProto.fromObject(model)).finish();
    },
  };
}

/** What {@link decodeOnnxModel} returns: the fields a test or a manifest check looks at. */
export interface DecodedOnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  graphName: string;
  metadata: Record<string, string>;
  inputs: { name: string; dims: OnnxDim[] }[];
  outputs: { name: string; dims: OnnxDim[] }[];
  /** Op type of each node, in order. */
  nodes: string[];
  initializers: { name: string; dims: number[] }[];
}

interface RawValueInfo {
  name: string;
  type?: { tensorType?: { shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}

interface RawModel {
  irVersion: number;
  opsetImport?: { version: number }[];
  producerName?: string;
  metadataProps?: { key: string; value: string }[];
  graph?: {
    name?: string;
    input?: RawValueInfo[];
    output?: RawValueInfo[];
    node?: { opType: string }[];
    initializer?: { name: string; dims?: number[] }[];
  };
}

/** Reads back the structure of a model written by {@link OnnxGraph.serialize}. */
export function decodeOnnxModel(bytes: Uint8Array): DecodedOnnxModel {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as RawModel;
  const graph = model.graph ?? {};
  const describe = (info: RawValueInfo) => ({
    name: info.name,
    dims: (info.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam ?? d.dimValue ?? 0),
  });
  return {
    irVersion: model.irVersion,
    opsetVersion: model.opsetImport?.[0]?.version ?? 0,
    producerName: model.producerName ?? '',
    graphName: graph.name ?? '',
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value])),
    inputs: (graph.input ?? []).map(describe),
    outputs: (graph.output ?? []).map(describe),
    nodes: (graph.node ?? []).map((n) => n.opType),
    initializers: (graph.initializer ?? []).map((t) => ({ name: t.name, dims: t.dims ?? [] })),
  };
}

function valueInfo(name: string, dims: readonly OnnxDim[], elementType: OnnxElementType) {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementType === 'float32' ? DataType.FLOAT : DataType.INT64,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, value: OnnxAttribute): object {
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new Error(`ONNX attribute "${name}": wrap float ${value} as { f: ${value} }`);
    }
    return { name, type: AttributeType.INT, i: value };
  }
  if ('f' in value) return { name, type: AttributeType.FLOAT, f: value.f };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  const ints = value as readonly number[];
  if (!ints.every(Number.isInteger)) {
    throw new Error(`ONNX attribute "${name}": wrap floats as { floats: [...] }`);
  }
  return { name, type: AttributeType.INTS, ints: [...ints] };
}

/** Element bytes in little-endian order, whatever the host's order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  } else {
    for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, data[i], true);
  }
  return out;
}
