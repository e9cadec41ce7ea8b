import {
  type DecodedImage,
  type ImageDecoder,
  ImageTooLargeException,
  InvalidImageFormatException,
} from '@facekit/core';
import {
  defaultDecodeLimits,
  defaultMaxImageBytes,
  type ImageHeaderCheckerOptions,
  ImageHeaderError,
  INVALID_IMAGE_FORMAT,
  imageHeaderChecker,
} from '@facekit/core/image';
import { type Orientation, Transformer } from '@napi-rs/image';
import { toRgb } from './to-rgb.js';

// Defined in core, where every ImageDecoder finds them; kept here for existing imports.
export { defaultDecodeLimits, defaultMaxImageBytes };

/** Limits and maximum size, as every decoder built on core's `imageHeaderChecker` takes them. */
export type NapiImageDecoderOptions = ImageHeaderCheckerOptions;

/**
 * An {@link ImageDecoder} for servers on `@napi-rs/image` (Rust `image`, prebuilt for Node):
 * JPEG and PNG only, judged by magic bytes; size limits checked from the header before decoding;
 * EXIF orientation applied; 8-bit RGB out. Decoding runs on the libuv thread pool, so it neither
 * blocks the event loop nor shares state between concurrent calls.
 *
 * @throws {InvalidParameterException} at creation, for non-positive limits.
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
 */
export function createNapiImageDecoder(options: NapiImageDecoderOptions = {}): ImageDecoder {
  const checkHeader = imageHeaderChecker(options);

  return {
    specificationVersion: 'v1',
    name: 'napi-rs-image',
    async decode(bytes, limits) {
      const { header, width, height } = checkHeader(bytes, limits);

      let raw: Uint8Array;
      try {
        const transformer = new Transformer(bytes);
        // The orientation comes from our own parse, so the library's EXIF reading never decides.
        if (header.orientation !== 1) transformer.rotate(header.orientation as Orientation);
        raw = await transformer.rawPixels();
      } catch (error) {
        if (/memory limit/i.test(String((error as Error)?.message))) {
          throw new ImageTooLargeException('Image too large to decode.', { cause: error });
        }
        throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, { cause: error });
      }

      const pixels = width * height;
      const bytesPerSample = header.bitDepth === 16 ? 2 : 1;
      const channels = raw.byteLength / (pixels * bytesPerSample);
      if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
        throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, {
          cause: new ImageHeaderError(
            `decoded ${raw.byteLength} bytes for ${width}x${height} at ${header.bitDepth} bits`,
          ),
        });
      }
      const image: DecodedImage = {
        width,
        height,
        data: toRgb(raw, pixels, channels, bytesPerSample),
        format: header.format,
        orientation: header.orientation,
      };
      return image;
    },
  };
}
