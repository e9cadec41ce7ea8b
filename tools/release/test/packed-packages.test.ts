import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPackedPackage } from '../src/check-packed-package.js';
import { packPackage } from '../src/pack-package.js';
import { repoRoot } from '../src/repo-root.js';
import { publishablePackages } from '../src/workspace-packages.js';

/**
 * Packs every non-private workspace package (built `dist/` needed: `pnpm test` builds first)
 * and checks each tarball as a user would receive it: publint, and facekit's publishing list.
 */

const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  repository: { url: string };
};
const packages = publishablePackages(repoRoot);
const tarballs = new Map<string, string>();
let temp: string;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'facekit-pack-'));
  for (const pkg of packages) tarballs.set(pkg.name, await packPackage(pkg.dir, temp));
}, 120_000);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('publishable packages', () => {
  it('include the ones the README documents', () => {
    const names = packages.map((p) => p.name);
    for (const name of ['@facekit/core', '@facekit/models', '@facekit/pipeline-node']) {
      expect(names).toContain(name);
    }
  });

  it.each(packages.map((p) => [p.name, p] as const))('%s packs clean', async (_name, pkg) => {
    const tarball = tarballs.get(pkg.name);
    expect(tarball).toBeDefined();
    const problems = await checkPackedPackage(new Uint8Array(readFileSync(tarball as string)), {
      license: 'Apache-2.0',
      repositoryUrl: root.repository.url,
      directory: relative(repoRoot, pkg.dir),
    });
    expect(problems).toEqual([]);
  });

  it('leave the ONNX weights out of @facekit/models', async () => {
    const { unpack } = await import('@publint/pack');
    const tarball = tarballs.get('@facekit/models') as string;
    const { files } = await unpack(new Uint8Array(readFileSync(tarball)));
    const names = files.map((f) => f.name);
    expect(names.filter((n) => n.endsWith('.onnx'))).toEqual([]);
    expect(names).toContain('package/manifest.json');
    expect(names).toContain('package/dist/bin.js');
  });
});
