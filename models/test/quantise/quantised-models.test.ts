import { sha256Hex } from '@facekit/core/onnx-models';
import { describe, expect, it } from 'vitest';
import { loadManifest, loadModel } from '../../src/index.js';
import { recipes } from '../../src/recipes.js';

const quantised = recipes.filter((r) => r.source.method === 'quantised');
const manifest = loadManifest();

describe.each(quantised.map((r) => [r.id, r] as const))('%s', (id, recipe) => {
  const floatId = id.replace(/-int8$/, '');

  it('is quantised again, byte for byte, from the float model and the committed ranges', {
    timeout: 60_000,
  }, async () => {
    // The float model as the build has it (sha256-checked by loadModel), in place of its package.
    const float = (await loadModel(floatId)).bytes;
    const context = { packages: { read: async () => float } };
    const [first, second] = [await recipe.produce(context), await recipe.produce(context)];
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    const entry = manifest.find((e) => e.id === id);
    expect(entry?.source.method).toBe('quantised');
    expect(await sha256Hex(first)).toBe(entry?.sha256);
    expect(first.byteLength).toBe(entry?.bytes);
  });

  it('refuses a float model other than the one its ranges were measured on', async () => {
    const float = (await loadModel(floatId)).bytes.slice();
    float[float.length - 1] ^= 1;
    const context = { packages: { read: async () => float } };
    await expect(recipe.produce(context)).rejects.toThrow(/not the one the int8 ranges/);
  });
});

it('has int8 variants of the detector and the embedder', () => {
  expect(quantised.map((r) => r.id)).toEqual([
    'faceplugin-detect-rfb320-int8',
    'faceplugin-embed-mobilefacenet512-int8',
  ]);
});
