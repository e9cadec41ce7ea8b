import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise<void>((resolve) => setTimeout(() => resolve(), 1));

describe('KeyedMutex', () => {
  it('runs critical sections on one key one at a time, in order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const section = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([
      mutex.run('k', section('a')),
      mutex.run('k', section('b')),
      mutex.run('k', section('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('lets different keys overlap and survives a failing section', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const failing = mutex.run('k', async () => {
      log.push('fail:start');
      await tick();
      throw new Error('boom');
    });
    const other = mutex.run('other', async () => {
      log.push('other:start');
    });
    const next = mutex.run('k', async () => {
      log.push('next:start');
      return 1;
    });
    await expect(failing).rejects.toThrow('boom');
    await other;
    expect(await next).toBe(1);
    expect(log).toEqual(['fail:start', 'other:start', 'next:start']);
  });
});
