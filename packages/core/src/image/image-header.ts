/**
 * What the decoder learns from an image's header without decoding it: enough to refuse
 * decompression bombs and tiny images before any pixel buffer is allocated.
 * @internal
 */
export interface ImageHeader {
  readonly format: 'jpeg' | 'png';
  /** Stored width and height in pixels, before the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  /** Bits per sample: 8 for JPEG, 1/2/4/8/16 for PNG. */
  readonly bitDepth: number;
  /** EXIF orientation 1–8 (JPEG APP1 only); 1 when absent or invalid. */
  readonly orientation: number;
}

/** Why a file is not a decodable JPEG or PNG; becomes the `cause` of the format error. */
export class ImageHeaderError extends Error {
  override readonly name = 'ImageHeaderError';
}

/**
 * Reads the format, size and orientation from the first bytes (JPEG: markers up to SOS; PNG:
 * IHDR). Judges by content, never by name.
 * @throws {ImageHeaderError} for other formats and for malformed or truncated headers.
 * @internal
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (isJpeg(bytes)) return readJpegHeader(bytes);
  if (isPng(bytes)) return readPngHeader(bytes);
  throw new ImageHeaderError(describeUnsupported(bytes));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v);
}

function ascii(b: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...b.subarray(start, start + length));
}

/** Names the format when it is recognisable, so logs say what was sent instead. */
export function describeUnsupported(b: Uint8Array): string {
  if (b.length === 0) return 'empty image';
  const head = ascii(b, 0, 16);
  const found = (name: string) => `found ${name}; only JPEG and PNG are supported`;
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return found('WebP');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return found('GIF');
  if (head.startsWith('BM') && b.length >= 14) return found('BMP');
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return found('TIFF');
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1)$/.test(brand)) return found(`HEIF (${brand})`);
    if (/^avi[fs]$/.test(brand)) return found('AVIF');
    return found(`an ISO media file (${brand.replace(/[^\x20-\x7e]/g, '?')})`);
  }
  if (b[0] === 0xff && b[1] === 0x0a) return found('JPEG XL');
  if (head.startsWith('\0\0\0\x0cJXL ')) return found('JPEG XL');
  if (head.startsWith('\0\0\0\x0cjP  ')) return found('JPEG 2000');
  if (head.startsWith('\0\0\x01\0')) return found('ICO');
  if (head.startsWith('8BPS')) return found('PSD');
  if (head.startsWith('%PDF')) return found('PDF');
  if (b[0] === 0xff && b[1] === 0xd8) return 'truncated JPEG: no marker after SOI';
  if (b[0] === 0x89 && head.slice(1, 4) === 'PNG') return 'truncated PNG signature';
  const sample = b.subarray(0, 512);
  if (sample.every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f))) {
    return /^\s*</.test(ascii(sample, 0, sample.length))
      ? found('markup (SVG/HTML/XML?)')
      : found('text (base64 sent as bytes?)');
  }
  const hex = Array.from(b.subarray(0, 8), (c) => c.toString(16).padStart(2, '0')).join(' ');
  return `unknown format (first bytes ${hex})`;
}

// --- JPEG ---

/** SOFn markers: C0–C3, C5–C7, C9–CB, CD–CF (C4 DHT, C8 JPG, CC DAC are not frames). */
function isStartOfFrame(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

function readJpegHeader(b: Uint8Array): ImageHeader {
  let frame: { width: number; height: number; precision: number } | undefined;
  let orientation = 1;
  let pos = 2;
  for (;;) {
    if (pos >= b.length) throw new ImageHeaderError('truncated JPEG: ended inside the header');
    if (b[pos] !== 0xff) throw new ImageHeaderError(`corrupt JPEG: no marker at byte ${pos}`);
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    if (pos >= b.length) throw new ImageHeaderError('truncated JPEG: ended inside the header');
    const marker = b[pos++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd8 || marker === 0xd9 || marker === 0x00) {
      throw new ImageHeaderError(`corrupt JPEG: unexpected marker FF${hex2(marker)} in header`);
    }
    if (pos + 2 > b.length) throw new ImageHeaderError('truncated JPEG: ended inside the header');
    const length = (b[pos] << 8) | b[pos + 1];
    const start = pos + 2;
    const end = pos + length;
    if (length < 2 || end > b.length) {
      throw new ImageHeaderError(`truncated JPEG: segment FF${hex2(marker)} runs past the end`);
    }
    if (isStartOfFrame(marker)) {
      if (frame) throw new ImageHeaderError('corrupt JPEG: more than one frame header');
      if (length < 8) throw new ImageHeaderError('corrupt JPEG: short frame header');
      frame = {
        precision: b[start],
        height: (b[start + 1] << 8) | b[start + 2],
        width: (b[start + 3] << 8) | b[start + 4],
      };
      if (marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf) {
        throw new ImageHeaderError('unsupported JPEG: lossless coding');
      }
      if (marker >= 0xc5 && marker !== 0xc9 && marker !== 0xca) {
        throw new ImageHeaderError('unsupported JPEG: hierarchical coding');
      }
      if (marker >= 0xc9) throw new ImageHeaderError('unsupported JPEG: arithmetic coding');
      if (frame.precision !== 8) {
        throw new ImageHeaderError(`unsupported JPEG: ${frame.precision}-bit samples`);
      }
      if (frame.height === 0) {
        throw new ImageHeaderError('unsupported JPEG: height defined later by a DNL marker');
      }
      if (frame.width === 0) throw new ImageHeaderError('corrupt JPEG: width 0');
    } else if (marker === 0xe1 && orientation === 1 && ascii(b, start, 6) === 'Exif\0\0') {
      orientation = readExifOrientation(b.subarray(start + 6, end));
    } else if (marker === 0xda) {
      if (!frame) throw new ImageHeaderError('corrupt JPEG: scan before frame header');
      if (!hasEndOfImage(b, end)) {
        throw new ImageHeaderError('truncated JPEG: no end-of-image marker after the scan');
      }
      return { format: 'jpeg', width: frame.width, height: frame.height, bitDepth: 8, orientation };
    }
    pos = end;
  }
}

/**
 * In entropy-coded data 0xFF is always followed by 0x00 (stuffing) or a marker, so an FF D9 after
 * the first scan header is the image's EOI; files cut short lack it. Searched from the end, where
 * it usually is (O(1) for whole files). Bytes after EOI (the second image of multi-picture files,
 * trailers some phones append) are fine.
 */
function hasEndOfImage(b: Uint8Array, from: number): boolean {
  for (let i = b.lastIndexOf(0xd9); i > from; i = b.lastIndexOf(0xd9, i - 1)) {
    if (b[i - 1] === 0xff) return true;
  }
  return false;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * The Orientation tag (0x0112) of IFD0 in a TIFF structure (the APP1 body after `Exif\0\0`).
 * Malformed EXIF is ignored (1), as viewers do: the pixels are still valid.
 */
export function readExifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  if (view.getUint16(2, le) !== 42) return 1;
  const ifd = view.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const count = view.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (view.getUint16(entry, le) !== 0x0112) continue;
    const type = view.getUint16(entry + 2, le);
    const value =
      type === 3 ? view.getUint16(entry + 8, le) : type === 4 ? view.getUint32(entry + 8, le) : 0;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

// --- PNG ---

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const PNG_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function readPngHeader(b: Uint8Array): ImageHeader {
  if (b.length < 33) throw new ImageHeaderError('truncated PNG: no complete IHDR chunk');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(8) !== 13 || ascii(b, 12, 4) !== 'IHDR') {
    throw new ImageHeaderError('corrupt PNG: the first chunk is not IHDR');
  }
  if (crc32(b.subarray(12, 29)) !== view.getUint32(29)) {
    throw new ImageHeaderError('corrupt PNG: IHDR checksum mismatch');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = b[24];
  const colourType = b[25];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new ImageHeaderError(`corrupt PNG: invalid size ${width}x${height}`);
  }
  if (!PNG_DEPTHS[colourType]?.includes(bitDepth)) {
    throw new ImageHeaderError(`corrupt PNG: colour type ${colourType} with bit depth ${bitDepth}`);
  }
  if (b[26] !== 0 || b[27] !== 0 || b[28] > 1) {
    throw new ImageHeaderError('corrupt PNG: unknown compression, filter or interlace method');
  }
  return { format: 'png', width, height, bitDepth, orientation: 1 };
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
