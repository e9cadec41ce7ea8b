import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadManifest, loadModel } from '../src/index.js';

// Cross-checks the manifest (read from the ONNX protobuf by our own reader) with what
// onnxruntime-node sees, and that every model runs on an input of the declared dims.
describe.each(loadManifest().map((e) => [e.id, e] as const))(
  '%s in onnxruntime-node',
  (id, entry) => {
    it('has the manifest input and outputs, and runs', { timeout: 30_000 }, async () => {
      const { bytes } = await loadModel(id);
      const session = await ort.InferenceSession.create(bytes, {
        logSeverityLevel: 3,
        intraOpNumThreads: 1,
      });
      try {
        expect(session.inputNames).toEqual([entry.input.name]);
        expect(session.outputNames).toEqual(entry.outputs.map((o) => o.name));
        const [input] = session.inputMetadata;
        expect(input.isTensor && input.type).toBe('float32');
        // ORT names a free dimension ('N'); the manifest writes it as -1.
        const manifestDims = (shape: readonly (number | string)[]) =>
          shape.map((d) => (typeof d === 'string' ? -1 : d));
        expect(input.isTensor && manifestDims(input.shape)).toEqual(entry.input.dims);
        expect(
          session.outputMetadata.map((o) =>
            o.isTensor ? [o.name, manifestDims(o.shape)] : [o.name],
          ),
        ).toEqual(entry.outputs.map((o) => [o.name, o.dims]));

        // Run with batch 1 where the batch is free.
        const runDims = (dims: readonly number[]) => dims.map((d) => (d === -1 ? 1 : d));
        const inputDims = runDims(entry.input.dims);
        const size = inputDims.reduce((a, b) => a * b, 1);
        const feeds = {
          [entry.input.name]: new ort.Tensor('float32', new Float32Array(size), inputDims),
        };
        const results = await session.run(feeds);
        for (const output of entry.outputs) {
          expect(results[output.name].dims).toEqual(runDims(output.dims));
          expect(Array.from(results[output.name].data as Float32Array).every(Number.isFinite)).toBe(
            true,
          );
        }
        if (id === 'faceplugin-detect-rfb320') {
          // The manifest says the detector's scores are softmaxed in the graph.
          const scores = results.scores.data as Float32Array;
          for (let i = 0; i < scores.length; i += 2)
            expect(scores[i] + scores[i + 1]).toBeCloseTo(1, 4);
        }
      } finally {
        await session.release();
      }
    });
  },
);
