import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUnitVectors } from '@facekit/conformance/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { createUsearchFaceStore, usearchUnavailableReason } from '../src/index.js';

const unavailable = usearchUnavailableReason();
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIMENSIONS = 64;
const BATCH = 500;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the bulk indexer and kills it with SIGKILL once `batches` batches are acknowledged. */
function indexThenKill(dir: string, batches: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@facekit/source',
      join(packageDir, 'test/__fixtures__/bulk-index.ts'),
      dir,
      'i8',
      String(DIMENSIONS),
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let acknowledged = -1;
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line !== '') acknowledged = Math.max(acknowledged, Number(line));
      }
      // Killed while the next batch is being written: no close, no final save.
      if (acknowledged + 1 >= batches) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged + 1);
      else reject(new Error(`the indexer exited (${code}): ${stderr}`));
    });
  });
}

describe.skipIf(unavailable !== undefined)('usearch HNSW after SIGKILL during a bulk index', () => {
  it('finds every acknowledged face on restart, twice over', async () => {
    const dir = join(tmpdir(), `facekit-usearch-crash-${randomUUID()}`);
    dirs.push(dir);
    // Two kills: the second restarts from the index the first restart caught up and saved.
    for (const round of [1, 2]) {
      const acknowledged = await indexThenKill(dir, 6 * round);
      expect(acknowledged).toBeGreaterThanOrEqual(6);
      const store = await createUsearchFaceStore({ dir, index: 'hnsw', quantization: 'i8' });
      try {
        const { faceCount } = await store.describeCollection('bulk');
        // Batches after the last acknowledged one may or may not have committed, but whole.
        expect(faceCount % BATCH).toBe(0);
        expect(faceCount).toBeGreaterThanOrEqual(acknowledged * BATCH);
        for (let batch = 0; batch < acknowledged; batch++) {
          const vectors = randomUnitVectors(BATCH, DIMENSIONS, 1000 + batch);
          // Every 10th face of every acknowledged batch finds itself first.
          for (let i = 0; i < BATCH; i += 10) {
            const [best] = await store.searchFaces('bulk', vectors[i], { limit: 1 });
            expect(best?.face.faceId).toBe(`face-${batch}-${i}`);
          }
        }
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
