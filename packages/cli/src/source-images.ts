import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createMemorySourceImageStore,
  imageFileExtension,
  type SourceImageStore,
} from '@facekit/core';
import type { ServeConfig } from './serve-config.js';
import { accountDataDir } from './stores.js';

const EXTENSIONS = ['jpg', 'png', 'bin'] as const;

/**
 * Kept source images as files: `<dir>/<ImageId>.jpg|png`, written once (to a temporary name,
 * then renamed, so a crash never leaves half an image under the real name).
 */
export function createFileSourceImageStore(dir: string): SourceImageStore {
  const pathOf = (imageId: string, extension: string) => {
    // ImageIds are content-derived UUIDs; anything else must not become a path.
    if (!/^[a-zA-Z0-9-]{1,64}$/.test(imageId)) throw new Error(`invalid ImageId ${imageId}`);
    return join(dir, `${imageId}.${extension}`);
  };
  const find = async (imageId: string) => {
    for (const extension of EXTENSIONS) {
      const path = pathOf(imageId, extension);
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      )
        return path;
    }
    return undefined;
  };
  return {
    specificationVersion: 'v1',
    name: `files:${dir}`,
    async put(imageId, bytes) {
      if (await find(imageId)) return;
      await mkdir(dir, { recursive: true });
      const path = pathOf(imageId, imageFileExtension(bytes));
      const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, bytes, { mode: 0o600 });
      await rename(temporary, path);
    },
    async get(imageId) {
      const path = await find(imageId);
      return path ? new Uint8Array(await readFile(path)) : undefined;
    },
    async delete(imageId) {
      await Promise.all(EXTENSIONS.map((e) => rm(pathOf(imageId, e), { force: true })));
    },
  };
}

/**
 * The source image store of each account when `--keep-source-images` is on, else none:
 * `<account data dir>/images/` beside the account's database, or memory with `--store memory`.
 */
export function sourceImageOpener(
  config: Pick<ServeConfig, 'store' | 'dataDir' | 'accountId' | 'keepSourceImages'>,
): (accountId: string) => SourceImageStore | undefined {
  const memory = new Map<string, SourceImageStore>();
  return (accountId) => {
    if (!config.keepSourceImages) return undefined;
    if (config.store === 'memory') {
      let store = memory.get(accountId);
      if (!store) {
        store = createMemorySourceImageStore();
        memory.set(accountId, store);
      }
      return store;
    }
    return createFileSourceImageStore(sourceImagesDir(config, accountId));
  };
}

/** Where an account's kept images are, whether or not retention is on now. */
export function sourceImagesDir(
  config: Pick<ServeConfig, 'dataDir' | 'accountId'>,
  accountId: string,
) {
  return join(accountDataDir(config.dataDir, accountId, config.accountId), 'images');
}
