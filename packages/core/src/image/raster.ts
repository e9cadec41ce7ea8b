/**
 * Decoded pixels: 8-bit RGB, row-major, 3 bytes per pixel, no padding, upright (EXIF orientation
 * already applied). All pipeline coordinates refer to this image.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 3` bytes. */
  readonly data: Uint8Array;
}
