import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../src/index.js';

/** The `facekit-models` command as published (`dist/bin.js`, built by `pnpm build`). */

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../dist/bin.js');
const run = promisify(execFile);
const facekitModels = (...args: string[]) => run('node', [bin, ...args]);

describe('facekit-models', () => {
  let temp: string;
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: pnpm build`);
    temp = mkdtempSync(join(tmpdir(), 'facekit-models-bin-'));
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('lists every model of the manifest with its source and licence', async () => {
    const { stdout } = await facekitModels('list');
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(loadManifest().map((e) => e.id));
    expect(lines[0]).toMatch(
      /^faceplugin-detect-rfb320\tdetection\tfaceplugin-face-recognition-js@0\.0\.1\tMIT$/,
    );
  });

  it('builds the models it is given into --dir, then only verifies them', async () => {
    const dir = join(temp, 'models');
    const first = await facekitModels('build', 'blazeface-front-128', '--dir', dir);
    expect(first.stdout).toMatch(/^blazeface-front-128: ok \(\d+ bytes, sha256 d388b1cf8a5f…\)$/m);
    expect(first.stderr).toMatch(/blazeface-front-128: building from jp\.keijiro/);
    expect(existsSync(join(dir, 'blazeface-front-128.onnx'))).toBe(true);
    const again = await facekitModels('build', 'blazeface-front-128', '--dir', dir);
    expect(again.stderr).toBe('');
  }, 60_000);

  it('exits 1 on an unknown model and 2 on an unknown command', async () => {
    await expect(facekitModels('build', 'no-such-model', '--dir', temp)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Unknown model no-such-model/),
    });
    await expect(facekitModels('frobnicate')).rejects.toMatchObject({ code: 2 });
  });
});
