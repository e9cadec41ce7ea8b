import { InvalidParameterException, InvalidS3ObjectException } from '../errors/exceptions.js';
import type { Image } from '../model/wire-types.generated.js';
import { sha256Hex } from '../onnx-models/model-manifest.js';

/**
 * The bytes of a request's `Image`. `Bytes` arrives as base64 (already validated against the
 * model, including the 5 MiB limit). `S3Object` would need an S3 endpoint, which this server
 * does not have: that is `InvalidS3ObjectException`, the error the SDKs expect for an S3 image
 * that cannot be read.
 */
export function imageBytes(image: Image, member = 'Image'): Uint8Array {
  if (image.Bytes !== undefined) {
    const binary = atob(image.Bytes);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  if (image.S3Object !== undefined) {
    throw new InvalidS3ObjectException(
      `${member}.S3Object is not supported: this server has no S3 endpoint configured. Send the image as ${member}.Bytes.`,
    );
  }
  throw new InvalidParameterException(`${member} must have Bytes (or S3Object).`);
}

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
