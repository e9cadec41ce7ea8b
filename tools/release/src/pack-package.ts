import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Packs the package in `dir` with `pnpm pack` into `destination`, exactly as `pnpm publish`
 * would (`workspace:` ranges replaced, the workspace's `.pnpmfile.cjs` `beforePacking` hook
 * applied), and returns the tarball's path. Its `dist/` must be built.
 */
export async function packPackage(dir: string, destination: string): Promise<string> {
  const { stdout } = await execFileAsync(
    'pnpm',
    ['pack', '--pack-destination', destination, '--json'],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
  const { filename } = JSON.parse(stdout) as { filename: string };
  return filename.startsWith('/') ? filename : join(destination, filename);
}
