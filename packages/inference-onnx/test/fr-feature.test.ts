import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { InferenceSession, Tensor } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import { createOnnxNodeBackend } from '../src/node.js';
import { createOnnxWebBackend } from '../src/web.js';
import { maxAbsDiff, randomFloats } from './__fixtures__/random.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** The real embedding network, as `@facekit/models` builds it (`pnpm build`). */
function findModel(): string | undefined {
  const fromEnv = process.env.FACEKIT_FR_FEATURE_ONNX;
  if (fromEnv) return fromEnv;
  const built = join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx');
  return existsSync(built) ? built : undefined;
}

const modelPath = findModel();
const RUNS = 10;

async function timedRuns(session: InferenceSession, feeds: Record<string, Tensor>) {
  await session.run(feeds); // warm-up
  const start = performance.now();
  let out: Record<string, Tensor> = {};
  for (let i = 0; i < RUNS; i++) out = await session.run(feeds);
  return { out, msPerRun: (performance.now() - start) / RUNS };
}

describe.skipIf(!modelPath)(`faceplugin-embed-mobilefacenet512 (real network, node vs web)`, () => {
  it('gives the same 512-d embedding on both runtimes (max abs diff < 1e-4)', async () => {
    const bytes = new Uint8Array(readFileSync(modelPath as string));
    const node = await createOnnxNodeBackend().loadModel(bytes, { name: 'fr_feature' });
    const web = await createOnnxWebBackend().loadModel(bytes, { name: 'fr_feature' });
    expect(node.inputNames).toEqual(['input']);
    expect(web.inputNames).toEqual(node.inputNames);
    expect(web.outputNames).toEqual(node.outputNames);

    const feeds = { input: { data: randomFloats(3 * 112 * 112, 42), dims: [1, 3, 112, 112] } };
    const a = await timedRuns(node, feeds);
    const b = await timedRuns(web, feeds);
    const [name] = node.outputNames;
    expect(a.out[name].dims).toEqual([1, 512]);
    expect(b.out[name].dims).toEqual([1, 512]);
    const diff = maxAbsDiff(a.out[name].data, b.out[name].data);

    // 'all' (the default) adds NCHWc layout changes, which slow this network down on x86.
    const nodeExtended = await createOnnxNodeBackend().loadModel(bytes, {
      name: 'fr_feature',
      graphOptimizationLevel: 'extended',
    });
    const c = await timedRuns(nodeExtended, feeds);
    const diffExtended = maxAbsDiff(c.out[name].data, b.out[name].data);
    console.info(
      `fr_feature, 1 thread: max |node - web| = ${diff.toExponential(2)} ('all'), ` +
        `${diffExtended.toExponential(2)} ('extended'); ms/run: onnxruntime-node ` +
        `${a.msPerRun.toFixed(1)} ('all'), ${c.msPerRun.toFixed(1)} ('extended'); ` +
        `onnxruntime-web (wasm) ${b.msPerRun.toFixed(1)}`,
    );
    expect(diff).toBeLessThan(1e-4);
    expect(diffExtended).toBeLessThan(1e-4);
    await Promise.all([node.release(), web.release(), nodeExtended.release()]);
  }, 60_000);
});

describe.skipIf(modelPath)(
  `models/dist/faceplugin-embed-mobilefacenet512.onnx is not built (run pnpm build) nor named by FACEKIT_FR_FEATURE_ONNX: real-network check skipped`,
  () => {
    it.skip('node vs web on the real embedding network', () => {});
  },
);
