/**
 * Gives every non-private workspace package the publishing metadata the repository shares
 * (`pnpm release:fill-metadata`): `license`, `repository` (with its `directory`), `homepage`,
 * `engines.node` from the root package.json, and a copy of the root LICENSE. Fields already
 * set are left alone; the README with an example has to be written by hand.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../src/repo-root.js';
import { publishablePackages } from '../src/workspace-packages.js';

type Manifest = Record<string, unknown> & {
  repository?: { url?: string };
  engines?: { node?: string };
};

const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const url = root.repository?.url;
if (!url) throw new Error('The root package.json has no repository.url');
const web = url.replace(/^git\+/, '').replace(/\.git$/, '');

for (const pkg of publishablePackages(repoRoot)) {
  const path = join(pkg.dir, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  const directory = relative(repoRoot, pkg.dir);
  const filled: Manifest = {};
  // Insert after `license` (or at the end), keeping the order of the existing fields.
  const additions: Record<string, unknown> = {
    license: manifest.license ?? 'Apache-2.0',
    repository: manifest.repository ?? { type: 'git', url, directory },
    homepage: manifest.homepage ?? `${web}/tree/main/${directory}#readme`,
    engines: manifest.engines ?? { node: root.engines?.node ?? '>=20.19' },
  };
  for (const [key, value] of Object.entries(manifest)) {
    if (key in additions) continue;
    filled[key] = value;
    if (key === 'description') Object.assign(filled, additions);
  }
  if (!('license' in filled)) Object.assign(filled, additions);
  const text = `${JSON.stringify(filled, null, 2)}\n`;
  if (text !== readFileSync(path, 'utf8')) {
    writeFileSync(path, text);
    console.log(`${pkg.name}: package.json filled in`);
  }
  if (!existsSync(join(pkg.dir, 'LICENSE'))) {
    copyFileSync(join(repoRoot, 'LICENSE'), join(pkg.dir, 'LICENSE'));
    console.log(`${pkg.name}: LICENSE copied`);
  }
  if (!existsSync(join(pkg.dir, 'README.md'))) console.log(`${pkg.name}: write a README.md`);
}
