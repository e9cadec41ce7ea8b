import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readTarball } from './read-tarball.js';

/** An npm package pinned to one published tarball. */
export interface PinnedPackage {
  readonly name: string;
  /** Exact version, never a range. */
  readonly version: string;
  /**
   * Subresource-integrity hash of the registry tarball, as `npm view <name>@<version>
   * dist.integrity` prints it. A tarball with any other hash is refused.
   */
  readonly integrity: string;
}

/** `name@version`, as the manifest's `source.package` records it. */
export function packageSpec(pkg: PinnedPackage): string {
  return `${pkg.name}@${pkg.version}`;
}

/** Reads files out of pinned npm packages. */
export interface PackageFileReader {
  /**
   * Bytes of `path` (relative to the package root) inside `pkg`.
   * @throws {Error} when the package cannot be had, its tarball fails its integrity check, or
   *   it has no such file.
   */
  read(pkg: PinnedPackage, path: string): Promise<Uint8Array>;
}

export interface PackageFileReaderOptions {
  /** Where registry tarballs are kept between builds. */
  readonly cacheDir: string;
  readonly log?: (message: string) => void;
}

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

function checkIntegrity(pkg: PinnedPackage, tgz: Uint8Array): void {
  const [algorithm, expected] = pkg.integrity.split('-', 2) as [string, string | undefined];
  const actual = createHash(algorithm).update(tgz).digest('base64');
  if (actual !== expected) {
    throw new Error(
      `${packageSpec(pkg)}: tarball integrity ${algorithm}-${actual} does not match the pinned ${pkg.integrity}`,
    );
  }
}

/** The package's directory when it is installed (as a dependency of this package) at exactly `pkg.version`. */
async function findInstalled(pkg: PinnedPackage): Promise<string | undefined> {
  for (const dir of require.resolve.paths(pkg.name) ?? []) {
    const manifest = join(dir, pkg.name, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version?: string };
    return version === pkg.version ? dirname(manifest) : undefined;
  }
  return undefined;
}

/**
 * A reader that takes files from `node_modules` when the package is installed at the pinned
 * version, and otherwise from its registry tarball alone, fetched with `npm pack` (so the
 * user's npm registry, proxy and cache settings apply, no dependencies are installed and no
 * scripts run), checked against `integrity` and cached in `cacheDir`.
 */
export function createPackageFileReader(options: PackageFileReaderOptions): PackageFileReader {
  const log = options.log ?? (() => {});
  const tarballs = new Map<string, Promise<Map<string, Uint8Array>>>();

  async function fetchTarball(pkg: PinnedPackage): Promise<Uint8Array> {
    const cached = join(options.cacheDir, `${pkg.name.replace('/', '+')}-${pkg.version}.tgz`);
    if (existsSync(cached)) {
      const tgz = await readFile(cached);
      try {
        checkIntegrity(pkg, tgz);
        return tgz;
      } catch {
        log(`${packageSpec(pkg)}: cached tarball is corrupt, fetching it again`);
      }
    }
    log(`${packageSpec(pkg)}: fetching the tarball (npm pack)`);
    const temp = await mkdtemp(join(tmpdir(), 'facekit-models-'));
    try {
      const { stdout } = await execFileAsync(
        'npm',
        ['pack', packageSpec(pkg), '--json', '--ignore-scripts', '--pack-destination', temp],
        { cwd: temp, maxBuffer: 16 * 1024 * 1024 },
      );
      const [packed] = JSON.parse(stdout) as { filename: string }[];
      const file = join(temp, packed.filename);
      const tgz = await readFile(file);
      checkIntegrity(pkg, tgz);
      await mkdir(options.cacheDir, { recursive: true });
      await writeFile(`${cached}.part`, tgz);
      await rename(`${cached}.part`, cached);
      return tgz;
    } catch (cause) {
      throw new Error(`Could not fetch ${packageSpec(pkg)} from the npm registry`, { cause });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  function tarballFiles(pkg: PinnedPackage): Promise<Map<string, Uint8Array>> {
    const spec = packageSpec(pkg);
    let files = tarballs.get(spec);
    if (!files) {
      files = fetchTarball(pkg).then(readTarball);
      tarballs.set(spec, files);
    }
    return files;
  }

  return {
    async read(pkg, path) {
      const installed = await findInstalled(pkg);
      if (installed) return new Uint8Array(await readFile(join(installed, path)));
      const bytes = (await tarballFiles(pkg)).get(path);
      if (!bytes) throw new Error(`${packageSpec(pkg)} has no file ${path}`);
      return bytes;
    },
  };
}
