/**
 * Where IndexFaces source images are kept when the operator opted in (Rekognition keeps none):
 * what lets a collection be re-indexed with a newer face model later. Images are keyed by their
 * content-derived `ImageId`, so each is stored once however often it is indexed, and removed when
 * no face of it remains in any collection of the account. A seam of its own, beside the
 * `FaceStore` (whose interface it leaves alone): memory here, files in `@facekit/cli`.
 */
export interface SourceImageStore {
  readonly specificationVersion: 'v1';
  /** e.g. `memory`, `files:<dir>`, for messages. */
  readonly name: string;
  /** Stores the image's bytes (JPEG or PNG as sent) unless an image with this id is there. */
  put(imageId: string, bytes: Uint8Array): Promise<void>;
  /** Whether the image is kept (cheaper than `get`). */
  has(imageId: string): Promise<boolean>;
  /** The stored bytes, or undefined when the image was not kept. */
  get(imageId: string): Promise<Uint8Array | undefined>;
  /** Removes the image; nothing happens when it is not there. */
  delete(imageId: string): Promise<void>;
}

/** Source images in process memory (tests, `--store memory`). */
export function createMemorySourceImageStore(): SourceImageStore & { readonly size: number } {
  const images = new Map<string, Uint8Array>();
  return {
    specificationVersion: 'v1',
    name: 'memory',
    get size() {
      return images.size;
    },
    async put(imageId, bytes) {
      if (!images.has(imageId)) images.set(imageId, bytes.slice());
    },
    async has(imageId) {
      return images.has(imageId);
    },
    async get(imageId) {
      return images.get(imageId)?.slice();
    },
    async delete(imageId) {
      images.delete(imageId);
    },
  };
}

/** `jpg` or `png` judged by the first bytes (what IndexFaces accepted), else `bin`. */
export function imageFileExtension(bytes: Uint8Array): 'jpg' | 'png' | 'bin' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  return 'bin';
}
