import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faissUnavailableReason } from '@facekit/storage-faiss';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runToExit } from './io.js';

const unavailable = faissUnavailableReason();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-faiss-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[], env: Record<string, string> = {}) =>
  runToExit(argv, { env: { FACEKIT_FACE_MODEL: 'none', ...env }, cwd: dir });

describe.skipIf(unavailable !== undefined)('--store faiss', () => {
  it('keeps its data in the same SQLite database as --store sqlite, plus faiss/', async () => {
    const created = await facekit(['collections', 'create', 'family', '--store', 'faiss'], {
      FACEKIT_FAISS_INDEX: 'hnsw',
    });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(dir, 'data', 'facekit.sqlite'))).toBe(true);
    const listed = await facekit(['collections', 'list', '--store', 'sqlite', '--output', 'json']);
    expect(JSON.parse(listed.stdout).CollectionIds).toEqual(['family']);
    const bad = await facekit(['collections', 'list', '--store', 'faiss', '--faiss-index', 'ivf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid --faiss-index 'ivf': expected flat or hnsw");
  });
});
