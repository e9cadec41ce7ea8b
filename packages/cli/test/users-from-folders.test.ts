import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { fakeIo } from './io.js';

describe('facekit index --users-from-folders: command-line mistakes', () => {
  const run = async (argv: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'facekit-folders-'));
    const t = fakeIo({ FACEKIT_STORE: 'memory', FACEKIT_FACE_MODEL: 'none' }, dir);
    try {
      const result = await runCli(argv, t.io);
      return { code: result.kind === 'exit' ? result.exitCode : -1, stderr: t.stderr() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('refuses a folder that cannot be read, and a threshold given with a rate', async () => {
    const missing = await run(['index', 'family', '--users-from-folders', 'no-such-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '--users-from-folders needs folders: cannot read no-such-folder',
    );
    const both = await run([
      'index',
      'family',
      '--users-from-folders',
      '.',
      '--threshold',
      '90',
      '--max-false-accept-rate',
      '0.001',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
