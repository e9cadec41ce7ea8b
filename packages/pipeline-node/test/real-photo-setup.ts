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

/** The face model's networks whose files are not built. */
export function missingModels(version: FaceModelVersion): string[] {
  return Object.values(faceModels[version]).filter((id) => {
    const entry = manifest.find((e) => e.id === id);
    return !entry || !existsSync(join(modelsDir(), entry.file));
  });
}

/**
 * Why a real-photo suite of face model `version` over `photosDir` skips (a suffix for its name),
 * or '' when the models are built and the photos are there.
 */
export function realPhotoSkipReason(photosDir: string, version: FaceModelVersion = '1.0'): string {
  const missing = missingModels(version);
  if (missing.length > 0) {
    return ` (SKIPPED: models not built: ${missing.join(', ')}; run pnpm --filter @facekit/models build)`;
  }
  if (!existsSync(photosDir)) {
    return ` (SKIPPED: datasets not found at ${photosDir}; set FACEKIT_DATASETS)`;
  }
  return '';
}
