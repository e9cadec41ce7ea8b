import { gunzipSync } from 'node:zlib';

const BLOCK = 512;
const decoder = new TextDecoder();

function field(header: Uint8Array, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function octal(header: Uint8Array, offset: number, length: number): number {
  const text = field(header, offset, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** Reads the `path=` record of a PAX extended header, which overrides the next entry's name. */
function paxPath(data: Uint8Array): string | undefined {
  for (const record of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The regular files of a gzipped tar archive (an npm tarball), keyed by path with the first
 * directory (`package/` in npm tarballs) removed. Contents are views into one buffer.
 * @throws {Error} on a truncated or malformed archive.
 */
export function readTarball(tgz: Uint8Array): Map<string, Uint8Array> {
  const gunzipped = gunzipSync(tgz);
  // A plain Uint8Array view (not a Buffer), so callers get the type they were promised.
  const tar = new Uint8Array(gunzipped.buffer, gunzipped.byteOffset, gunzipped.byteLength);
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 48);
    const start = offset + BLOCK;
    const end = start + size;
    if (end > tar.length) throw new Error('Truncated tar archive');
    const data = tar.subarray(start, end);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(data);
      continue;
    }
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    const prefix = field(header, 345, 155);
    const name =
      longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '7') continue;
    files.set(name.replace(/^[^/]*\//, ''), data);
  }
  return files;
}
