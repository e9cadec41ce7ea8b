import type { FaceMetadata } from '../../storage/face-store.js';
import type { ServiceContext } from '../service-context.js';

/** Kept IndexFaces source images: kept with their first face, removed with their last. */

/** Keeps an image that a face was indexed from, when retention is on. */
export async function keepImage(
  context: ServiceContext,
  imageId: string,
  bytes: Uint8Array,
): Promise<void> {
  const images = context.sourceImages;
  if (!images || !context.keepSourceImages) return;
  await context.imageLocks.run(imageId, () => images.put(imageId, bytes));
}

/** Every `ImageId` with a face in the collection. */
export async function imageIdsOf(context: ServiceContext, collectionId: string): Promise<string[]> {
  const ids = new Set<string>();
  let after: string | undefined;
  do {
    const page = await context.store.listFaces(collectionId, { limit: 1000, after });
    for (const face of page.items) ids.add(face.imageId);
    after = page.next;
  } while (after !== undefined);
  return [...ids];
}

/**
 * Removes kept source images of which no face remains in any collection (biometric data is
 * kept no longer than a face needs it). Under the image's lock, so an IndexFaces keeping the
 * same image either comes after (and stores it again) or its face is seen here.
 */
export async function releaseImages(
  context: ServiceContext,
  imageIds: readonly string[],
): Promise<void> {
  const { store, sourceImages: images } = context;
  if (!images || imageIds.length === 0) return;
  for (const imageId of imageIds) {
    await context.imageLocks.run(imageId, async () => {
      if (!(await images.has(imageId))) return;
      // Collections listed under the lock: one created meanwhile is seen too.
      let after: string | undefined;
      do {
        const page = await store.listCollections({ limit: 1000, after });
        for (const { collectionId } of page.items) {
          const faces = await store
            .findFacesByImage(collectionId, imageId)
            .catch(() => [] as FaceMetadata[]); // deleted meanwhile: holds no face
          if (faces.length > 0) return;
        }
        after = page.next;
      } while (after !== undefined);
      await images.delete(imageId);
    });
  }
}
