import { unpack } from '@publint/pack';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

/** What {@link checkPackedPackage} expects every published package to share. */
export interface PackageExpectations {
  /** SPDX id every package declares. */
  readonly license: string;
  /** `repository.url` every package declares (the root package.json's). */
  readonly repositoryUrl: string;
  /** The package's directory relative to the repository root (`repository.directory`). */
  readonly directory: string;
}

type Manifest = {
  name?: string;
  type?: string;
  license?: string;
  files?: string[];
  exports?: unknown;
  engines?: { node?: string };
  repository?: { type?: string; url?: string; directory?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  private?: boolean;
};

/** Every leaf of an `exports` map with the conditions leading to it. */
function exportTargets(value: unknown, path: string[] = []): { path: string[]; target: string }[] {
  if (typeof value === 'string') return [{ path, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

/** Subpath entries (`"."`, `"./node"`) whose conditions resolve to JavaScript without types. */
function untypedEntries(exports: unknown): string[] {
  if (exports === null || typeof exports !== 'object') return [];
  const missing: string[] = [];
  for (const [subpath, value] of Object.entries(exports)) {
    if (subpath.endsWith('.json')) continue;
    const leaves = exportTargets(value);
    const js = leaves.filter((l) => /\.m?js$/.test(l.target));
    const types = leaves.filter((l) => l.path.includes('types') || /\.d\.m?ts$/.test(l.target));
    if (js.length > 0 && types.length === 0) missing.push(subpath);
  }
  return missing;
}

/** The first fenced code block of a README, if it is JavaScript or TypeScript. */
function hasCodeExample(readme: string): boolean {
  return /```(ts|typescript|js|javascript|sh|console)\n[\s\S]*?\n```/.test(readme);
}

/**
 * Checks a packed tarball (as `pnpm pack` writes it) the way a user installing it would meet it:
 * publint's errors and warnings, plus facekit's own list (see the README's "Releasing"): ESM,
 * an `exports` map whose every entry has types, `files`, a licence and repository matching the
 * repo's, `engines.node`, a LICENSE and a README with a code example, no `workspace:` ranges and
 * no workspace-only export conditions or `src/` targets.
 * @returns one line per problem; empty when the package is fit to publish.
 */
export async function checkPackedPackage(
  tarball: Uint8Array,
  expected: PackageExpectations,
): Promise<string[]> {
  const { files, rootDir } = await unpack(tarball);
  const byName = new Map(files.map((f) => [f.name.slice(rootDir.length + 1), f.data]));
  const text = (name: string) => {
    const data = byName.get(name);
    return data ? new TextDecoder().decode(data) : undefined;
  };
  const manifestText = text('package.json');
  if (!manifestText) return ['the tarball has no package.json'];
  const pkg = JSON.parse(manifestText) as Manifest;
  const problems: string[] = [];

  const { messages } = await publint({
    pkgDir: rootDir,
    pack: { files },
    level: 'warning',
    strict: false,
  });
  for (const message of messages) {
    problems.push(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
  }

  if (pkg.private) problems.push('is private');
  if (pkg.type !== 'module') problems.push('"type" is not "module" (packages are ESM only)');
  if (!pkg.exports) problems.push('has no "exports" map');
  for (const subpath of untypedEntries(pkg.exports)) {
    problems.push(`exports["${subpath}"] has no "types"`);
  }
  for (const { path, target } of exportTargets(pkg.exports)) {
    if (path.some((p) => p.startsWith('@facekit/'))) {
      problems.push(`exports keep the workspace condition ${path.join(' > ')}`);
    }
    if (target.startsWith('./src/')) problems.push(`exports point into src/: ${target}`);
  }
  if (!Array.isArray(pkg.files) || pkg.files.length === 0) problems.push('has no "files" list');
  if (pkg.license !== expected.license) {
    problems.push(`"license" is ${pkg.license}, not ${expected.license}`);
  }
  if (pkg.repository?.url !== expected.repositoryUrl) {
    problems.push(`"repository.url" is ${pkg.repository?.url}, not ${expected.repositoryUrl}`);
  }
  if (pkg.repository?.directory !== expected.directory) {
    problems.push(
      `"repository.directory" is ${pkg.repository?.directory}, not ${expected.directory}`,
    );
  }
  if (!pkg.engines?.node) problems.push('has no "engines.node"');
  if (!byName.has('LICENSE')) problems.push('the tarball has no LICENSE file');
  const readme = text('README.md');
  if (!readme) problems.push('the tarball has no README.md');
  else if (!hasCodeExample(readme)) problems.push('README.md has no code example');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${field}.${name} is ${range}`);
    }
  }
  return problems;
}
