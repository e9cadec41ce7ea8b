import {
  ImageTooLargeException,
  InvalidParameterException,
  InvalidS3ObjectException,
} from '../errors/exceptions.js';
import type { Image, S3Object } from '../model/wire-types.generated.js';
import { sha256Hex } from '../onnx-models/model-manifest.js';
import {
  type ImageObjectFailure,
  ImageObjectReadError,
  type ImageObjectSource,
  maxS3ImageBytes,
} from './image-object-source.js';

/**
 * The bytes of a request's `Image`. `Bytes` arrives as base64 (already validated against the
 * model, including the 5 MiB limit). `S3Object` is read through the service's
 * {@link ImageObjectSource}, up to 15 MiB as in Rekognition; the image checks that follow
 * (format, size in pixels) are the same for both.
 * @throws {InvalidS3ObjectException} when the object cannot be read (the message says why) or
 *   the service has no object source.
 * @throws {ImageTooLargeException} for an object over 15 MiB.
 */
export async function imageBytes(
  objects: ImageObjectSource | undefined,
  image: Image,
  member = 'Image',
): Promise<Uint8Array> {
  if (image.Bytes !== undefined) {
    const binary = atob(image.Bytes);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  if (image.S3Object !== undefined) return readImageObject(objects, image.S3Object, member);
  throw new InvalidParameterException(`${member} must have Bytes (or S3Object).`);
}

async function readImageObject(
  objects: ImageObjectSource | undefined,
  { Bucket, Name, Version }: S3Object,
  member: string,
): Promise<Uint8Array> {
  if (Bucket === undefined || Name === undefined) {
    throw new InvalidS3ObjectException(
      `Request has invalid S3 object: ${member}.S3Object needs both Bucket and Name.`,
    );
  }
  if (!objects) {
    throw new InvalidS3ObjectException(
      `${member}.S3Object cannot be read: this server has no S3 source configured. Start it with an S3-compatible endpoint (facekit serve --s3-endpoint URL) or buckets mapped to folders (--s3-bucket-dir BUCKET=DIR), or send the image as ${member}.Bytes.`,
    );
  }
  const where = `s3://${Bucket}/${Name}${Version === undefined ? '' : ` version ${Version}`}`;
  let bytes: Uint8Array;
  try {
    bytes = await objects.read(
      { bucket: Bucket, name: Name, ...(Version === undefined ? {} : { version: Version }) },
      { maxBytes: maxS3ImageBytes },
    );
  } catch (error) {
    if (!ImageObjectReadError.isInstance(error)) throw error;
    if (error.reason === 'too-large') tooLarge(where);
    throw new InvalidS3ObjectException(
      `Unable to get object from S3: ${FAILURES[error.reason]} (${member}.S3Object ${where}). ${error.message}`,
      { cause: error },
    );
  }
  if (bytes.byteLength > maxS3ImageBytes) tooLarge(where);
  return bytes;
}

function tooLarge(where: string): never {
  throw new ImageTooLargeException(
    `Image size is too large: ${where} is over ${maxS3ImageBytes} bytes (15 MiB), the limit for images in S3.`,
  );
}

/** Why an object could not be read, in words (`the object does not exist`). */
export function describeObjectFailure(reason: Exclude<ImageObjectFailure, 'too-large'>): string {
  return FAILURES[reason];
}

const FAILURES: Record<Exclude<ImageObjectFailure, 'too-large'>, string> = {
  'no-such-bucket': 'the bucket does not exist',
  'no-such-key': 'the object does not exist',
  'no-such-version': 'the object has no such version',
  'access-denied': 'access to the object is denied',
  unreachable: 'the S3 source could not be reached',
};

/**
 * `ImageId` derived from the image's content, as Rekognition's name-based example ids suggest:
 * the first 16 bytes of SHA-256, formatted as an RFC 9562 version-8 (custom) UUID. The same
 * image always gets the same id, which is what the duplicate rule of IndexFaces relies on.
 */
export async function contentImageId(bytes: Uint8Array): Promise<string> {
  const hex = (await sha256Hex(bytes)).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
