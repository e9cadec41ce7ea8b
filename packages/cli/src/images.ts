import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import type { CliIo } from './cli-io.js';

/** A file that cannot be sent as it is; `index` and batch `search` report it and go on. */
export class ImageFileError extends Error {}

/** Reads an image file; a missing or unreadable file is a one-line error naming it. */
export async function readImage(path: string, io: Pick<CliIo, 'cwd'>): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(io.cwd, path)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ImageFileError(`cannot read ${path}: ${code}`, { cause: error });
  }
}

/** File names `index` picks up in folders (by extension; the service judges the content). */
export const imageExtensions: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png']);

/** One image `index` will send. */
export interface ImageFile {
  /** As given or found, relative to the working directory when it was given relative. */
  path: string;
  /** Derived from the path below the folder argument (or the file name), API-valid. */
  externalImageId: string;
}

/**
 * Expands files and folders (recursively, sorted, JPEG/PNG by extension) into images with their
 * ExternalImageId. Files named explicitly are taken whatever their extension.
 * @throws {Error} when an argument does not exist.
 */
export async function collectImages(args: readonly string[], cwd: string): Promise<ImageFile[]> {
  const found: ImageFile[] = [];
  for (const arg of args) {
    const absolute = resolve(cwd, arg);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(absolute);
    } catch (error) {
      throw new Error(`cannot read ${arg}: ${(error as NodeJS.ErrnoException).code}`, {
        cause: error,
      });
    }
    if (!info.isDirectory()) {
      found.push({ path: arg, externalImageId: toExternalImageId(basename(arg)) });
      continue;
    }
    for (const file of await walk(absolute)) {
      found.push({
        path: join(arg, relative(absolute, file)),
        externalImageId: toExternalImageId(relative(absolute, file)),
      });
    }
  }
  return found;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && imageExtensions.has(extname(entry.name).toLowerCase()))
      files.push(path);
  }
  return files;
}

/**
 * A path made valid for ExternalImageId (pattern `[a-zA-Z0-9_.\-:]+`, 1–255 characters, from the
 * API model): folder separators become `:`, every other character outside the pattern `_`, and
 * long ids keep their end (the file name), which tells images apart.
 */
export function toExternalImageId(path: string): string {
  const id = path
    .split(sep)
    .join(':')
    .split('/')
    .join(':')
    .replace(/[^a-zA-Z0-9_.\-:]/g, '_');
  if (id.length === 0) return 'image';
  return id.length > 255 ? id.slice(id.length - 255) : id;
}
