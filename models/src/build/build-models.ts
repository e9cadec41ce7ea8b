import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelManifestEntry, sha256Hex } from '@facekit/core/onnx-models';
import type { ModelRecipe } from '../model-recipe.js';
import type { PackageFileReader } from '../sources/pinned-package.js';
import { describeModel } from './describe-model.js';
import { formatManifest } from './format-manifest.js';

export interface BuildModelsOptions {
  readonly recipes: readonly ModelRecipe[];
  /** Where `<id>.onnx` and `manifest.json` are written. */
  readonly outDir: string;
  readonly packages: PackageFileReader;
  /**
   * Entries believed right (the committed manifest, the last build's): a model whose file
   * exists with the sha256 such an entry gives for the same id and source is not produced again.
   */
  readonly known?: readonly ModelManifestEntry[];
  /** Produce every model again, even when its file looks up to date. */
  readonly force?: boolean;
  readonly log?: (message: string) => void;
}

function sameSource(entry: ModelManifestEntry, recipe: ModelRecipe, file: string): boolean {
  const { package: pkg, file: path, method } = recipe.source;
  return (
    entry.id === recipe.id &&
    entry.version === recipe.version &&
    entry.file === file &&
    entry.source.package === `${pkg.name}@${pkg.version}` &&
    entry.source.file === path &&
    entry.source.method === method
  );
}

async function upToDate(
  path: string,
  recipe: ModelRecipe,
  file: string,
  known: readonly ModelManifestEntry[],
): Promise<Uint8Array | undefined> {
  const candidates = known.filter((e) => sameSource(e, recipe, file));
  if (candidates.length === 0 || !existsSync(path)) return undefined;
  const bytes = new Uint8Array(await readFile(path));
  const hash = await sha256Hex(bytes);
  return candidates.some((e) => e.sha256 === hash) ? bytes : undefined;
}

/** Writes through a temporary name, so an interrupted build never leaves a partial model. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.part`, data);
  await rename(`${path}.part`, path);
}

/**
 * Produces `<outDir>/<id>.onnx` for every recipe (skipping those already there with a known
 * hash), removes ONNX files no recipe produces, and writes `<outDir>/manifest.json`.
 * @returns the manifest entries, in recipe order.
 * @throws {Error} when two recipes share an id, a recipe fails, or a file contradicts its recipe.
 */
export async function buildModels(options: BuildModelsOptions): Promise<ModelManifestEntry[]> {
  const { recipes, outDir, packages, known = [], force = false } = options;
  const log = options.log ?? (() => {});
  const ids = new Set<string>();
  for (const r of recipes) {
    if (ids.has(r.id)) throw new Error(`Two recipes have the id ${r.id}`);
    ids.add(r.id);
  }
  await mkdir(outDir, { recursive: true });
  const entries: ModelManifestEntry[] = [];
  for (const recipe of recipes) {
    const file = `${recipe.id}.onnx`;
    const path = join(outDir, file);
    const current = force ? undefined : await upToDate(path, recipe, file, known);
    if (current) {
      entries.push(await describeModel(recipe, current));
      log(`${recipe.id}: up to date`);
      continue;
    }
    const bytes = await recipe.produce({ packages });
    // Described before it is written, so a file that contradicts its recipe never lands.
    const entry = await describeModel(recipe, bytes);
    await writeAtomically(path, bytes);
    entries.push(entry);
    log(`${recipe.id}: wrote ${file} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
  }
  for (const name of await readdir(outDir)) {
    const stale = name.endsWith('.part') || (name.endsWith('.onnx') && !ids.has(name.slice(0, -5)));
    if (stale) {
      await rm(join(outDir, name));
      log(`removed ${name}: no recipe produces it`);
    }
  }
  await writeAtomically(join(outDir, 'manifest.json'), formatManifest(entries));
  return entries;
}
