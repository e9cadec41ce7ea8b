/**
 * Where a request's `Image.S3Object` is read from: an S3-compatible endpoint, local folders
 * standing in for buckets (`@facekit/image-source-s3`), or anything else that maps a bucket, a
 * key and a version to bytes. A {@link FaceService} without one refuses every `S3Object`.
 */
export interface ImageObjectSource {
  readonly specificationVersion: 'v1';
  /** Where objects come from, for messages and logs (e.g. `S3 endpoint http://127.0.0.1:9000`). */
  readonly description: string;
  /**
   * The object's bytes. A source should refuse an object over `maxBytes` before reading it
   * whole (reason `too-large`); the service checks the length again either way.
   * @throws {ImageObjectReadError} when the object cannot be read, saying why.
   */
  read(object: ImageObjectLocation, options: { maxBytes: number }): Promise<Uint8Array>;
  /**
   * The object's bytes as they arrive, for videos too large to hold in memory. Optional: without
   * it, videos are read whole through {@link ImageObjectSource.read}.
   * @throws {ImageObjectReadError} when the object cannot be read (before the first chunk), or
   *   `too-large` when it is over `maxBytes`.
   */
  stream?(
    object: ImageObjectLocation,
    options: { maxBytes: number },
  ): Promise<AsyncIterable<Uint8Array>>;
}

/** An `S3Object` of a request, its `Bucket` and `Name` present. */
export interface ImageObjectLocation {
  readonly bucket: string;
  readonly name: string;
  /** `S3Object.Version`: the object's version id, when given. */
  readonly version?: string;
}

/** Why an object could not be read; each becomes its own message of the documented error. */
export type ImageObjectFailure =
  | 'no-such-bucket'
  | 'no-such-key'
  | 'no-such-version'
  | 'access-denied'
  | 'too-large'
  | 'unreachable';

/** What an {@link ImageObjectSource} throws for an object it cannot read. */
export class ImageObjectReadError extends Error {
  override readonly name = 'ImageObjectReadError';
  constructor(
    readonly reason: ImageObjectFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** By name, not `instanceof`: an adapter may bundle its own copy of the core. */
  static isInstance(error: unknown): error is ImageObjectReadError {
    return error instanceof Error && error.name === 'ImageObjectReadError' && 'reason' in error;
  }
}

/**
 * 15 MiB: Rekognition's limit for an image read from S3 (three times the 5 MiB of `Bytes`).
 * Decoders of a service with an {@link ImageObjectSource} must accept images this large.
 */
export const maxS3ImageBytes = 15 * 1024 * 1024;
