import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createOnnxGraph, decodeOnnxModel } from '../../src/convert/onnx-writer.js';

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('createOnnxGraph', () => {
  it('writes a model onnxruntime runs: Conv with bias, a float attribute, an int64 input', async () => {
    const graph = createOnnxGraph({ name: 'tiny', metadata: { purpose: 'test' } });
    graph.addInput('x', ['N', 1, 3, 3]);
    // One 2×2 filter summing its window, bias 0.5.
    graph.addInitializer('w', new Float32Array([1, 1, 1, 1]), [1, 1, 2, 2]);
    graph.addInitializer('b', new Float32Array([0.5]), [1]);
    graph.addInitializer('pads', BigInt64Array.from([0, 0, 0, 0, 0, 0, 1, 1], BigInt), [8]);
    const conv = graph.addNode('Conv', ['x', 'w', 'b'], ['conv'], {
      kernel_shape: [2, 2],
      pads: [0, 0, 0, 0],
    });
    const padded = graph.addNode('Pad', [conv, 'pads'], ['padded'], { mode: 'constant' });
    graph.addNode('LeakyRelu', [padded], ['y'], { alpha: { f: 0.25 } });
    graph.addOutput('y', ['N', 1, 3, 3]);

    const bytes = graph.serialize();
    const x = new ort.Tensor(
      'float32',
      Float32Array.from([1, 2, 3, 4, 5, 6, 7, -80, 9]),
      [1, 1, 3, 3],
    );
    const { y } = await run(bytes, { x });
    expect(y.dims).toEqual([1, 1, 3, 3]);
    // Windows: 1+2+4+5, 2+3+5+6, 4+5+7−80, 5+6−80+9; +0.5; negative × 0.25; padded with 0.
    expect(Array.from(y.data as Float32Array)).toEqual([
      12.5, 16.5, 0, -15.875, -14.875, 0, 0, 0, 0,
    ]);

    const decoded = decodeOnnxModel(bytes);
    expect(decoded).toMatchObject({
      irVersion: 7,
      opsetVersion: 13,
      producerName: 'facekit',
      graphName: 'tiny',
      metadata: { purpose: 'test' },
      inputs: [{ name: 'x', dims: ['N', 1, 3, 3] }],
      outputs: [{ name: 'y', dims: ['N', 1, 3, 3] }],
      nodes: ['Conv', 'Pad', 'LeakyRelu'],
    });
    expect(decoded.initializers).toEqual([
      { name: 'w', dims: [1, 1, 2, 2] },
      { name: 'b', dims: [1] },
      { name: 'pads', dims: [8] },
    ]);
  });

  it('refuses undefined inputs, names defined twice, wrong sizes and bare float attributes', () => {
    const graph = createOnnxGraph({ name: 'bad' });
    graph.addInput('x', [1]);
    expect(() => graph.addNode('Relu', ['nope'], ['y'])).toThrow(/"nope", which is not defined/);
    expect(() => graph.addNode('Relu', ['x'], ['x'])).toThrow(/defined twice/);
    expect(() => graph.addInitializer('w', new Float32Array(3), [2, 2])).toThrow(/3 values/);
    expect(() => graph.addNode('LeakyRelu', ['x'], ['y'], { alpha: 0.1 })).toThrow(/\{ f: 0.1 \}/);
    graph.addOutput('z', [1]);
    expect(() => graph.serialize()).toThrow(/"z" is never produced/);
  });

  it('stores floats little-endian, bit for bit', () => {
    const graph = createOnnxGraph({ name: 'raw' });
    const values = new Float32Array([Math.PI, -0, 1e-30, -3.5e38]);
    graph.addInitializer('c', values, [4]);
    graph.addNode('Identity', ['c'], ['y']);
    graph.addOutput('y', [4]);
    const bytes = graph.serialize();
    const expected = new Uint8Array(16);
    const view = new DataView(expected.buffer);
    values.forEach((v, i) => {
      view.setFloat32(i * 4, v, true);
    });
    // The raw_data bytes appear verbatim in the message.
    expect(Buffer.from(bytes).includes(Buffer.from(expected))).toBe(true);
  });
});
