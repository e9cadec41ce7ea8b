import { InternalServerError } from '@facekit/core';
import { describe, expect, it, vi } from 'vitest';
import { lazyRuntime } from '../src/load-runtime.js';

function notFound(specifier: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${specifier}' imported from /app/node_modules/x/dist/node.js`),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
}

describe('lazyRuntime', () => {
  it('imports once and shares the module', async () => {
    const importer = vi.fn(async () => ({ ok: true }));
    const load = lazyRuntime('onnxruntime-node', importer);
    expect(importer).not.toHaveBeenCalled();
    expect(await load()).toBe(await load());
    expect(importer).toHaveBeenCalledTimes(1);
  });

  it('says which package to install when it is missing, and retries later', async () => {
    const importer = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(notFound('onnxruntime-web'))
      .mockResolvedValueOnce('ort');
    const load = lazyRuntime('onnxruntime-web', importer);
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toBe(
      '@facekit/inference-onnx: onnxruntime-web is not installed. Install it next to @facekit/inference-onnx: `npm install onnxruntime-web@1.30.0` (or pnpm/yarn/bun add).',
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await load()).toBe('ort');
  });

  it('reports other load failures with their reason', async () => {
    const load = lazyRuntime('onnxruntime-node', () =>
      Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')),
    );
    await expect(load()).rejects.toThrow(
      '@facekit/inference-onnx: onnxruntime-node could not be loaded (libonnxruntime.so.1: cannot open shared object file). Install it',
    );
  });

  it('does not call a missing dependency of the runtime a missing runtime', async () => {
    const load = lazyRuntime('onnxruntime-web', () => Promise.reject(notFound('flatbuffers')));
    await expect(load()).rejects.toThrow(
      'onnxruntime-web could not be loaded (Cannot find package',
    );
  });
});
