import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * This package's directory, found by resolving its own `package.json` (a self-reference, which
 * `exports` allows), so it is right from `src/` under a test runner and from the bundled `dist/`.
 * @internal
 */
export function packageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('@facekit/models/package.json'));
}
