import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxGraph } from '../../src/convert/onnx-writer.js';
import { readOnnxModel, writeOnnxModel } from '../../src/onnx/onnx-model.js';
import { createRangeCollector, leastErrorRange } from '../../src/quantise/activation-ranges.js';
import {
  calibrationTensors,
  quantiseQdq,
  quantiseWeightsPerChannel,
  uint8Params,
  withActivationOutputs,
} from '../../src/quantise/quantise-qdq.js';

/** A deterministic pseudo-random sequence in [-1, 1). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  };
}

const values = (next: () => number, n: number, scale = 1) =>
  Float32Array.from({ length: n }, () => next() * scale);

/**
 * A small MobileFaceNet-like block at opset 9, as PyTorch exported the faceplugin models:
 * Conv → Relu, depthwise Conv → PRelu, 1×1 Conv, residual Add, 1×1 Conv, then an opset-9 Slice
 * (attributes, open end) that the quantiser must rewrite to opset 11's inputs.
 */
function tinyNetwork(): Uint8Array {
  const next = random(7);
  const g = createOnnxGraph({ name: 'tiny', opsetVersion: 9 });
  g.addInput('x', [1, 3, 16, 16]);
  g.addInitializer('w1', values(next, 8 * 3 * 9, 0.5), [8, 3, 3, 3]);
  g.addInitializer('b1', values(next, 8, 0.1), [8]);
  g.addInitializer('w2', values(next, 8 * 9, 0.5), [8, 1, 3, 3]);
  g.addInitializer('b2', values(next, 8, 0.1), [8]);
  g.addInitializer(
    'slope',
    Float32Array.from({ length: 8 }, () => 0.25),
    [8, 1, 1],
  );
  g.addInitializer('w3', values(next, 8 * 8, 0.5), [8, 8, 1, 1]);
  g.addInitializer('w4', values(next, 4 * 8, 0.5), [4, 8, 1, 1]);
  g.addInitializer('b4', values(next, 4, 0.1), [4]);
  const pads = { pads: [1, 1, 1, 1], kernel_shape: [3, 3] };
  g.addNode('Conv', ['x', 'w1', 'b1'], ['c1'], pads);
  g.addNode('Relu', ['c1'], ['r1']);
  g.addNode('Conv', ['r1', 'w2', 'b2'], ['c2'], { ...pads, group: 8 });
  g.addNode('PRelu', ['c2', 'slope'], ['p2']);
  g.addNode('Conv', ['p2', 'w3'], ['c3'], { kernel_shape: [1, 1] });
  g.addNode('Add', ['c3', 'r1'], ['sum']);
  g.addNode('Conv', ['sum', 'w4', 'b4'], ['c4'], { kernel_shape: [1, 1] });
  g.addNode('Slice', ['c4'], ['y'], {
    axes: [1],
    starts: [1],
    ends: [2 ** 63], // written as INT64_MAX
  });
  g.addOutput('y', [1, 3, 16, 16]);
  return g.serialize();
}

const inputNext = random(11);
const inputs = Array.from({ length: 8 }, () => values(inputNext, 3 * 16 * 16));
const tensor = (data: Float32Array) => new ort.Tensor('float32', data, [1, 3, 16, 16]);

async function runAll(model: Uint8Array, optimizedModelFilePath?: string) {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    logSeverityLevel: 3,
    graphOptimizationLevel: 'extended',
    ...(optimizedModelFilePath && { optimizedModelFilePath }),
  });
  try {
    const outputs = [];
    for (const x of inputs) outputs.push((await session.run({ x: tensor(x) })).y);
    return outputs;
  } finally {
    await session.release();
  }
}

async function calibrate(model: Uint8Array) {
  const names = calibrationTensors(model);
  const probe = await ort.InferenceSession.create(withActivationOutputs(model, names), {
    logSeverityLevel: 3,
  });
  const collector = createRangeCollector(names);
  for (const x of inputs) {
    collector.add((await probe.run({ x: tensor(x) })) as Record<string, { data: Float32Array }>);
  }
  await probe.release();
  return collector.ranges();
}

const dir = mkdtempSync(join(tmpdir(), 'facekit-quantise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantiseQdq', () => {
  const float = tinyNetwork();

  it('asks for the ranges of quantised activations only (the Relu folded into its Conv)', () => {
    expect(calibrationTensors(float)).toEqual(['x', 'r1', 'c2', 'p2', 'c3', 'sum', 'c4']);
  });

  it('gives the float outputs to within int8 precision, and onnxruntime fuses QLinearConv', async () => {
    const ranges = await calibrate(float);
    const int8 = quantiseQdq(float, { ranges });
    const optimised = join(dir, 'optimised.onnx');
    const [expected, actual] = [await runAll(float), await runAll(int8, optimised)];
    for (let k = 0; k < inputs.length; k++) {
      expect(actual[k].dims).toEqual([1, 3, 16, 16]);
      const e = expected[k].data as Float32Array;
      const a = actual[k].data as Float32Array;
      let error = 0;
      let norm = 0;
      for (let i = 0; i < e.length; i++) {
        error += (a[i] - e[i]) ** 2;
        norm += e[i] ** 2;
      }
      // 8 bits through four layers: a few percent of the signal, far from a broken graph.
      expect(Math.sqrt(error / norm)).toBeLessThan(0.05);
      expect(Math.sqrt(error / norm)).toBeGreaterThan(0);
    }
    const ops = readOnnxModel(new Uint8Array(readFileSync(optimised))).graph.node.map(
      (n) => n.opType,
    );
    expect(ops.filter((op) => op === 'QLinearConv').length).toBe(4);
    expect(ops).not.toContain('Conv');
    expect(ops).not.toContain('Relu');
  });

  it('is deterministic and stores the weights as int8', async () => {
    const ranges = await calibrate(float);
    const a = quantiseQdq(float, { ranges });
    const b = quantiseQdq(tinyNetwork().slice(), { ranges: { ...ranges } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const model = readOnnxModel(a);
    const w1 = model.graph.initializer.find((t) => t.name === 'w1_quantized');
    expect(w1?.dataType).toBe(3);
    expect(model.graph.initializer.some((t) => t.name === 'w1')).toBe(false);
    expect(model.opsetImport).toEqual(
      expect.arrayContaining([{ version: 11 }, { domain: 'com.microsoft', version: 1 }]),
    );
  });

  it('leaves excluded nodes and their activations in float', async () => {
    const ranges = await calibrate(float);
    const names = calibrationTensors(float, { excludeNodes: ['c4'] });
    expect(names).not.toContain('c4');
    const model = readOnnxModel(quantiseQdq(float, { ranges, excludeNodes: ['c4'] }));
    expect(model.graph.initializer.some((t) => t.name === 'w4')).toBe(true);
  });

  it('fails by name on a missing range', () => {
    expect(() => quantiseQdq(float, { ranges: {} })).toThrow(/range for activation "x"/);
  });
});

describe('readOnnxModel / writeOnnxModel', () => {
  it('round-trips a model without changing what it computes, INT64_MAX included', async () => {
    const float = tinyNetwork();
    const again = writeOnnxModel(readOnnxModel(float));
    const slice = readOnnxModel(again).graph.node.at(-1);
    expect(slice?.attribute?.find((a) => a.name === 'ends')?.ints).toEqual(['9223372036854775807']);
    const [a, b] = [await runAll(float), await runAll(again)];
    expect(Array.from(b[0].data as Float32Array)).toEqual(Array.from(a[0].data as Float32Array));
  });
});

describe('quantisation arithmetic', () => {
  it('quantises weights per output channel, symmetric', () => {
    const { values: q, scales } = quantiseWeightsPerChannel(Float32Array.of(1, -0.5, 0, 0.02), 2);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), Math.fround(0.02 / 127)]);
    expect(Array.from(q)).toEqual([127, -64, 0, 127]);
  });

  it('widens activation ranges to hold 0 exactly', () => {
    expect(uint8Params([0, 2.55])).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    expect(uint8Params([0.5, 2.55])).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    const { scale, zeroPoint } = uint8Params([-1, 3]);
    expect(zeroPoint).toBe(64);
    expect(scale).toBeCloseTo(4 / 255, 7);
  });

  it('clips rare outliers when that lowers the error, not the bulk of the values', () => {
    const histogram = new Float64Array(2048);
    // 10 million values spread over [0, 1], one at 10 (the top bin).
    for (let i = 0; i < 205; i++) histogram[i] = 10_000_000 / 205;
    histogram[2047] = 1;
    const [min, max] = leastErrorRange(histogram, [0, 10]);
    expect(min).toBe(0);
    expect(max).toBeGreaterThan(0.95);
    expect(max).toBeLessThan(5);
    // With few values in [0, 1], the outlier's clipping error outweighs the finer steps.
    histogram.fill(10_000 / 205, 0, 205);
    expect(leastErrorRange(histogram, [0, 10])[1]).toBeGreaterThan(9.5);
    const flat = new Float64Array(2048).fill(1);
    expect(leastErrorRange(flat, [-1, 1])).toEqual([-1, 1]);
  });
});
