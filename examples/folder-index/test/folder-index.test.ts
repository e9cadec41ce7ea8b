import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Runs the example as a user would (`node index.js`, resolving the workspace packages' built
 * `dist/`) on the face-api sample photos, twice on the same database.
 */

const exampleDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const samples = join(
  dirname(
    createRequire(join(exampleDir, 'package.json')).resolve('@vladmandic/face-api/package.json'),
  ),
  'demo',
);
const run = promisify(execFile);
const builtEntry = join(exampleDir, 'node_modules/@facekit/pipeline-node/dist/index.js');

describe('examples/folder-index', () => {
  let temp: string;
  let photos: string;
  beforeAll(() => {
    if (!existsSync(builtEntry)) throw new Error('The example runs the built packages: pnpm build');
    temp = mkdtempSync(join(tmpdir(), 'facekit-folder-index-'));
    // The six sample photos (the demo folder also holds screenshots).
    photos = join(temp, 'photos');
    mkdirSync(photos);
    for (let n = 1; n <= 6; n++) {
      copyFileSync(join(samples, `sample${n}.jpg`), join(photos, `sample${n}.jpg`));
    }
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  const example = (...args: string[]) =>
    run('node', ['index.js', photos, '--db', join(temp, 'faces.sqlite'), ...args], {
      cwd: exampleDir,
    });

  it('indexes every sample photo and finds the face of sample3 in sample1', async () => {
    const { stdout } = await example('--search', join(photos, 'sample3.jpg'));
    expect(stdout).toMatch(/^indexed sample1\.jpg: 3 faces$/m);
    const indexed = [...stdout.matchAll(/^indexed (\S+): (\d+) faces$/gm)];
    expect(indexed.map((m) => m[1])).toEqual([1, 2, 3, 4, 5, 6].map((n) => `sample${n}.jpg`));
    const total = indexed.reduce((sum, m) => sum + Number(m[2]), 0);
    expect(stdout).toContain(`collection photos: ${total} faces (${total} new)`);
    expect(total).toBeGreaterThanOrEqual(20);
    // Its largest face is in sample3 itself (100%) and in sample1 (README: 94.9%).
    const matches = [...stdout.matchAll(/^ {2}([\d.]+)% {2}(\S+)$/gm)];
    expect(matches[0]?.[2]).toBe('sample3.jpg');
    expect(matches.some((m) => m[2] === 'sample1.jpg' && Number(m[1]) > 90)).toBe(true);
  }, 120_000);

  it('skips what the database already holds on a second run', async () => {
    const { stdout } = await example();
    expect(stdout.match(/^skipped /gm)).toHaveLength(6);
    expect(stdout).toMatch(/^collection photos: \d+ faces \(0 new\)$/m);
    expect(stdout).toMatch(/^search sample1\.jpg: [1-9]\d* matches$/m);
  }, 120_000);
});
