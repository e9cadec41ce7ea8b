import { type DecodedImage, type ImageDecoder, InvalidImageFormatException } from '@facekit/core';
import {
  type ImageHeaderCheckerOptions,
  ImageHeaderError,
  INVALID_IMAGE_FORMAT,
  imageHeaderChecker,
} from '@facekit/core/image';

/** Limits and maximum size, as every decoder built on core's `imageHeaderChecker` takes them. */
export type BrowserImageDecoderOptions = ImageHeaderCheckerOptions;

/**
 * An {@link ImageDecoder} on the browser's own decoders (`createImageBitmap`), for pages and
 * workers: JPEG and PNG only, judged by magic bytes; the same header checks as the server's
 * decoder (size, pixel count, minimum side) before anything is decoded; EXIF orientation applied
 * by the browser (`imageOrientation: 'from-image'`); 8-bit RGB out.
 *
 * Colours are the file's own (`colorSpaceConversion: 'none'`, as on the server). Fully transparent
 * PNG pixels read back black, where the server keeps the colour stored under them.
 *
 * @throws {InvalidParameterException} at creation, for non-positive limits.
 */
export function createBrowserImageDecoder(options: BrowserImageDecoderOptions = {}): ImageDecoder {
  const checkHeader = imageHeaderChecker(options);

  return {
    specificationVersion: 'v1',
    name: 'browser-create-image-bitmap',
    async decode(bytes, limits) {
      const { header, width, height } = checkHeader(bytes, limits);
      const type = header.format === 'png' ? 'image/png' : 'image/jpeg';
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), {
          imageOrientation: 'from-image',
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        });
      } catch (error) {
        throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, { cause: error });
      }
      try {
        // Our header parse and the browser must agree on the upright size, or boxes would be
        // relative to an image the caller never sees. (Chromium 156 applies the EXIF orientation
        // even when asked for `imageOrientation: 'none'`, as the current HTML spec has it.)
        if (bitmap.width !== width || bitmap.height !== height) {
          throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, {
            cause: new ImageHeaderError(
              `the browser decoded ${bitmap.width}x${bitmap.height}, the header says ${width}x${height} (EXIF orientation ${header.orientation})`,
            ),
          });
        }
        const image: DecodedImage = {
          width,
          height,
          data: rgbaToRgb(readPixels(bitmap)),
          format: header.format,
          orientation: header.orientation,
        };
        return image;
      } finally {
        bitmap.close();
      }
    },
  };
}

/** The bitmap's RGBA bytes, through an OffscreenCanvas where there is one (also in workers). */
function readPixels(bitmap: ImageBitmap): Uint8ClampedArray {
  const { width, height } = bitmap;
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;
  if (!context) throw new Error('No 2D canvas context to read the decoded pixels from');
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, width, height).data;
}

function rgbaToRgb(rgba: Uint8ClampedArray): Uint8Array {
  const pixels = rgba.length / 4;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += 4, o += 3) {
    rgb[o] = rgba[s];
    rgb[o + 1] = rgba[s + 1];
    rgb[o + 2] = rgba[s + 2];
  }
  return rgb;
}
