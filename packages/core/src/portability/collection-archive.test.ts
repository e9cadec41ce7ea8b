import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector } from './collection-archive.js';

describe('archive vectors', () => {
  it('are base64 of little-endian float32 values', () => {
    // 1.0 is 0x3f800000: bytes 00 00 80 3f little-endian.
    expect(encodeVector(Float32Array.of(1))).toBe('AACAPw==');
    expect(encodeVector(Float32Array.of(1, -2.5))).toBe(btoa('\x00\x00\x80\x3f\x00\x00\x20\xc0'));
    expect(Array.from(decodeVector('AACAPwAAIMA=') ?? [])).toEqual([1, -2.5]);
  });

  it('round-trip long vectors exactly', () => {
    const vector = Float32Array.from({ length: 70_000 }, (_, i) => Math.sin(i) / 3);
    expect(decodeVector(encodeVector(vector))).toEqual(vector);
  });

  it('refuse what is not base64 of whole float32 values', () => {
    expect(decodeVector('not base64!')).toBeUndefined();
    expect(decodeVector('AAAA')).toBeUndefined(); // 3 bytes
    expect(decodeVector('')).toEqual(new Float32Array(0));
  });
});
