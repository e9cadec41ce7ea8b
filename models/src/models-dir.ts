import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/**
 * Directory holding the built ONNX files (`<id>.onnx`) and their `manifest.json`: this
 * package's `dist/`, filled by `pnpm build`.
 */
export function modelsDir(): string {
  return join(packageRoot(), 'dist');
}
