import { describe, expect, it } from 'vitest';
import { externalImageIdOf } from './external-image-id.js';

describe('externalImageIdOf', () => {
  it('keeps valid names and replaces everything outside the API pattern', () => {
    expect(externalImageIdOf('sample1.jpg')).toBe('sample1.jpg');
    expect(externalImageIdOf('beach day (2).JPG')).toBe('beach_day__2_.JPG');
    expect(externalImageIdOf('ana/été.png')).toBe('ana:_t_.png');
    expect(externalImageIdOf('')).toBe('image');
  });

  it('keeps the end of names over 255 characters', () => {
    const id = externalImageIdOf(`${'a'.repeat(300)}.jpg`);
    expect(id).toHaveLength(255);
    expect(id.endsWith('.jpg')).toBe(true);
  });
});
