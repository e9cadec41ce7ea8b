import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this package is `tools/release`). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
