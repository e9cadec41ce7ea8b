import {
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
} from '../errors/exceptions.js';
import type { DecodeLimits } from './image-decoder.js';
import { type ImageHeader, readImageHeader } from './image-header.js';

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

/** The message Rekognition gives for anything that is not a decodable JPEG or PNG. */
export const INVALID_IMAGE_FORMAT = 'Request has invalid image format.';

/** What {@link checkImageHeader} found: the header and the upright (EXIF-applied) size. */
export interface CheckedImageHeader {
  readonly header: ImageHeader;
  /** Width and height after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
}

/**
 * The checks every {@link ImageDecoder} makes before decoding, from the header alone: byte size,
 * JPEG or PNG by content, pixel count (decompression bombs) and minimum side, on the upright size.
 *
 * @throws {ImageTooLargeException} over `maxBytes` or `limits.maxPixels`.
 * @throws {InvalidImageFormatException} for other formats and malformed headers (the
 *   {@link ImageHeaderError} as `cause`).
 * @throws {InvalidParameterException} under `limits.minSide` on a side.
 */
export function checkImageHeader(
  bytes: Uint8Array,
  limits: Required<DecodeLimits>,
  maxBytes: number,
): CheckedImageHeader {
  if (bytes.byteLength > maxBytes) throw new ImageTooLargeException('Image size is too large.');
  let header: ImageHeader;
  try {
    header = readImageHeader(bytes);
  } catch (error) {
    throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, { cause: error });
  }
  const swap = header.orientation >= 5;
  const width = swap ? header.height : header.width;
  const height = swap ? header.width : header.height;
  // Checked before any pixel buffer exists: a 100-byte PNG may declare 50000×50000.
  if (width * height > limits.maxPixels) {
    throw new ImageTooLargeException(
      `Image dimensions ${width}x${height} exceed the limit of ${limits.maxPixels} pixels.`,
    );
  }
  if (width < limits.minSide || height < limits.minSide) {
    throw new InvalidParameterException(
      `Image must be at least ${limits.minSide} pixels on each side; got ${width}x${height}`,
    );
  }
  return { header, width, height };
}

/**
 * Checks decoder limits given at creation.
 * @throws {InvalidParameterException} for non-positive or non-finite values.
 */
export function checkPositiveLimit(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidParameterException(`${name} must be a positive number; got ${value}`);
  }
}

/** Options every {@link ImageDecoder} built on {@link imageHeaderChecker} takes at creation. */
export interface ImageHeaderCheckerOptions {
  /** Default limits of every `decode()`; a call's own `limits` override them field by field. */
  limits?: DecodeLimits;
  /** Largest accepted input, in bytes. Default 5 MiB, Rekognition's limit for `Image.Bytes`. */
  maxBytes?: number;
}

/**
 * A decoder's pre-decode check, configured once: validates the creation options now, then checks
 * each input with {@link checkImageHeader} under the call's limits over the defaults.
 *
 * @throws {InvalidParameterException} at creation, for non-positive limits.
 */
export function imageHeaderChecker(
  options: ImageHeaderCheckerOptions = {},
): (bytes: Uint8Array, limits?: DecodeLimits) => CheckedImageHeader {
  const defaults = { ...defaultDecodeLimits, ...options.limits };
  const maxBytes = options.maxBytes ?? defaultMaxImageBytes;
  checkPositiveLimit('limits.maxPixels', defaults.maxPixels);
  checkPositiveLimit('limits.minSide', defaults.minSide);
  checkPositiveLimit('maxBytes', maxBytes);
  return (bytes, limits = {}) =>
    checkImageHeader(
      bytes,
      {
        maxPixels: limits.maxPixels ?? defaults.maxPixels,
        minSide: limits.minSide ?? defaults.minSide,
      },
      maxBytes,
    );
}
