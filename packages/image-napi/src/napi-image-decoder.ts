import {
  type DecodedImage,
  type DecodeLimits,
  type ImageDecoder,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
} from '@facekit/core';
import { type Orientation, Transformer } from '@napi-rs/image';
import { ImageHeaderError, readImageHeader } from './image-header.js';
import { toRgb } from './to-rgb.js';

export interface NapiImageDecoderOptions {
  /** Default limits of every `decode()`; a call's own `limits` override them field by field. */
  limits?: DecodeLimits;
  /**
   * Largest accepted input, in bytes. Default 5 MiB (5,242,880), Rekognition's limit for
   * `Image.Bytes`. Callers usually check earlier; the decoder checks again so it is safe alone.
   */
  maxBytes?: number;
}

/**
 * Defaults: 36 megapixels (a little above the 20.7 MP of a 5568×3712 camera photo; an RGB buffer
 * of 108 MB) and 80 px, Rekognition's minimum side.
 */
export const defaultDecodeLimits: Readonly<Required<DecodeLimits>> = Object.freeze({
  maxPixels: 36_000_000,
  minSide: 80,
});

/** 5 MiB, Rekognition's limit for image bytes sent in the request. */
export const defaultMaxImageBytes = 5 * 1024 * 1024;

const INVALID_FORMAT = 'Request has invalid image format.';

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
  const defaults = { ...defaultDecodeLimits, ...options.limits };
  const maxBytes = options.maxBytes ?? defaultMaxImageBytes;
  checkPositive('limits.maxPixels', defaults.maxPixels);
  checkPositive('limits.minSide', defaults.minSide);
  checkPositive('maxBytes', maxBytes);

  return {
    specificationVersion: 'v1',
    name: 'napi-rs-image',
    async decode(bytes, limits = {}) {
      const maxPixels = limits.maxPixels ?? defaults.maxPixels;
      const minSide = limits.minSide ?? defaults.minSide;
      if (bytes.byteLength > maxBytes) throw new ImageTooLargeException('Image size is too large.');

      let header: ReturnType<typeof readImageHeader>;
      try {
        header = readImageHeader(bytes);
      } catch (error) {
        throw new InvalidImageFormatException(INVALID_FORMAT, { cause: error });
      }
      const swap = header.orientation >= 5;
      const width = swap ? header.height : header.width;
      const height = swap ? header.width : header.height;
      // Checked before any pixel buffer exists: a 100-byte PNG may declare 50000×50000.
      if (width * height > maxPixels) {
        throw new ImageTooLargeException(
          `Image dimensions ${width}x${height} exceed the limit of ${maxPixels} pixels.`,
        );
      }
      if (width < minSide || height < minSide) {
        throw new InvalidParameterException(
          `Image must be at least ${minSide} pixels on each side; got ${width}x${height}`,
        );
      }

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
        throw new InvalidImageFormatException(INVALID_FORMAT, { cause: error });
      }

      const pixels = width * height;
      const bytesPerSample = header.bitDepth === 16 ? 2 : 1;
      const channels = raw.byteLength / (pixels * bytesPerSample);
      if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
        throw new InvalidImageFormatException(INVALID_FORMAT, {
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

function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidParameterException(`${name} must be a positive number; got ${value}`);
  }
}
