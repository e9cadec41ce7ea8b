import { readdirSync, readFileSync } from 'node:fs';
import { faceModels } from '@facekit/core/analyzer';
import manifest from '@facekit/models/manifest.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { createModelFetcher, modelManifest } from '../src/fetch-model.js';

// The browser parts (createImageBitmap, onnxruntime-web in a page) are tested in headless
// Chromium by examples/browser-detect-faces; the fetcher needs only `fetch`.

describe('createModelFetcher', () => {
  const detector = faceModels['1.0'].detector;

  it('downloads baseUrl + the manifest file name', async () => {
    const asked: string[] = [];
    const load = createModelFetcher({
      baseUrl: 'https://example.test/assets/models/',
      fetch: async (url) => {
        asked.push(String(url));
        return new Response(new Uint8Array([1, 2, 3]));
      },
    });
    const { entry, bytes } = await load(detector);
    expect(asked).toEqual([`https://example.test/assets/models/${detector}.onnx`]);
    expect(entry.id).toBe(detector);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('says which URL failed and what to serve there', async () => {
    const load = createModelFetcher({
      baseUrl: 'https://example.test/m/',
      fetch: async () => new Response('nope', { status: 404, statusText: 'Not Found' }),
    });
    await expect(load(detector)).rejects.toThrow(
      `Model ${detector}: GET https://example.test/m/${detector}.onnx answered 404 Not Found`,
    );
  });

  it('refuses ids the manifest does not have', async () => {
    const load = createModelFetcher({ baseUrl: 'https://example.test/', fetch });
    await expect(load('no-such-model')).rejects.toThrow('Unknown model no-such-model');
  });

  it('carries the models manifest, hashes included', async () => {
    expect(modelManifest).toEqual(manifest);
    for (const entry of modelManifest) expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the package source', () => {
  it('imports nothing from Node', () => {
    const dir = new URL('../src/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/from '(node:|fs|path|os|crypto)['/]|\bBuffer\b|process\./);
    }
  });
});
