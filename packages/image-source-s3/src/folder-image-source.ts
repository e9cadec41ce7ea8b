import { constants } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  type ImageObjectLocation,
  ImageObjectReadError,
  type ImageObjectSource,
  shapes,
} from '@facekit/core';

export interface FolderImageSourceOptions {
  /** Where buckets without a folder are read from (an S3 endpoint); absent: `no-such-bucket`. */
  otherBuckets?: ImageObjectSource | undefined;
}

/**
 * Buckets standing in for local folders, for self-hosters without S3: `S3Object` `photos` /
 * `2024/a.jpg` is the file `2024/a.jpg` under the folder mapped to `photos`. Nothing outside a
 * mapped folder is ever read: keys that are absolute or contain a `..` segment are refused, and
 * so is a file whose real path (symlinks resolved) leaves the folder. A folder holds one version
 * of each file, so an `S3Object.Version` is refused (`no-such-version`) rather than ignored: a
 * caller asking for a version must not silently get another one.
 */
export function createFolderImageSource(
  buckets: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  options: FolderImageSourceOptions = {},
): ImageObjectSource {
  const entries = buckets instanceof Map ? [...buckets] : Object.entries(buckets);
  const roots = new Map<string, Promise<string>>();
  for (const [bucket, dir] of entries) {
    checkBucketName(bucket);
    // Resolved once (the folder itself may be a symlink); a missing folder fails at first read.
    roots.set(bucket, realpath(resolve(dir)));
    roots.get(bucket)?.catch(() => undefined);
  }
  const others = options.otherBuckets;
  /** The real path of an object's file, checked to lie inside its bucket's folder. */
  async function checkedPath(location: ImageObjectLocation): Promise<string> {
    const { bucket, name, version } = location;
    const rootPromise = roots.get(bucket);
    if (!rootPromise) {
      throw new ImageObjectReadError(
        'no-such-bucket',
        `No folder is mapped to bucket ${bucket} (mapped: ${[...roots.keys()].join(', ') || 'none'}).`,
      );
    }
    if (version !== undefined) {
      throw new ImageObjectReadError(
        'no-such-version',
        'Buckets mapped to folders have no versions; leave S3Object.Version out.',
      );
    }
    const root = await rootPromise.catch((error: unknown) => {
      throw new ImageObjectReadError(
        'no-such-bucket',
        `The folder of bucket ${bucket} cannot be opened.`,
        { cause: error },
      );
    });
    if (isAbsolute(name) || name.includes('\0') || name.split(/[/\\]/).includes('..')) {
      throw new ImageObjectReadError(
        'access-denied',
        'Keys of a bucket mapped to a folder must stay inside it (no absolute names, no "..").',
      );
    }
    const path = resolve(root, name);
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      throw failure(error);
    }
    if (!inside(root, real)) {
      throw new ImageObjectReadError(
        'access-denied',
        'The key is a link to a file outside the bucket folder.',
      );
    }
    return real;
  }

  return {
    specificationVersion: 'v1',
    description: `folders ${entries.map(([b, d]) => `${b}=${resolve(d)}`).join(', ')}${others ? `, then ${others.description}` : ''}`,
    async read(location: ImageObjectLocation, { maxBytes }) {
      if (!roots.has(location.bucket) && others) return others.read(location, { maxBytes });
      const file = await openChecked(await checkedPath(location), maxBytes);
      try {
        return new Uint8Array(await file.readFile());
      } finally {
        await file.close();
      }
    },
    async stream(location: ImageObjectLocation, { maxBytes }) {
      if (!roots.has(location.bucket) && others) {
        if (others.stream) return others.stream(location, { maxBytes });
        const whole = await others.read(location, { maxBytes });
        return (async function* () {
          yield whole;
        })();
      }
      const file = await openChecked(await checkedPath(location), maxBytes);
      // The stream closes the file when it ends or is destroyed.
      return file.createReadStream();
    },
  };
}

/** Opens a checked path without following links, refusing folders and files over `maxBytes`. */
async function openChecked(real: string, maxBytes: number): Promise<FileHandle> {
  // O_NOFOLLOW: the checked real path is opened, not a link swapped in since.
  const file = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: unknown) => {
      throw failure(error);
    },
  );
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new ImageObjectReadError('no-such-key', 'The key is a folder.');
    if (stat.size > maxBytes) {
      throw new ImageObjectReadError('too-large', `The file has ${stat.size} bytes.`);
    }
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function failure(error: unknown): ImageObjectReadError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP')
    return new ImageObjectReadError('no-such-key', 'No such file in the bucket folder.');
  if (code === 'EACCES' || code === 'EPERM')
    return new ImageObjectReadError('access-denied', 'The file cannot be read (permissions).');
  if (code === 'EISDIR') return new ImageObjectReadError('no-such-key', 'The key is a folder.');
  return new ImageObjectReadError('unreachable', `The file cannot be read (${code ?? error}).`, {
    cause: error,
  });
}

/** @throws {Error} for a name that no `S3Object.Bucket` could have (the model's pattern). */
export function checkBucketName(bucket: string): void {
  const spec = shapes.S3Bucket as { min: number; max: number; pattern: string };
  if (
    bucket.length < spec.min ||
    bucket.length > spec.max ||
    !new RegExp(spec.pattern).test(bucket)
  )
    throw new Error(
      `invalid bucket name '${bucket}': ${spec.min}..${spec.max} characters of 0-9 A-Z a-z . - _`,
    );
}
