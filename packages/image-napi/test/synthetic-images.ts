import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { Transformer } from '@napi-rs/image';

/** An RGB test image: `width * height * 3` bytes, row-major. */
export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Colour = readonly [number, number, number];

export const RED: Colour = [255, 0, 0];
export const GREEN: Colour = [0, 255, 0];
export const BLUE: Colour = [0, 0, 255];
export const WHITE: Colour = [255, 255, 255];

/**
 * A non-symmetric pattern: four quadrants red (top-left), green (top-right), blue (bottom-left),
 * white (bottom-right). Every one of the 8 EXIF orientations moves the corners differently, so
 * the corners identify the transform. Quadrant sides are multiples of 8 when `width`/`height` are
 * multiples of 16, so JPEG blocks never straddle two colours.
 */
export function quadrants(width: number, height: number): Rgb {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const top = y < height / 2;
      const left = x < width / 2;
      const c = top ? (left ? RED : GREEN) : left ? BLUE : WHITE;
      data.set(c, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

export function pixel(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

/** Largest per-channel difference between two colours. */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

/**
 * Applies EXIF orientation `o` as a viewer does (the spec the decoder must follow):
 * 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse,
 * 8 rotate 90° counter-clockwise.
 */
export function applyOrientation(src: Rgb, o: number): Rgb {
  const { width: w, height: h } = src;
  const swap = o >= 5;
  const dw = swap ? h : w;
  const dh = swap ? w : h;
  const data = new Uint8Array(dw * dh * 3);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let sx = x;
      let sy = y;
      if (o === 2) sx = w - 1 - x;
      else if (o === 3) [sx, sy] = [w - 1 - x, h - 1 - y];
      else if (o === 4) sy = h - 1 - y;
      else if (o === 5) [sx, sy] = [y, x];
      else if (o === 6) [sx, sy] = [y, h - 1 - x];
      else if (o === 7) [sx, sy] = [w - 1 - y, h - 1 - x];
      else if (o === 8) [sx, sy] = [w - 1 - y, x];
      const s = (sy * w + sx) * 3;
      data.set(src.data.subarray(s, s + 3), (y * dw + x) * 3);
    }
  }
  return { width: dw, height: dh, data };
}

/** The orientation whose transform undoes orientation `o` (only 6 and 8 are not involutions). */
export function inverseOrientation(o: number): number {
  return o === 6 ? 8 : o === 8 ? 6 : o;
}

function toRgba(img: Rgb, alpha: (x: number, y: number) => number = () => 255): Uint8Array {
  const out = new Uint8Array(img.width * img.height * 4);
  for (let i = 0, p = 0; i < img.width * img.height; i++, p += 3) {
    out.set(img.data.subarray(p, p + 3), i * 4);
    out[i * 4 + 3] = alpha(i % img.width, Math.floor(i / img.width));
  }
  return out;
}

/** Encodes with @napi-rs/image (an RGB JPEG, 4:2:0, with a JFIF APP0 segment). */
export async function encodeJpeg(img: Rgb, quality = 95): Promise<Uint8Array> {
  return new Uint8Array(
    await Transformer.fromRgbaPixels(toRgba(img), img.width, img.height).jpeg(quality),
  );
}

/** Encodes an RGBA PNG with @napi-rs/image; `alpha` gives each pixel's alpha. */
export async function encodeRgbaPng(
  img: Rgb,
  alpha?: (x: number, y: number) => number,
): Promise<Uint8Array> {
  return new Uint8Array(
    await Transformer.fromRgbaPixels(toRgba(img, alpha), img.width, img.height).png(),
  );
}

// --- PNG, written by hand (for colour types and bit depths the encoder does not produce) ---

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG from raw samples. `colourType`: 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA; `bitDepth` 8 or 16.
 * `sample(x, y, c)` returns channel `c` (0..255 for 8-bit, 0..65535 for 16-bit). Pass
 * `idat: false` for a header-only file (a decompression bomb needs no pixel data).
 */
export function craftPng(opts: {
  width: number;
  height: number;
  colourType: 0 | 2 | 4 | 6;
  bitDepth: 8 | 16;
  sample?: (x: number, y: number, c: number) => number;
  idat?: boolean;
}): Uint8Array {
  const { width, height, colourType, bitDepth } = opts;
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  const parts = [PNG_SIGNATURE, pngChunk('IHDR', ihdr)];
  if (opts.idat !== false) {
    const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType];
    const bytesPerSample = bitDepth / 8;
    const stride = 1 + width * channels * bytesPerSample;
    const raw = new Uint8Array(height * stride);
    const rawView = new DataView(raw.buffer);
    const sample = opts.sample ?? (() => 0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          const o = y * stride + 1 + (x * channels + c) * bytesPerSample;
          if (bitDepth === 16) rawView.setUint16(o, sample(x, y, c));
          else raw[o] = sample(x, y, c);
        }
      }
    }
    parts.push(pngChunk('IDAT', deflateSync(raw)));
  }
  parts.push(pngChunk('IEND', new Uint8Array(0)));
  return concat(parts);
}

/**
 * A real decompression bomb: an all-black 8-bit gray PNG whose IDAT is one flushed deflate
 * segment of `rowsPerSegment` zero rows, repeated. 50000×50000 (2.5 GB of scanlines) is ~2.5 MB.
 * `height` must be a multiple of `rowsPerSegment`.
 */
export function craftZeroPng(width: number, height: number, rowsPerSegment = 20): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8;
  const segment = deflateRawSync(new Uint8Array((width + 1) * rowsPerSegment), {
    finishFlush: constants.Z_SYNC_FLUSH,
    level: 9,
  });
  const copies = height / rowsPerSegment;
  const idat = new Uint8Array(2 + segment.length * copies + 2 + 4);
  idat.set([0x78, 0x01]);
  for (let i = 0; i < copies; i++) idat.set(segment, 2 + i * segment.length);
  let o = 2 + segment.length * copies;
  idat.set([0x03, 0x00], o); // final, empty, fixed-Huffman block
  o += 2;
  // Adler-32 of n zero bytes: a = 1, b = n mod 65521.
  const n = (width + 1) * height;
  new DataView(idat.buffer).setUint32(o, ((n % 65521) * 65536 + 1) >>> 0);
  return concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

// --- JPEG, written by hand: baseline, DC-only (every 8×8 block is flat), any component count ---

/**
 * A baseline JPEG whose 8×8 blocks are flat, with 1 (gray), 3 (YCbCr from RGB) or 4 (Adobe CMYK,
 * stored inverted as Photoshop does) components and no subsampling. `block(bx, by)` gives the
 * component values of block (bx, by). Only DC coefficients are coded (quantiser 1, a tiny Huffman
 * table), which is all a test of colour handling needs, and which no encoder here can produce.
 */
export function craftFlatJpeg(opts: {
  width: number;
  height: number;
  components: 1 | 3 | 4;
  block: (bx: number, by: number) => readonly number[];
}): Uint8Array {
  const { width, height } = opts;
  const components: number = opts.components;
  const segments: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]) => {
    segments.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  };
  if (components === 4) {
    // Adobe APP14, transform 0: CMYK stored as is (inverted by convention).
    segment(0xee, [0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0]);
  }
  segment(0xdb, [0x00, ...new Array(64).fill(1)]);
  const sof = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, components];
  for (let c = 0; c < components; c++) sof.push(c + 1, 0x11, 0);
  segment(0xc0, sof);
  // DC table 0: categories 0..11, each a 4-bit code (0000..1011).
  segment(0xc4, [
    0x00,
    0,
    0,
    0,
    12,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    ...Array.from({ length: 12 }, (_, i) => i),
  ]);
  // AC table 0: only end-of-block, code "0".
  segment(0xc4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
  const sos = [components];
  for (let c = 0; c < components; c++) sos.push(c + 1, 0x00);
  segment(0xda, [...sos, 0, 63, 0]);

  const bytes: number[] = [];
  let acc = 0;
  let nbits = 0;
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++nbits === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0x00);
        acc = 0;
        nbits = 0;
      }
    }
  };
  const predictors = new Array(components).fill(0);
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      let values = [...opts.block(bx, by)];
      if (components === 3) values = rgbToYcbcr(values);
      for (let c = 0; c < components; c++) {
        const dc = Math.round((values[c] - 128) * 8);
        const diff = dc - predictors[c];
        predictors[c] = dc;
        const size = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
        put(size, 4);
        if (size > 0) put(diff > 0 ? diff : diff + (1 << size) - 1, size);
        put(0, 1); // EOB
      }
    }
  }
  if (nbits > 0) put(0xff, 8 - nbits);
  return new Uint8Array([...segments, ...bytes, 0xff, 0xd9]);
}

function rgbToYcbcr([r, g, b]: number[]): number[] {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
    128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
  ];
}

// --- EXIF ---

/**
 * An APP1 Exif segment whose IFD0 holds only the orientation tag (0x0112, SHORT), in big-endian
 * (`MM`) or little-endian (`II`) TIFF byte order. A second, unrelated tag comes first, so the
 * parser must walk the IFD rather than read a fixed offset.
 */
export function exifSegment(orientation: number, byteOrder: 'MM' | 'II' = 'MM'): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 2 * 12 + 4);
  const v = new DataView(tiff.buffer);
  const le = byteOrder === 'II';
  tiff[0] = tiff[1] = byteOrder.charCodeAt(0);
  v.setUint16(2, 42, le);
  v.setUint32(4, 8, le);
  v.setUint16(8, 2, le);
  // 0x010f Make, ASCII, count 4 "abc\0" stored inline.
  v.setUint16(10, 0x010f, le);
  v.setUint16(12, 2, le);
  v.setUint32(14, 4, le);
  tiff.set([0x61, 0x62, 0x63, 0], 18);
  v.setUint16(22, 0x0112, le);
  v.setUint16(24, 3, le);
  v.setUint32(26, 1, le);
  v.setUint16(30, orientation, le);
  v.setUint32(34, 0, le);
  const body = concat([new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0]), tiff]);
  const length = body.length + 2;
  return concat([new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff]), body]);
}

/** Inserts `segment` after the JPEG's SOI and APP0 (JFIF), where cameras put Exif. */
export function insertAfterApp0(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + ((jpeg[4] << 8) | jpeg[5]);
  return concat([jpeg.subarray(0, at), segment, jpeg.subarray(at)]);
}
