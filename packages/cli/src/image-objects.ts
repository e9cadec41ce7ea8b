import { resolve } from 'node:path';
import type { ImageObjectSource } from '@facekit/core';
import { UsageError } from './usage-error.js';

/** Where `Image.S3Object` is read from, resolved from the `--s3-*` flags and variables. */
export interface ImageObjectsConfig {
  /** S3-compatible endpoint URL (`--s3-endpoint`); absent: no S3 client. */
  endpoint?: string;
  /** Region of the S3 client; default: the server's `--region`. */
  region?: string;
  forcePathStyle: boolean;
  /** Static keys; absent: the standard AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Buckets served from local folders (absolute paths), before the endpoint. */
  bucketDirs: Record<string, string>;
}

/** Raw `--s3-*` flag values, as parsed. */
export interface ImageObjectsFlags {
  's3-endpoint'?: string;
  's3-region'?: string;
  's3-force-path-style'?: string | boolean;
  's3-access-key-id'?: string;
  's3-secret-access-key'?: string;
  /** Repeatable `BUCKET=DIR`. */
  's3-bucket-dir'?: string | string[];
}

/** Each flag's variable; `FACEKIT_S3_BUCKET_DIRS` holds `BUCKET=DIR` pairs separated by commas. */
export const imageObjectsEnvVars = {
  's3-endpoint': 'FACEKIT_S3_ENDPOINT',
  's3-region': 'FACEKIT_S3_REGION',
  's3-force-path-style': 'FACEKIT_S3_FORCE_PATH_STYLE',
  's3-access-key-id': 'FACEKIT_S3_ACCESS_KEY_ID',
  's3-secret-access-key': 'FACEKIT_S3_SECRET_ACCESS_KEY',
  's3-bucket-dir': 'FACEKIT_S3_BUCKET_DIRS',
} as const satisfies Record<keyof ImageObjectsFlags, string>;

/** The `parseArgs` options of the `--s3-*` flags. */
export const imageObjectsParseOptions = {
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-force-path-style': { type: 'boolean' },
  's3-access-key-id': { type: 'string' },
  's3-secret-access-key': { type: 'string' },
  's3-bucket-dir': { type: 'string', multiple: true },
} as const;

/**
 * Flags win over variables. `--s3-bucket-dir` (repeatable) maps a bucket to a folder; other
 * buckets go to `--s3-endpoint` when set.
 * @throws {UsageError} naming the flag or variable that holds a bad value.
 */
export function resolveImageObjectsConfig(
  flags: ImageObjectsFlags,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ImageObjectsConfig {
  const pick = (key: keyof ImageObjectsFlags) => {
    const flag = flags[key];
    if (flag !== undefined) return { value: flag, source: `--${key}` };
    const fromEnv = env[imageObjectsEnvVars[key]];
    return fromEnv ? { value: fromEnv, source: imageObjectsEnvVars[key] } : undefined;
  };
  const endpoint = pick('s3-endpoint');
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(String(endpoint.value)))
    throw new UsageError(`invalid ${endpoint.source} '${endpoint.value}': expected an http(s) URL`);
  const region = pick('s3-region');
  if (region && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(String(region.value)))
    throw new UsageError(`invalid ${region.source} '${region.value}': expected a region name`);
  const pathStyle = pick('s3-force-path-style');
  const pathStyleText = String(pathStyle?.value ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(pathStyleText))
    throw new UsageError(
      `invalid ${pathStyle?.source} '${pathStyle?.value}': expected true or false`,
    );
  const keyId = pick('s3-access-key-id')?.value;
  const secret = pick('s3-secret-access-key')?.value;
  if ((keyId === undefined) !== (secret === undefined))
    throw new UsageError('--s3-access-key-id and --s3-secret-access-key go together');

  const dirs = pick('s3-bucket-dir');
  const pairs =
    dirs === undefined
      ? []
      : Array.isArray(dirs.value)
        ? dirs.value
        : String(dirs.value).split(',');
  const bucketDirs: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([^=]+)=(.+)$/.exec(pair.trim());
    if (!match) throw new UsageError(`invalid ${dirs?.source} '${pair}': expected BUCKET=DIR`);
    if (match[1] in bucketDirs)
      throw new UsageError(`invalid ${dirs?.source}: bucket ${match[1]} mapped twice`);
    bucketDirs[match[1]] = resolve(cwd, match[2]);
  }
  return {
    ...(endpoint ? { endpoint: String(endpoint.value) } : {}),
    ...(region ? { region: String(region.value) } : {}),
    forcePathStyle: pathStyleText === 'true' || pathStyleText === '1',
    ...(keyId !== undefined && secret !== undefined
      ? { credentials: { accessKeyId: String(keyId), secretAccessKey: String(secret) } }
      : {}),
    bucketDirs,
  };
}

/** Whether any S3 source is configured. */
export const hasImageObjects = (config: ImageObjectsConfig | undefined) =>
  config !== undefined &&
  (config.endpoint !== undefined || Object.keys(config.bucketDirs).length > 0);

/** A one-line description for the banner, e.g. `S3 http://127.0.0.1:9000, folders photos`. */
export function describeImageObjects(config: ImageObjectsConfig): string {
  const parts = [
    ...(config.endpoint ? [`S3 ${config.endpoint}`] : []),
    ...Object.entries(config.bucketDirs).map(([b, d]) => `${b}=${d}`),
  ];
  return parts.join(', ');
}

/**
 * The source of a configuration (folders first, then the endpoint), or none. Lazily imported,
 * so a server without S3 never loads the AWS S3 client.
 * @throws {UsageError} for a bucket name S3 could not have.
 */
export async function openImageObjects(
  config: ImageObjectsConfig | undefined,
  serverRegion: string,
): Promise<(ImageObjectSource & { close(): void }) | undefined> {
  if (!config || !hasImageObjects(config)) return undefined;
  const { createFolderImageSource, createS3ImageSource } = await import('@facekit/image-source-s3');
  const s3 =
    config.endpoint === undefined
      ? undefined
      : createS3ImageSource({
          endpoint: config.endpoint,
          region: config.region ?? serverRegion,
          forcePathStyle: config.forcePathStyle,
          ...(config.credentials ? { credentials: config.credentials } : {}),
        });
  if (Object.keys(config.bucketDirs).length === 0 && s3) return s3;
  let folders: ImageObjectSource;
  try {
    folders = createFolderImageSource(config.bucketDirs, { otherBuckets: s3 });
  } catch (error) {
    s3?.close();
    throw new UsageError(`--s3-bucket-dir: ${(error as Error).message}`);
  }
  return { ...folders, close: () => s3?.close() };
}
