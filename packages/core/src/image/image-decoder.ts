import type { RgbImage } from './raster.js';

/**
 * The decoding seam: turns the bytes of an `Image` into upright RGB pixels. Implementations live
 * outside the core (`@napi-rs/image` on servers, `createImageBitmap` in browsers).
 *
 * Implementations must:
 * - accept JPEG and PNG only, judged by content, not by name (`InvalidImageFormatException`);
 * - apply the EXIF orientation before returning, so boxes are relative to the upright image;
 * - refuse images whose header declares more than `limits.maxPixels` pixels *before* decoding
 *   (decompression bombs), and images smaller than `limits.minSide` on a side
 *   (`InvalidParameterException`, as Rekognition does for images under 80 px).
 */
export interface ImageDecoder {
  readonly specificationVersion: 'v1';
  readonly name: string;
  decode(bytes: Uint8Array, limits?: DecodeLimits): Promise<DecodedImage>;
}

export interface DecodeLimits {
  /** Largest width × height accepted (after reading the header, before decoding). */
  maxPixels?: number;
  /** Smallest width and height accepted, in pixels (Rekognition: 80). */
  minSide?: number;
}

export interface DecodedImage extends RgbImage {
  readonly format: 'jpeg' | 'png';
  /** The EXIF orientation tag found (1–8), already applied to the pixels; 1 when absent. */
  readonly orientation: number;
}
