import { RekognitionError } from '@facekit/core';
import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('better-sqlite3');
  vi.resetModules();
});

it('explains how to install better-sqlite3 when it cannot be loaded', async () => {
  vi.resetModules();
  vi.doMock('better-sqlite3', () => {
    throw new Error("Cannot find module 'better-sqlite3'");
  });
  const { createSqliteFaceStore } = await import('../src/index.js');
  const error = await createSqliteFaceStore({ path: ':memory:' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RekognitionError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(/install better-sqlite3@12/);
  expect((error as Error).cause).toBeDefined();
});
