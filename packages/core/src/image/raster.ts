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

/**
 * An image's pixels at some resolution, with the size of the frame its coordinates are given in:
 * frame point `(x, y)` is raster point `(x · scaleX, y · scaleY)` (continuous coordinates). A
 * full-resolution decode has scales 1; a JPEG decoded at 1/4 scale has scales of about 0.25.
 */
export interface RasterFrame {
  /** Width and height of the frame, in its own (full-size) pixels. */
  readonly width: number;
  readonly height: number;
  readonly raster: RgbImage;
  /** Raster pixels per frame pixel, ≤ 1: `raster.width / width` and `raster.height / height`. */
  readonly scaleX: number;
  readonly scaleY: number;
}

/** The frame of an image at full resolution. */
export function fullFrame(image: RgbImage): RasterFrame {
  return { width: image.width, height: image.height, raster: image, scaleX: 1, scaleY: 1 };
}

/** A frame for `raster`, a whole `width × height` image decoded at a reduced size. */
export function scaledFrame(raster: RgbImage, width: number, height: number): RasterFrame {
  return {
    width,
    height,
    raster,
    scaleX: raster.width / width,
    scaleY: raster.height / height,
  };
}

/** A rectangle of frame coordinates in raster coordinates. */
export function toRaster<R extends { x: number; y: number; width: number; height: number }>(
  frame: RasterFrame,
  region: R,
): R {
  if (frame.scaleX === 1 && frame.scaleY === 1) return region;
  return {
    ...region,
    x: region.x * frame.scaleX,
    y: region.y * frame.scaleY,
    width: region.width * frame.scaleX,
    height: region.height * frame.scaleY,
  };
}

/** Interleaved x, y frame points in raster coordinates. */
export function pointsToRaster(frame: RasterFrame, points: ArrayLike<number>): ArrayLike<number> {
  if (frame.scaleX === 1 && frame.scaleY === 1) return points;
  const out = new Float32Array(points.length);
  for (let k = 0; k < points.length; k += 2) {
    out[k] = points[k] * frame.scaleX;
    out[k + 1] = points[k + 1] * frame.scaleY;
  }
  return out;
}

/** A frame as is, or a full-resolution image as its frame. */
export function asFrame(image: RgbImage | RasterFrame): RasterFrame {
  return 'raster' in image ? image : fullFrame(image);
}
