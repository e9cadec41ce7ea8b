import { readFile } from 'node:fs/promises';
import { Transformer } from '@napi-rs/image';

/** Whether `bytes` start like a WebP file (`RIFF····WEBP`). */
export function isWebp(bytes: Uint8Array): boolean {
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  return bytes.length >= 12 && tag(0) === 'RIFF' && tag(8) === 'WEBP';
}

/**
 * A photo's bytes as the API accepts them (JPEG or PNG). Rekognition, and so facekit, refuse
 * WebP: a client would convert it first, so a WebP file (deepface's img47.jpg) is re-encoded
 * losslessly to PNG here, and `converted` says so.
 */
export async function readImageForApi(
  path: string,
): Promise<{ bytes: Uint8Array; converted: boolean }> {
  const bytes = new Uint8Array(await readFile(path));
  if (!isWebp(bytes)) return { bytes, converted: false };
  return { bytes: new Uint8Array(await new Transformer(bytes).png()), converted: true };
}
