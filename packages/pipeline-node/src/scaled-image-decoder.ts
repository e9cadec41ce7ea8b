import {
  type DecodeLimits,
  type ImageDecoder,
  InvalidImageFormatException,
  type RasterFrame,
  type RgbImage,
  type ScalableImage,
  scaledFrame,
} from '@facekit/core';
import {
  type ImageHeaderCheckerOptions,
  INVALID_IMAGE_FORMAT,
  imageHeaderChecker,
} from '@facekit/core/image';
import { createNapiImageDecoder } from '@facekit/image-napi';

type Sharp = typeof import('sharp').default;

/**
 * The scales a JPEG may be decoded at below full size, coarsest first: libjpeg decodes at 1/8 or
 * 1/4 for a fraction of the cost (DCT scaling), and sharp shrinks on load only when asked for a
 * little less than that (libvips guards against libjpeg's rounding), finishing with a small
 * reduce. 1/3 (from a 1/2 load) is left out by default: on photos of 3–5 MP, where the detector
 * needs about that scale, it saved little and moved boxes enough to change deepface pivot
 * cosines by up to 0.012 (`pnpm bench:accuracy` 99.64% instead of 100%).
 */
export const defaultJpegScales: readonly number[] = [1 / 9, 1 / 5];

/** Options of {@link createScaledImageDecoder}. */
export interface ScaledImageDecoderOptions extends ImageHeaderCheckerOptions {
  /** Scales (< 1, coarsest first) JPEGs may be decoded at; default {@link defaultJpegScales}. */
  jpegScales?: readonly number[];
}

/**
 * An {@link ImageDecoder} that also opens images for decoding at reduced sizes: `decode` and
 * full-size rasters are `@napi-rs/image`'s (`createNapiImageDecoder`, the same pixels), and
 * JPEGs at a fifth of their size or less come from libvips' shrink-on-load through `sharp`
 * (loaded on first use). The header checks, limits and errors are the napi decoder's, made
 * before anything is decoded; EXIF orientation comes from our own header parse and is applied
 * to every raster, so frames are upright. PNGs are decoded at full size.
 */
export function createScaledImageDecoder(options: ScaledImageDecoderOptions = {}): ImageDecoder {
  const { jpegScales = defaultJpegScales, ...checkerOptions } = options;
  const full = createNapiImageDecoder(checkerOptions);
  const checkHeader = imageHeaderChecker(checkerOptions);
  let sharp: Promise<Sharp> | undefined;
  const loadSharp = () => {
    sharp ??= import('sharp').then(({ default: s }) => {
      // One image per worker thread at a time: libvips' own threads would only contend.
      s.concurrency(1);
      s.cache(false);
      return s;
    });
    return sharp;
  };

  return {
    specificationVersion: 'v1',
    name: 'napi-rs-image+sharp-shrink-on-load',
    decode: (bytes, limits) => full.decode(bytes, limits),
    async open(bytes: Uint8Array, limits?: DecodeLimits): Promise<ScalableImage> {
      const { header, width, height } = checkHeader(bytes, limits);
      const frames: RasterFrame[] = [];
      let fullSize: Promise<RasterFrame> | undefined;
      const decodeFull = () => {
        fullSize ??= full.decode(bytes, limits).then((image) => scaledFrame(image, width, height));
        return fullSize;
      };
      const decodeScaled = async (scale: number): Promise<RasterFrame> => {
        const s = await loadSharp();
        // The stored (not yet oriented) size: orientations 5–8 swap the sides.
        const swapped = header.orientation >= 5 && header.orientation <= 8;
        const storedWidth = swapped ? height : width;
        const storedHeight = swapped ? width : height;
        let raster: RgbImage;
        try {
          const { data, info } = await s(bytes, { limitInputPixels: false })
            .resize(
              Math.max(1, Math.floor(storedWidth * scale)),
              Math.max(1, Math.floor(storedHeight * scale)),
              { fit: 'fill', fastShrinkOnLoad: true, kernel: 'linear' },
            )
            .removeAlpha()
            .toColourspace('srgb')
            .raw()
            .toBuffer({ resolveWithObject: true });
          if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
          const stored = { width: info.width, height: info.height, data: new Uint8Array(data) };
          raster = orient(stored, header.orientation);
        } catch (error) {
          throw new InvalidImageFormatException(INVALID_IMAGE_FORMAT, { cause: error });
        }
        return scaledFrame(raster, width, height);
      };
      return {
        width,
        height,
        format: header.format,
        orientation: header.orientation,
        async frame(minScale: number): Promise<RasterFrame> {
          // Within 1% counts as enough: the sides are whole pixels (4032 px at 1/5 is 806).
          const enough = (scale: number) => scale >= minScale * 0.99;
          const kept = frames.find((f) => enough(Math.min(f.scaleX, f.scaleY)));
          if (kept) return kept;
          const scale = header.format === 'jpeg' ? jpegScales.find(enough) : 1;
          // Rasters too small to be worth a second decoder are not made.
          const frame =
            scale === undefined || Math.min(width, height) * scale < 32
              ? await decodeFull()
              : await decodeScaled(scale);
          if (!frames.includes(frame)) frames.push(frame);
          return frame;
        },
      };
    },
  };
}

/** The stored pixels `image` upright under EXIF `orientation` (1–8). */
export function orient(image: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width: sw, height: sh, data } = image;
  const swap = orientation >= 5;
  const width = swap ? sh : sw;
  const height = swap ? sw : sh;
  const out = new Uint8Array(width * height * 3);
  // Upright (x, y) takes stored (sx, sy).
  const source: (x: number, y: number) => [number, number] = {
    2: (x: number, y: number): [number, number] => [sw - 1 - x, y],
    3: (x: number, y: number): [number, number] => [sw - 1 - x, sh - 1 - y],
    4: (x: number, y: number): [number, number] => [x, sh - 1 - y],
    5: (x: number, y: number): [number, number] => [y, x],
    6: (x: number, y: number): [number, number] => [y, sh - 1 - x],
    7: (x: number, y: number): [number, number] => [sw - 1 - y, sh - 1 - x],
    8: (x: number, y: number): [number, number] => [sw - 1 - y, x],
  }[orientation as 2 | 3 | 4 | 5 | 6 | 7 | 8];
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const [sx, sy] = source(x, y);
      const i = (sy * sw + sx) * 3;
      out[o] = data[i];
      out[o + 1] = data[i + 1];
      out[o + 2] = data[i + 2];
    }
  }
  return { width, height, data: out };
}
