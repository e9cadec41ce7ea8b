import { execFileSync } from 'node:child_process';

/** A workspace package that is published to npm (not `private`). */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of its directory. */
  readonly dir: string;
}

/**
 * Every non-private package of the pnpm workspace at `root`, as pnpm itself lists them, so a
 * package added under any workspace glob is covered without being named anywhere.
 */
export function publishablePackages(root: string): WorkspacePackage[] {
  const listed = JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--json', '--depth', '-1'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    }),
  ) as { name: string; version: string; path: string; private: boolean }[];
  return listed
    .filter((p) => !p.private)
    .map((p) => ({ name: p.name, version: p.version, dir: p.path }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
