import { InternalServerError } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import { createOnnxWebBackend } from '../src/web.js';
import { tinyModel } from './__fixtures__/tiny-model.js';

// A file of its own: onnxruntime-web reads `wasmPaths` once per process, on its first session.
describe('onnxruntime-web with wasmPaths where there are no wasm files', () => {
  it('fails to load a model with an InternalServerError', async () => {
    const backend = createOnnxWebBackend({ wasmPaths: '/nonexistent/ort/' });
    const error = await backend.loadModel(tinyModel(), { name: 'tiny' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toMatch(
      /^onnxruntime-web could not load model "tiny" \(\d+ bytes\): /,
    );
  });
});
