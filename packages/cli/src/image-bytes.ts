import { readImageHeader } from '@facekit/core/image';
import type { CliIo } from './cli-io.js';
import { ApiError } from './client/api-client.js';
import type { OptionSpec } from './command.js';
import { ImageFileError, readImage } from './images.js';
import { UsageError } from './usage-error.js';

/** Rekognition's limit for `Image.Bytes`: 5 MiB. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** facekit's default decode limit (megapixels); larger photos are refused like oversized ones. */
export const MAX_IMAGE_PIXELS = 36_000_000;
/** The longest side of a shrunk copy, as the web console makes it. */
export const RESIZED_MAX_SIDE = 2048;

/** `--no-resize`, on every command that sends images. */
export const noResizeOption: Record<string, OptionSpec> = {
  'no-resize': {
    type: 'boolean',
    description: `refuse photos over 5 MiB or 36 MP instead of sending a JPEG copy of at most ${RESIZED_MAX_SIDE} px`,
  },
};

/** An image the service reads itself: `Image.S3Object`. */
export interface S3ImageObject {
  Bucket: string;
  Name: string;
  Version?: string;
}

/**
 * `s3://bucket/key` (with `?versionId=v` for a version) as the `S3Object` the service reads
 * (`--s3-*` on the server, `FACEKIT_S3_*` in-process), or `undefined` for a local path.
 * @throws {UsageError} for an `s3://` argument without a key.
 */
export function s3ObjectOf(arg: string): S3ImageObject | undefined {
  if (!arg.startsWith('s3://')) return undefined;
  const match = /^s3:\/\/([^/]+)\/([^?]+)(?:\?versionId=(.+))?$/.exec(arg);
  if (!match) throw new UsageError(`invalid ${arg}: expected s3://bucket/key[?versionId=v]`);
  return {
    Bucket: match[1],
    Name: decodeURIComponent(match[2]),
    ...(match[3] ? { Version: decodeURIComponent(match[3]) } : {}),
  };
}

/** What the image of a command turned into. */
export interface ImageToSend {
  /** The bytes to put in `Image.Bytes`: the file's, or a shrunk JPEG copy. */
  bytes: Uint8Array;
  /** The file's own bytes (what `--draw` draws on: boxes are ratios, so they fit both). */
  original: Uint8Array;
  /** Set when `bytes` is a shrunk copy. */
  resized?: { fromBytes: number; toBytes: number; width: number; height: number };
}

/**
 * Reads the images of one run: checks the format by content (JPEG and PNG only, as the API), and
 * over 5 MiB (or 36 megapixels) sends a JPEG copy at most 2048 px on its longest side, the
 * console's rule, with the EXIF orientation applied as the service applies it. Says so once per
 * run on stderr; `resize: false` (`--no-resize`) refuses such a photo instead.
 */
export function imageReader(io: Pick<CliIo, 'cwd' | 'stderr'>, options: { resize: boolean }) {
  let told = false;
  return async function read(path: string): Promise<ImageToSend> {
    const original = await readImage(path, io);
    const format = imageFormatOf(original);
    if (format !== undefined && format !== 'JPEG' && format !== 'PNG') {
      // Named as the service would name it, so scripts (and the conformance suite) see one error.
      throw new ApiError(
        'InvalidImageFormatException',
        `${path} is a ${format} image; the Rekognition API accepts JPEG and PNG only (convert it first, e.g. convert ${path} ${path.replace(/\.[^./]+$/, '')}.jpg)`,
      );
    }
    if (format === undefined) return { bytes: original, original }; // the service's verdict
    const tooManyBytes = original.byteLength > MAX_IMAGE_BYTES;
    const pixels = tooManyBytes ? undefined : await pixelCount(original);
    if (!tooManyBytes && (pixels === undefined || pixels <= MAX_IMAGE_PIXELS)) {
      return { bytes: original, original };
    }
    const over = tooManyBytes
      ? `${mebibytes(original.byteLength)}, over the API's 5 MiB`
      : `${(Number(pixels) / 1e6).toFixed(1)} megapixels, over the 36 megapixels facekit decodes`;
    if (!options.resize) {
      throw new ApiError(
        'ImageTooLargeException',
        `${path} is ${over}; without --no-resize facekit would send a JPEG copy at most ${RESIZED_MAX_SIDE} px on its longest side`,
      );
    }
    const resized = await shrink(original);
    if (!told) {
      told = true;
      io.stderr.write(
        `facekit: ${path} is ${over}: sending a JPEG copy at most ${RESIZED_MAX_SIDE} px on its longest side (${resized.width}×${resized.height}, ${mebibytes(resized.bytes.byteLength)}); boxes are ratios, so they fit the original. This applies to every such photo of this run; --no-resize refuses them instead.\n`,
      );
    }
    return {
      bytes: resized.bytes,
      original,
      resized: {
        fromBytes: original.byteLength,
        toBytes: resized.bytes.byteLength,
        width: resized.width,
        height: resized.height,
      },
    };
  };
}

export type ImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'HEIC' | 'AVIF' | 'BMP' | 'TIFF';

/** The format of image bytes by their signature, or `undefined` when none is recognised. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | undefined {
  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'PNG';
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (/^(hei[cxms]|hev[cxms]|mif1|msf1)$/.test(brand)) return 'HEIC';
  }
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  return undefined;
}

/**
 * Width × height from the JPEG or PNG header, as the service reads it; `undefined` when the
 * header cannot be read (the service then gives its verdict). No decoder is loaded for it.
 */
async function pixelCount(bytes: Uint8Array): Promise<number | undefined> {
  try {
    const { width, height } = readImageHeader(bytes);
    return width && height ? width * height : undefined;
  } catch {
    return undefined;
  }
}

/** A JPEG copy within the limits: 2048 px at quality 90, then smaller until it fits. */
async function shrink(bytes: Uint8Array) {
  const { default: sharp } = await import('sharp');
  for (const [side, quality] of [
    [RESIZED_MAX_SIDE, 90],
    [RESIZED_MAX_SIDE, 75],
    [1600, 75],
    [1024, 75],
  ] as const) {
    const { data, info } = await sharp(bytes, { limitInputPixels: false })
      .rotate()
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality })
      .toBuffer({ resolveWithObject: true });
    if (data.byteLength <= MAX_IMAGE_BYTES) {
      return { bytes: new Uint8Array(data), width: info.width, height: info.height };
    }
  }
  throw new ImageFileError('no JPEG copy of this image fits in 5 MiB');
}

const mebibytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
