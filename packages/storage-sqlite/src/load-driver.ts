import { createRequire } from 'node:module';
import { InternalServerError } from '@facekit/core';
import type BetterSqlite3 from 'better-sqlite3';

/** The `better-sqlite3` `Database` constructor. */
export type DatabaseConstructor = typeof BetterSqlite3;

const SUPPORTED_MAJOR = 12;
const INSTALL_HINT = `Install it next to @facekit/storage-sqlite: \`npm install better-sqlite3@${SUPPORTED_MAJOR}\` (or pnpm/yarn add).`;

let loaded: Promise<DatabaseConstructor> | undefined;

/**
 * Imports `better-sqlite3` on first use, so that merely importing this package never loads a
 * native addon. Only major version 12 is accepted: 13 crashes Node 20 inside the addon, which
 * no try/catch can recover from, so the version is checked before the addon is loaded.
 *
 * @throws {InternalServerError} when the driver is missing, has the wrong version or fails to load.
 */
export function loadDriver(): Promise<DatabaseConstructor> {
  loaded ??= importDriver().catch((error: unknown) => {
    loaded = undefined; // let a later call retry, e.g. after the package was installed
    throw error;
  });
  return loaded;
}

async function importDriver(): Promise<DatabaseConstructor> {
  const version = installedVersion();
  if (version !== undefined && Number(version.split('.')[0]) !== SUPPORTED_MAJOR) {
    throw new InternalServerError(
      `@facekit/storage-sqlite needs better-sqlite3 ${SUPPORTED_MAJOR}.x, but ${version} is installed. ${INSTALL_HINT}`,
    );
  }
  try {
    const module = await import('better-sqlite3');
    return module.default;
  } catch (cause) {
    throw new InternalServerError(
      `@facekit/storage-sqlite could not load the better-sqlite3 driver (${errorMessage(cause)}). ${runtimeHint() || INSTALL_HINT}`,
      { cause },
    );
  }
}

/** The installed driver's version, or `undefined` when it cannot be read (e.g. in a bundle). */
function installedVersion(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url)('better-sqlite3/package.json') as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * better-sqlite3 is a Node addon that Bun 1.4 refuses ("not yet supported", oven-sh/bun#4290) and
 * Deno 2.9 cannot load (it is not Node-API), so on those runtimes say what works instead.
 * Empty on Node.
 */
export function runtimeHint(): string {
  const runtime = 'Bun' in globalThis ? 'Bun' : 'Deno' in globalThis ? 'Deno' : undefined;
  if (!runtime) return '';
  return `The SQLite store needs better-sqlite3, which ${runtime} cannot load: run facekit on Node for persistent storage, or use the memory store (@facekit/storage-memory, \`facekit serve --store memory\`).`;
}
