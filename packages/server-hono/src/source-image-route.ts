import { imageFileExtension } from '@facekit/core';
import type { Hono } from 'hono';
import type { AdmissionQueue } from './admission-queue.js';
import { type AppEnv, awsJsonError } from './aws-json.js';
import type { SigV4Verifier } from './sigv4-verifier.js';

/** Where the console fetches the photos of faces that the server kept (`--keep-source-images`). */
export const SOURCE_IMAGE_PATH = '/facekit/source-images';

/**
 * Answers `x-facekit-source-images: none` when this account keeps no images at all, so a
 * client stops asking for every face.
 */
export const SOURCE_IMAGES_HEADER = 'x-facekit-source-images';

/** The kept images of one account's service (`FaceService.sourceImages`), when it keeps any. */
export interface SourceImageReader {
  readonly sourceImages?: {
    get(imageId: string): Promise<Uint8Array | undefined>;
  };
}

/** Rekognition's `ImageId` pattern; anything else never reaches a store (it names files there). */
const IMAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const MEDIA_TYPES = { jpg: 'image/jpeg', png: 'image/png', bin: 'application/octet-stream' };

/**
 * `GET /facekit/source-images/<ImageId>`: the bytes IndexFaces kept of that image, for the
 * console's pictures of faces after a reload. Signed like every API call (the caller's account
 * selects the images it may see); 404 `ResourceNotFoundException` when the image is not kept.
 * Kept images are biometric data: never cached.
 */
export function mountSourceImages(
  app: Hono<AppEnv>,
  options: {
    verifier: SigV4Verifier | undefined;
    anonymousAccount: string;
    resolveService: (accountId: string) => Promise<SourceImageReader> | SourceImageReader;
    /** The API's request slots: a page of thumbnails counts against the same limit. */
    requestSlots: AdmissionQueue;
  },
): void {
  const { verifier, anonymousAccount, resolveService, requestSlots } = options;
  app.get(`${SOURCE_IMAGE_PATH}/:imageId`, (c) =>
    requestSlots.run(async () => {
      let accountId = anonymousAccount;
      if (verifier) {
        const url = new URL(c.req.url);
        const claim = verifier.checkHeaders(c.req.raw.headers, url);
        c.set('accessKeyId', claim.key.accessKeyId);
        const key = await verifier.verify(claim, 'GET', url, c.req.raw.headers, new Uint8Array());
        accountId = key.accountId;
      }
      c.set('accountId', accountId);
      const imageId = c.req.param('imageId');
      const notFound = (message: string, headers?: Record<string, string>) =>
        awsJsonError(c, 404, 'ResourceNotFoundException', message, headers);
      if (!IMAGE_ID.test(imageId)) return notFound('Not an ImageId.');
      const store = (await resolveService(accountId)).sourceImages;
      if (!store) {
        return notFound(
          'This server keeps no source images (facekit serve --keep-source-images turns it on).',
          { [SOURCE_IMAGES_HEADER]: 'none' },
        );
      }
      const bytes = await store.get(imageId);
      if (!bytes) return notFound(`The image ${imageId} was not kept.`);
      const extension = imageFileExtension(bytes);
      return c.body(new Uint8Array(bytes), 200, {
        'Content-Type': MEDIA_TYPES[extension],
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      });
    }),
  );
}
