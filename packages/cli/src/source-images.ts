import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createMemorySourceImageStore,
  type FaceStore,
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
    async has(imageId) {
      return (await find(imageId)) !== undefined;
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
 * The source image store of each account: `<account data dir>/images/` beside the account's
 * database (memory with `--store memory`). With `--keep-source-images` off it is still opened
 * when the directory exists, so images kept earlier go with their last face; when it does not,
 * none (nothing to keep, nothing to remove).
 */
export function sourceImageOpener(
  config: Pick<ServeConfig, 'store' | 'dataDir' | 'accountId' | 'keepSourceImages'>,
): (accountId: string) => SourceImageStore | undefined {
  const memory = new Map<string, SourceImageStore>();
  return (accountId) => {
    if (config.store === 'memory') {
      if (!config.keepSourceImages) return undefined;
      let store = memory.get(accountId);
      if (!store) {
        store = createMemorySourceImageStore();
        memory.set(accountId, store);
      }
      return store;
    }
    const dir = sourceImagesDir(config, accountId);
    if (!config.keepSourceImages && !existsSync(dir)) return undefined;
    return createFileSourceImageStore(dir);
  };
}

/** Where an account's kept images are, whether or not retention is on now. */
export function sourceImagesDir(
  config: Pick<ServeConfig, 'dataDir' | 'accountId'>,
  accountId: string,
) {
  return join(accountDataDir(config.dataDir, accountId, config.accountId), 'images');
}

/** How many of the collection's source images (and faces) are kept, looked up per image. */
export async function countKeptImages(
  store: FaceStore,
  sourceImages: SourceImageStore | undefined,
  collectionId: string,
): Promise<{ faces: number; total: number; images: number }> {
  const imageIds = new Set<string>();
  let faces = 0;
  let after: string | undefined;
  do {
    const page = await store.listFaces(collectionId, { limit: 1000, after });
    for (const face of page.items) imageIds.add(face.imageId);
    faces += page.items.length;
    after = page.next;
  } while (after);
  let images = 0;
  for (const imageId of imageIds) if (await sourceImages?.has(imageId)) images++;
  return { faces, total: imageIds.size, images };
}
