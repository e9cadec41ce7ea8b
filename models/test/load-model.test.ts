import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifest, loadModel, modelsDir } from '../src/index.js';

const ID = 'blazeface-front-128';

describe('loadModel', () => {
  let temp: string;
  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'facekit-models-test-'));
  });
  afterEach(() => rmSync(temp, { recursive: true, force: true }));

  it('returns the manifest entry and the verified bytes', async () => {
    const { entry, bytes } = await loadModel(ID);
    expect(entry).toEqual(loadManifest().find((e) => e.id === ID));
    expect(bytes.byteLength).toBe(entry.bytes);
  });

  it('reads from another directory when given one', async () => {
    copyFileSync(join(modelsDir(), `${ID}.onnx`), join(temp, `${ID}.onnx`));
    const { bytes } = await loadModel(ID, temp);
    expect(bytes.byteLength).toBe(loadManifest().find((e) => e.id === ID)?.bytes);
  });

  it('refuses a tampered file', async () => {
    const bytes = readFileSync(join(modelsDir(), `${ID}.onnx`));
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(join(temp, `${ID}.onnx`), bytes);
    await expect(loadModel(ID, temp)).rejects.toThrow(/failed its integrity check/);
  });

  it('says to run the build when the file is missing', async () => {
    await expect(loadModel(ID, temp)).rejects.toThrow(/is not built.*Run `pnpm build`/);
  });

  it('names the known models for an unknown id', async () => {
    await expect(loadModel('no-such-model')).rejects.toThrow(
      /Unknown model no-such-model.*blazeface/,
    );
  });
});

describe('modelsDir', () => {
  it("is this package's dist/", () => {
    expect(modelsDir()).toMatch(/models[/\\]dist$/);
  });
});
