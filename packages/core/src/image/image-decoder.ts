import type { RasterFrame, RgbImage } from './raster.js';

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
  /**
   * Optional: checks the image as `decode` does (same errors, before decoding) and returns it
   * undecoded, to be decoded at the resolution each stage needs (JPEG's DCT scaling decodes at
   * 1/2, 1/4 or 1/8 for a fraction of the cost). Analyzers use `decode` when it is absent.
   */
  open?(bytes: Uint8Array, limits?: DecodeLimits): Promise<ScalableImage>;
}

/** An image checked and opened by {@link ImageDecoder.open}, decoded on demand. */
export interface ScalableImage {
  /** Upright size in pixels (after EXIF orientation). */
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png';
  /** The EXIF orientation tag found (1–8), applied to every raster; 1 when absent. */
  readonly orientation: number;
  /**
   * The whole upright image at `minScale` raster pixels per image pixel or more (1 at most: full
   * size, the pixels `decode` returns), at the cheapest resolution the decoder has; rasters are
   * kept, so asking again, or for less, decodes nothing.
   * @throws {InvalidImageFormatException} when the data turns out corrupt.
   */
  frame(minScale: number): Promise<RasterFrame>;
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
