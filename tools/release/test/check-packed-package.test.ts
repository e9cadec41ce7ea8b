import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPackedPackage } from '../src/check-packed-package.js';

/**
 * A package with the mistakes the check exists for, packed outside the workspace by `npm pack`
 * (which, unlike pnpm, leaves a `workspace:` range as it is).
 */
describe('checkPackedPackage', () => {
  let temp: string;
  let problems: string[];

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'facekit-bad-package-'));
    const dir = join(temp, 'bad');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'README.md'), '# bad\n\nNo example here.\n');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'bad',
        version: '1.0.0',
        type: 'module',
        license: 'MIT',
        exports: {
          '.': { '@facekit/source': './src/index.ts', default: './dist/index.js' },
          './missing': './dist/missing.js',
        },
        dependencies: { '@facekit/core': 'workspace:^' },
      }),
    );
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', temp], {
        cwd: dir,
        encoding: 'utf8',
      }),
    ) as { filename: string }[];
    const tarball = join(temp, filename);
    problems = await checkPackedPackage(new Uint8Array(readFileSync(tarball)), {
      license: 'Apache-2.0',
      repositoryUrl: 'git+https://example.invalid/facekit.git',
      directory: 'packages/bad',
    });
  }, 60_000);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('reports publint problems', () => {
    expect(problems.some((p) => p.startsWith('publint') && p.includes('missing'))).toBe(true);
  });

  it('reports each missing piece of the publishing list', () => {
    expect(problems).toEqual(
      expect.arrayContaining([
        'exports["."] has no "types"',
        'exports keep the workspace condition . > @facekit/source',
        'exports point into src/: ./src/index.ts',
        'has no "files" list',
        '"license" is MIT, not Apache-2.0',
        'has no "engines.node"',
        'the tarball has no LICENSE file',
        'README.md has no code example',
        'dependencies.@facekit/core is workspace:^',
      ]),
    );
  });
});
