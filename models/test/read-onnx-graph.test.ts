import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readOnnxGraph } from '../src/onnx/read-onnx-graph.js';

// A writer for a tiny ModelProto with the official onnx.proto field numbers, independent of the
// reader's schema.
const root = protobuf.Root.fromJSON({
  nested: {
    Model: {
      fields: {
        irVersion: { id: 1, type: 'int64' },
        producerName: { id: 2, type: 'string' },
        graph: { id: 7, type: 'Graph' },
        opsetImport: { id: 8, rule: 'repeated', type: 'Opset' },
      },
    },
    Opset: { fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } } },
    Graph: {
      fields: {
        node: { id: 1, rule: 'repeated', type: 'Node' },
        name: { id: 2, type: 'string' },
        initializer: { id: 5, rule: 'repeated', type: 'Tensor' },
        input: { id: 11, rule: 'repeated', type: 'ValueInfo' },
        output: { id: 12, rule: 'repeated', type: 'ValueInfo' },
      },
    },
    Node: {
      fields: {
        input: { id: 1, rule: 'repeated', type: 'string' },
        output: { id: 2, rule: 'repeated', type: 'string' },
        opType: { id: 4, type: 'string' },
      },
    },
    Tensor: {
      fields: {
        dims: { id: 1, rule: 'repeated', type: 'int64' },
        dataType: { id: 2, type: 'int32' },
        floatData: { id: 4, rule: 'repeated', type: 'float' },
        name: { id: 8, type: 'string' },
      },
    },
    ValueInfo: { fields: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'Type' } } },
    Type: { fields: { tensorType: { id: 1, type: 'TensorType' } } },
    TensorType: {
      fields: { elemType: { id: 1, type: 'int32' }, shape: { id: 2, type: 'Shape' } },
    },
    Shape: { fields: { dim: { id: 1, rule: 'repeated', type: 'Dim' } } },
    Dim: { fields: { dimValue: { id: 1, type: 'int64' }, dimParam: { id: 2, type: 'string' } } },
  },
});

const tensor = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

function tinyModel(): Uint8Array {
  const Model = root.lookupType('Model');
  return Model.encode(
    Model.fromObject({
      irVersion: 3,
      producerName: 'test',
      opsetImport: [{ domain: '', version: 9 }],
      graph: {
        name: 'g',
        node: [{ input: ['x', 'w'], output: ['y'], opType: 'Add' }],
        initializer: [{ name: 'w', dims: [1, 2], dataType: 1, floatData: [1, 2] }],
        // Old exporters list weights among the inputs too.
        input: [tensor('x', 1, ['batch', 2]), tensor('w', 1, [1, 2])],
        output: [tensor('y', 1, ['batch', 2])],
      },
    }),
  ).finish();
}

describe('readOnnxGraph', () => {
  it('reads producer, opsets and the graph interface, leaving weights out of the inputs', () => {
    const graph = readOnnxGraph(tinyModel());
    expect(graph).toMatchObject({
      irVersion: 3,
      producerName: 'test',
      opsets: { '': 9 },
      graphName: 'g',
      opTypes: ['Add'],
      nodeCount: 1,
      initializerCount: 1,
      inputs: [{ name: 'x', elemType: 'float32', dims: ['batch', 2] }],
      outputs: [{ name: 'y', elemType: 'float32', dims: ['batch', 2] }],
    });
  });

  it('rejects bytes that are not a model', () => {
    expect(() => readOnnxGraph(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/Not an ONNX model/);
    expect(() => readOnnxGraph(new Uint8Array())).toThrow(/has no graph/);
  });
});
