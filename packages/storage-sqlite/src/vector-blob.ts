import { InternalServerError } from '@facekit/core';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A vector as a float32 little-endian blob: exactly `4 * v.length` bytes. */
export function encodeVector(v: Float32Array): Buffer {
  const out = Buffer.alloc(v.length * 4);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  else for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i], i * 4);
  return out;
}

/**
 * Copies a float32 little-endian blob into `target` at element `offset`. The source may be a
 * pooled, unaligned `Buffer` slice, so it is copied byte-wise, never viewed.
 */
export function decodeVectorInto(blob: Uint8Array, target: Float32Array, offset: number): void {
  if (blob.byteLength % 4 !== 0) {
    throw new InternalServerError(
      `Stored vector has ${blob.byteLength} bytes, not a multiple of 4; the database is corrupted.`,
    );
  }
  const length = blob.byteLength / 4;
  if (LITTLE_ENDIAN) {
    new Uint8Array(target.buffer, target.byteOffset + offset * 4, blob.byteLength).set(blob);
    return;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < length; i++) target[offset + i] = view.getFloat32(i * 4, true);
}

/** A blob as a new `Float32Array` that owns its memory. */
export function decodeVector(blob: Uint8Array): Float32Array {
  const out = new Float32Array(Math.floor(blob.byteLength / 4));
  decodeVectorInto(blob, out, 0);
  return out;
}
