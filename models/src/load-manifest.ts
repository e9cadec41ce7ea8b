import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifestEntry } from '@facekit/core/onnx-models';
import { packageRoot } from './package-root.js';

/**
 * Every model facekit knows, from this package's checked-in `manifest.json` (also exported as
 * `@facekit/models/manifest.json`). Its sha256 values are what {@link loadModel} accepts: a built
 * file that differs from the committed description is refused.
 */
export function loadManifest(): ModelManifestEntry[] {
  return JSON.parse(readFileSync(join(packageRoot(), 'manifest.json'), 'utf8'));
}
