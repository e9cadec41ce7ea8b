import type { ImageDecoder, InferenceBackend, Tensor } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import { createStageTimer } from './stage-timer.js';

describe('stage timer', () => {
  it('times decodes and model runs by stage, one run at a time', async () => {
    let clock = 0;
    const timer = createStageTimer(
      (name) => (name === 'det' ? 'detect' : 'other'),
      () => clock,
    );
    const decoder: ImageDecoder = {
      specificationVersion: 'v1',
      name: 'fake',
      async decode() {
        clock += 5;
        return { width: 1, height: 1, data: new Uint8Array(3), format: 'png', orientation: 1 };
      },
    };
    let running = 0;
    const backend: InferenceBackend = {
      specificationVersion: 'v1',
      name: 'fake',
      async loadModel() {
        return {
          inputNames: ['x'],
          outputNames: ['y'],
          async run(feeds: Readonly<Record<string, Tensor>>) {
            running++;
            expect(running).toBe(1);
            await new Promise((resolve) => setTimeout(resolve, 1));
            clock += 2;
            running--;
            return { y: feeds.x };
          },
          async release() {},
        };
      },
    };
    await timer.decoder(decoder).decode(new Uint8Array(1));
    const session = await timer.backend(backend).loadModel(new Uint8Array(1), { name: 'det' });
    const x = { data: new Float32Array(1), dims: [1] };
    await Promise.all([session.run({ x }), session.run({ x }), session.run({ x })]);
    expect(timer.take()).toEqual({ decode: { ms: 5, calls: 1 }, detect: { ms: 6, calls: 3 } });
    expect(timer.take()).toEqual({});
  });
});
