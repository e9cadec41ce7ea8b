import { describe, expect, it } from 'vitest';
import { isWebp } from './image-bytes.js';

describe('isWebp', () => {
  it('recognises the RIFF/WEBP header only', () => {
    const riff = (kind: string) => new TextEncoder().encode(`RIFF\0\0\0\0${kind}VP8 `);
    expect(isWebp(riff('WEBP'))).toBe(true);
    expect(isWebp(riff('WAVE'))).toBe(false);
    expect(isWebp(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe(false);
  });
});
