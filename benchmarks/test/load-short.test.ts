import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, cliBin, repoRoot, startCliServer } from '../src/cli-server.js';
import { runLoad } from '../src/load-driver.js';

// The short form of `pnpm bench:load`: concurrent clients mixing searches and IndexFaces against a
// real server process for a few seconds; every request must succeed or be deliberately throttled.
const modelsBuilt = existsSync(
  join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'),
);
const why = !existsSync(cliBin)
  ? ` (SKIPPED: ${cliBin} not built; run pnpm build)`
  : !modelsBuilt
    ? ' (SKIPPED: models not built; run pnpm build)'
    : '';
const demo = join(
  dirname(
    createRequire(join(repoRoot, 'models/package.json')).resolve(
      '@vladmandic/face-api/package.json',
    ),
  ),
  'demo',
);

async function call(url: string, operation: string, input: unknown) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `RekognitionService.${operation}`,
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${operation}: ${JSON.stringify(body)}`);
  return body;
}

describe.skipIf(why !== '')(`load, short form${why}`, () => {
  let server: CliServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'facekit-load-'));
    server = await startCliServer([
      '--store',
      'sqlite',
      '--data-dir',
      dataDir,
      '--face-model',
      '1.0',
    ]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 16 concurrent clients for 4 s without an error, and keeps its data', async () => {
    const images = [1, 3].map((n) => readFileSync(join(demo, `sample${n}.jpg`)).toString('base64'));
    await call(server.url, 'CreateCollection', { CollectionId: 'load' });
    const faceIds: string[] = [];
    for (const [i, bytes] of images.entries()) {
      const body = await call(server.url, 'IndexFaces', {
        CollectionId: 'load',
        Image: { Bytes: bytes },
        ExternalImageId: `seed-${i}`,
      });
      for (const r of body.FaceRecords as { Face: { FaceId: string } }[])
        faceIds.push(r.Face.FaceId);
    }
    const report = await runLoad({
      url: server.url,
      collectionId: 'load',
      clients: 16,
      durationMs: 4000,
      mix: { SearchFaces: 6, SearchFacesByImage: 3, IndexFaces: 1 },
      faceIds,
      images,
    });
    for (const s of report.operations) {
      expect(s.errors, s.operation).toEqual({});
      expect(s.ok + s.throttled, s.operation).toBeGreaterThan(0);
    }
    const indexed = report.operations.find((s) => s.operation === 'IndexFaces')?.ok ?? 0;
    const described = await call(server.url, 'DescribeCollection', { CollectionId: 'load' });
    // Each IndexFaces of the load adds the largest face of one photo (MaxFaces 1).
    expect(described.FaceCount).toBe(faceIds.length + indexed);
  }, 60_000);
});
