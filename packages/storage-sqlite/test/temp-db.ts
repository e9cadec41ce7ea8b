import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory path under the OS temp dir (created by the store), and its cleanup. */
export function tempDatabase(): { dir: string; path: string; cleanup: () => void } {
  const dir = join(tmpdir(), `facekit-sqlite-${randomUUID()}`);
  return {
    dir,
    path: join(dir, 'faces.db'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
