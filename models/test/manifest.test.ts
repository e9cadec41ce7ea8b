import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '@facekit/core/onnx-models';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeModel } from '../src/build/describe-model.js';
import { formatManifest } from '../src/build/format-manifest.js';
import { loadManifest, modelsDir } from '../src/index.js';
import { recipes } from '../src/recipes.js';

const committed = loadManifest();
const dir = modelsDir();

describe('manifest.json (checked in)', () => {
  it('describes every recipe once, in recipe order', () => {
    expect(committed.map((e) => e.id)).toEqual(recipes.map((r) => r.id));
  });

  it('is formatted exactly as the build writes it', () => {
    expect(readFileSync(join(dir, '..', 'manifest.json'), 'utf8')).toBe(formatManifest(committed));
  });

  it('pins exact package versions, hashes and normalisation', () => {
    for (const e of committed) {
      expect(e.source.package).toMatch(/^(@[^/]+\/)?[^@]+@\d+\.\d+\.\d+$/);
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.file).toBe(`${e.id}.onnx`);
      expect(e.input.mean).toHaveLength(e.input.channels === 'GRAY' ? 1 : 3);
      expect(e.input.std.every((s) => s > 0)).toBe(true);
      expect(e.provenance.length).toBeGreaterThan(40);
    }
  });
});

describe('built models (dist/)', () => {
  beforeAll(() => {
    if (!existsSync(join(dir, 'manifest.json'))) {
      throw new Error(`${dir} has no manifest.json: run \`pnpm build\` before the tests`);
    }
  });

  it('dist/manifest.json equals the checked-in manifest', () => {
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(committed);
  });

  it.each(committed.map((e) => [e.id, e] as const))(
    '%s: the file has the manifest size and sha256',
    async (_id, entry) => {
      const bytes = new Uint8Array(readFileSync(join(dir, entry.file)));
      expect(bytes.byteLength).toBe(entry.bytes);
      expect(await sha256Hex(bytes)).toBe(entry.sha256);
    },
  );

  // Fails when a recipe's metadata changed without `pnpm --filter @facekit/models build:manifest`.
  it.each(recipes.map((r) => [r.id, r] as const))(
    '%s: recipe + built file give the checked-in entry',
    async (id, recipe) => {
      const bytes = new Uint8Array(readFileSync(join(dir, `${id}.onnx`)));
      expect(await describeModel(recipe, bytes)).toEqual(committed.find((e) => e.id === id));
    },
  );
});
