import { describe, expect, it } from 'vitest';
import { IdempotencyCache, stableStringify } from './idempotency-cache.js';

function cache(now = { t: 0 }, maxEntries = 100) {
  return new IdempotencyCache({ ttlMs: 1000, maxEntries, now: () => now.t });
}

describe('IdempotencyCache', () => {
  it('replays the first result for the same token and parameters, even while running', async () => {
    const c = cache();
    let runs = 0;
    const execute = async () => ++runs;
    const [a, b] = await Promise.all([
      c.run('CreateUser', 't1', { UserId: 'u' }, execute),
      c.run('CreateUser', 't1', { UserId: 'u' }, execute),
    ]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await c.run('DeleteUser', 't1', { UserId: 'u' }, execute)).toBe(2);
    expect(await c.run('CreateUser', undefined, { UserId: 'u' }, execute)).toBe(3);
  });

  it('refuses the same token with other parameters', async () => {
    const c = cache();
    await c.run('CreateUser', 't1', { UserId: 'u' }, async () => 1);
    expect(() => c.run('CreateUser', 't1', { UserId: 'v' }, async () => 2)).toThrowError(
      expect.objectContaining({ name: 'IdempotentParameterMismatchException' }),
    );
  });

  it('forgets failures, expired tokens and the oldest tokens beyond the limit', async () => {
    const now = { t: 0 };
    const c = cache(now, 2);
    await expect(
      c.run('Op', 'f', {}, async () => Promise.reject(new Error('x'))),
    ).rejects.toThrow();
    expect(await c.run('Op', 'f', {}, async () => 'ran again')).toBe('ran again');

    await c.run('Op', 'a', { v: 1 }, async () => 'a');
    await c.run('Op', 'b', { v: 1 }, async () => 'b');
    // 'f' and 'a' are evicted to stay within 2 entries, so 'a' accepts new parameters.
    expect(await c.run('Op', 'a', { v: 2 }, async () => 'a2')).toBe('a2');
    now.t = 5000;
    expect(await c.run('Op', 'b', { v: 2 }, async () => 'b2')).toBe('b2');
  });

  it('fingerprints objects regardless of key order', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 2 } })).toBe(
      stableStringify({ a: { c: 2, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });
});
