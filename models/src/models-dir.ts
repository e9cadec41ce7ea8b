import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/**
 * Directory holding the built ONNX files (`<id>.onnx`): the environment variable
 * `FACEKIT_MODELS_DIR` when set (for a read-only install, or to share one copy between
 * projects), else this package's `dist/`, where `pnpm build` and builds on first use write them.
 */
export function modelsDir(): string {
  return process.env.FACEKIT_MODELS_DIR || join(packageRoot(), 'dist');
}
