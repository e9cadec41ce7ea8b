import { describe, expect, it } from 'vitest';
import { decodePaginationToken, encodePaginationToken } from './pagination-token.js';

describe('pagination tokens', () => {
  it('round-trip a cursor within the same listing', () => {
    const token = encodePaginationToken('ListFaces\u0000c1', '12345');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(100);
    expect(decodePaginationToken('ListFaces\u0000c1', token)).toBe('12345');
  });

  it('reject tokens from another listing, forged or truncated ones', () => {
    const token = encodePaginationToken('ListFaces\u0000c1', '7');
    for (const [context, bad] of [
      ['ListFaces\u0000c2', token],
      ['ListFaces\u0000c1', 'garbage!'],
      ['ListFaces\u0000c1', token.slice(0, 5)],
      ['ListFaces\u0000c1', ''],
      ['ListFaces\u0000c1', btoa('00000000.7')],
    ] as const) {
      expect(() => decodePaginationToken(context, bad)).toThrowError(
        expect.objectContaining({ name: 'InvalidPaginationTokenException' }),
      );
    }
  });

  it('stays under the 255-character limit for the longest cursor', () => {
    expect(encodePaginationToken('x'.repeat(1000), 'c'.repeat(64)).length).toBeLessThanOrEqual(255);
  });
});
