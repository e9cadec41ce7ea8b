import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, modelsDir } from '@facekit/models';
import { type FaceModelVersion, faceModels } from '../src/index.js';

/** `../shared/datasets` beside the repository, or `FACEKIT_DATASETS`. */
export const datasets = process.env.FACEKIT_DATASETS
  ? resolve(process.env.FACEKIT_DATASETS)
  : fileURLToPath(new URL('../../../../shared/datasets', import.meta.url));

const manifest = loadManifest();

/** The networks of face model `version`, by model id. */
export function faceModelIds(version: FaceModelVersion): string[] {
  return Object.values(faceModels[version]);
}

/** The models among `ids` whose files are not built. */
export function missingModels(ids: readonly string[]): string[] {
  return ids.filter((id) => {
    const entry = manifest.find((e) => e.id === id);
    return !entry || !existsSync(join(modelsDir(), entry.file));
  });
}

/**
 * Why a real-photo suite skips (a suffix for its name), or '' when the models `modelIds` (face
 * model 1.0's networks unless given) are built and `photos`, a path or several, are there.
 */
export function realPhotoSkipReason(
  photos: string | readonly string[],
  modelIds: readonly string[] = faceModelIds('1.0'),
): string {
  const missing = missingModels(modelIds);
  if (missing.length > 0) {
    return ` (SKIPPED: models not built: ${missing.join(', ')}; run pnpm --filter @facekit/models build)`;
  }
  const absent = (typeof photos === 'string' ? [photos] : photos).filter((p) => !existsSync(p));
  if (absent.length > 0) {
    return ` (SKIPPED: datasets not found at ${absent[0]}; set FACEKIT_DATASETS)`;
  }
  return '';
}
