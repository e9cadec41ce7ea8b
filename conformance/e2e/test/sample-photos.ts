import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, for built artefacts (models/dist, packages/*\/dist). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/**
 * The sample photos of `@vladmandic/face-api` (`sample1.jpg` … `sample6.jpg`): a devDependency of
 * `models`, so real-photo tests run on a fresh clone without ../shared.
 */
export const faceApiSamplesDir = join(
  dirname(
    createRequire(join(repoRoot, 'models/package.json')).resolve(
      '@vladmandic/face-api/package.json',
    ),
  ),
  'demo',
);
