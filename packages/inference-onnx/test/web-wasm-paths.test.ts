import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOnnxWebBackend } from '../src/web.js';
import { maxAbsDiff, randomFloats } from './__fixtures__/random.js';
import { TINY_IN, tinyModel, tinyReference } from './__fixtures__/tiny-model.js';

// A file of its own: onnxruntime-web reads `wasmPaths` once per process, on its first session.
describe('onnxruntime-web with explicit wasmPaths', () => {
  it('loads the wasm files from the given folder', async () => {
    const wasm = createRequire(import.meta.url).resolve(
      'onnxruntime-web/ort-wasm-simd-threaded.wasm',
    );
    const backend = createOnnxWebBackend({ wasmPaths: `${dirname(wasm)}/` });
    const session = await backend.loadModel(tinyModel());
    const data = randomFloats(3 * TINY_IN, 11);
    const out = await session.run({ X: { data, dims: [3, TINY_IN] } });
    expect(maxAbsDiff(out.H.data, tinyReference(data).h)).toBeLessThan(1e-5);
    await session.release();
  });
});
