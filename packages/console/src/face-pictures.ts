import type { KnownImage } from './image-view.js';
import { knownImage } from './photos.js';
import { signedFetch } from './signed-fetch.js';

/** The server's route for the images it kept (`@facekit/server-hono`'s `SOURCE_IMAGE_PATH`). */
const SOURCE_IMAGE_PATH = '/facekit/source-images';

/**
 * The photos faces were indexed from, by `ImageId`: the ones indexed from this tab, and, when
 * the server keeps source images (`--keep-source-images`), the ones it kept, so thumbnails
 * survive a reload. Rekognition itself keeps no images: there, only this tab's photos show.
 */
const pictures = new Map<string, Promise<KnownImage | undefined>>();
/** Set once the server said it keeps no images, so no face asks again. */
let serverKeepsNone = false;

export function rememberPicture(imageId: string | undefined, image: KnownImage) {
  if (imageId) pictures.set(imageId, Promise.resolve(image));
}

/** The photo of an indexed image, or undefined when neither this tab nor the server has it. */
export function pictureOf(imageId: string | undefined): Promise<KnownImage | undefined> {
  if (!imageId) return Promise.resolve(undefined);
  let picture = pictures.get(imageId);
  if (!picture) {
    picture = keptImage(imageId).catch(() => undefined);
    pictures.set(imageId, picture);
  }
  return picture;
}

/** Drops every picture (after "Forget keys"): none may outlive the keys that fetched it. */
export async function forgetPictures() {
  const known = [...pictures.values()];
  pictures.clear();
  serverKeepsNone = false;
  for (const image of await Promise.all(known)) if (image) URL.revokeObjectURL(image.url);
}

/** `GET /facekit/source-images/<ImageId>`, signed with SigV4 like the SDK's own calls. */
async function keptImage(imageId: string): Promise<KnownImage | undefined> {
  if (serverKeepsNone) return undefined;
  const response = await signedFetch(`${SOURCE_IMAGE_PATH}/${imageId}`, {
    method: 'GET',
    cache: 'no-store',
  });
  if (!response.ok) {
    // Refused keys (400): ask again once signed in.
    if (response.status === 400) pictures.delete(imageId);
    // 405: a server without the route; `none`: one that keeps no images.
    if (response.status === 405 || response.headers.get('x-facekit-source-images') === 'none') {
      serverKeepsNone = true;
    }
    return undefined;
  }
  return knownImage(await response.blob());
}
