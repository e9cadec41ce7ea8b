import { type InferenceBackend, InternalServerError, RekognitionError } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import * as nodeEntry from '../src/node.js';
import type { OnnxInferenceBackend } from '../src/onnx-session.js';
import * as webEntry from '../src/web.js';
import { maxAbsDiff, randomFloats } from './__fixtures__/random.js';
import { TINY_IN, TINY_OUT, tinyModel, tinyReference } from './__fixtures__/tiny-model.js';

const backends: [string, () => OnnxInferenceBackend][] = [
  ['onnxruntime-node', () => nodeEntry.createOnnxNodeBackend()],
  ['onnxruntime-web', () => webEntry.createOnnxWebBackend()],
];

const x = (rows: number, seed: number) => ({
  data: randomFloats(rows * TINY_IN, seed),
  dims: [rows, TINY_IN],
});

describe.each(backends)('%s', (runtime, create) => {
  it('is a v1 InferenceBackend named after its runtime', () => {
    const backend: InferenceBackend = create();
    expect(backend.specificationVersion).toBe('v1');
    expect(backend.name).toBe(runtime);
  });

  it('loads a model and reports its input and output names', async () => {
    const session = await create().loadModel(tinyModel(), { name: 'tiny' });
    expect(session.inputNames).toEqual(['X']);
    expect(session.outputNames).toEqual(['Y', 'H']);
    await session.release();
  });

  it('computes what the same graph computes in JS', async () => {
    const session = await create().loadModel(tinyModel());
    const input = x(5, 1);
    const out = await session.run({ X: input });
    const ref = tinyReference(input.data);
    expect(Object.keys(out).sort()).toEqual(['H', 'Y']);
    expect(out.Y.dims).toEqual([5, TINY_OUT]);
    expect(out.H.dims).toEqual([5, TINY_OUT]);
    expect(out.Y.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(out.Y.data, ref.y)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.H.data, ref.h)).toBeLessThan(1e-5);
    expect(out.Y.data.some((v) => v === 0)).toBe(true); // the Relu did cut something
    await session.release();
  });

  it('returns fresh arrays and leaves the input alone', async () => {
    const session = await create().loadModel(tinyModel());
    const input = x(3, 2);
    const before = input.data.slice();
    const first = await session.run({ X: input });
    const kept = first.H.data.slice();
    const second = await session.run({ X: x(3, 3) });
    expect(second.H.data).not.toBe(first.H.data);
    expect(second.H.data.buffer).not.toBe(first.H.data.buffer);
    expect(first.H.data).toEqual(kept); // not overwritten by the second run
    expect(input.data).toEqual(before);
    await session.release();
  });

  it('reads an input that is a view into a larger buffer', async () => {
    const session = await create().loadModel(tinyModel());
    const backing = randomFloats(7 + 2 * TINY_IN + 5, 4);
    const view = backing.subarray(7, 7 + 2 * TINY_IN);
    const out = await session.run({ X: { data: view, dims: [2, TINY_IN] } });
    expect(maxAbsDiff(out.H.data, tinyReference(view).h)).toBeLessThan(1e-5);
    await session.release();
  });

  it('gives every one of 20 concurrent runs its own right answer', async () => {
    const session = await create().loadModel(tinyModel());
    const inputs = Array.from({ length: 20 }, (_, i) => x(1 + (i % 4), 100 + i));
    const outs = await Promise.all(inputs.map((input) => session.run({ X: input })));
    outs.forEach((out, i) => {
      const ref = tinyReference(inputs[i].data);
      expect(out.Y.dims).toEqual([inputs[i].dims[0], TINY_OUT]);
      expect(maxAbsDiff(out.Y.data, ref.y)).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.H.data, ref.h)).toBeLessThan(1e-5);
    });
    await session.release();
  });

  it('rejects bytes that are not a model with an InternalServerError naming model and operation', async () => {
    const error = await create()
      .loadModel(new TextEncoder().encode('not an onnx model'), { name: 'garbage' })
      .catch((e: unknown) => e);
    expect(RekognitionError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(InternalServerError);
    const { message, cause, $fault } = error as InternalServerError;
    expect($fault).toBe('server');
    expect(message).toMatch(
      new RegExp(`^${runtime} could not load model "garbage" \\(17 bytes\\): .+`),
    );
    expect(cause).toBeDefined();
  });

  it('names an unnamed model by its sha256 prefix', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const hex = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    await expect(create().loadModel(bytes)).rejects.toThrow(
      `could not load model sha256:${hex.slice(0, 12)}… (3 bytes)`,
    );
  });

  it('rejects a wrong input name before calling the runtime', async () => {
    const session = await create().loadModel(tinyModel(), { name: 'tiny' });
    const error = await session.run({ Z: x(1, 5) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toBe(
      `${runtime}: model "tiny" takes inputs ["X"], got ["Z"].`,
    );
    await session.release();
  });

  it('wraps a runtime error from run() with the model name and the cause', async () => {
    const session = await create().loadModel(tinyModel(), { name: 'tiny' });
    const wrongDims = { data: new Float32Array(10), dims: [2, 5] };
    const error = await session.run({ X: wrongDims }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${runtime} failed to run model "tiny": .+`),
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
    // The session survives the bad call.
    const input = x(2, 6);
    const out = await session.run({ X: input });
    expect(maxAbsDiff(out.H.data, tinyReference(input.data).h)).toBeLessThan(1e-5);
    await session.release();
  });

  it('releases once, after the runs already started, and refuses runs afterwards', async () => {
    const session = await create().loadModel(tinyModel(), { name: 'tiny' });
    const input = x(2, 7);
    const pending = session.run({ X: input });
    const released = session.release();
    expect(session.release()).toBe(released);
    const out = await pending;
    expect(maxAbsDiff(out.H.data, tinyReference(input.data).h)).toBeLessThan(1e-5);
    await released;
    await expect(session.run({ X: input })).rejects.toThrow(
      `${runtime}: model "tiny" was released and cannot run.`,
    );
  });

  it('keeps sessions of the same backend independent', async () => {
    const backend = create();
    const [a, b] = await Promise.all([
      backend.loadModel(tinyModel()),
      backend.loadModel(tinyModel()),
    ]);
    await a.release();
    const input = x(1, 8);
    const out = await b.run({ X: input });
    expect(maxAbsDiff(out.Y.data, tinyReference(input.data).y)).toBeLessThan(1e-5);
    await b.release();
  });
});

describe('onnxruntime-node and onnxruntime-web', () => {
  it('give equal outputs, bit for bit, when the arithmetic is exact', async () => {
    const [node, web] = await Promise.all(
      backends.map(([, create]) => create().loadModel(tinyModel())),
    );
    // Multiples of 1/8 in [-2, 2): see TINY_W.
    const data = randomFloats(16 * TINY_IN, 9).map((v) => Math.round(v * 16) / 8);
    const input = { data, dims: [16, TINY_IN] };
    const [a, b] = await Promise.all([node.run({ X: input }), web.run({ X: input })]);
    expect(b.Y.dims).toEqual(a.Y.dims);
    expect(b.Y.data).toEqual(a.Y.data);
    expect(b.H.data).toEqual(a.H.data);
    expect(a.H.data).toEqual(tinyReference(data).h);
    await Promise.all([node.release(), web.release()]);
  });

  it('agree to float32 rounding on arbitrary inputs', async () => {
    const [node, web] = await Promise.all(
      backends.map(([, create]) => create().loadModel(tinyModel())),
    );
    const input = x(64, 10);
    const [a, b] = await Promise.all([node.run({ X: input }), web.run({ X: input })]);
    // Summation order and fused multiply-add differ between the native and wasm kernels.
    expect(maxAbsDiff(a.H.data, b.H.data)).toBeLessThan(1e-6);
    await Promise.all([node.release(), web.release()]);
  });

  it('share the createOnnxBackend name, so "." picks one by export condition', () => {
    expect(nodeEntry.createOnnxBackend).toBe(nodeEntry.createOnnxNodeBackend);
    expect(webEntry.createOnnxBackend).toBe(webEntry.createOnnxWebBackend);
  });
});
