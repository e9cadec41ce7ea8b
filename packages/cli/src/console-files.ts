import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { StaticFile } from '@facekit/server-hono';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The web console's files (the build output of `@facekit/console`), read once at start-up into
 * memory (about 180 kB), keyed by their path below `dist/` with `/` separators. Works on Node, Bun
 * and Deno, which all provide `node:fs`.
 * @throws {Error} saying how to build or install the console when its files are missing.
 */
export async function loadConsoleFiles(): Promise<Map<string, StaticFile>> {
  let root: string;
  try {
    root = join(
      dirname(createRequire(import.meta.url).resolve('@facekit/console/package.json')),
      'dist',
    );
  } catch (error) {
    throw new Error('--console needs the @facekit/console package next to @facekit/cli', {
      cause: error,
    });
  }
  const files = new Map<string, StaticFile>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${path}/`);
      else if (entry.isFile()) {
        files.set(path, {
          body: new Uint8Array(await readFile(join(dir, entry.name))),
          contentType:
            CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
        });
      }
    }
  };
  await walk(root, '').catch((error: unknown) => {
    throw new Error(`--console: cannot read the console's files in ${root} (run pnpm build)`, {
      cause: error,
    });
  });
  if (!files.has('index.html')) {
    throw new Error(`--console: ${root} has no index.html (run pnpm build)`);
  }
  return files;
}
