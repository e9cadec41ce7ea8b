import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSdkFrontend, describeApiScenarios, type WireObject } from '@facekit/conformance/api';
import {
  type ChildServer,
  RUNTIMES,
  type Runtime,
  runtimeCommand,
  runtimeMissing,
  startRuntimeServer,
} from '@facekit/conformance/remote';
import { faceModels } from '@facekit/pipeline-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childServerHarness } from './harnesses.js';
import { faceApiSamplesDir } from './sample-photos.js';

/**
 * The same server on Node, Bun and Deno, each in a child process through its own entry point
 * (`@hono/node-server`, `Bun.serve`, `Deno.serve`), driven from here by the real AWS SDK:
 * 1. every API scenario, against conformance/e2e/server/test-server.ts (memory store, plus the
 *    test-only store routes the scenarios use to seed faces);
 * 2. real photos through the built `facekit serve` (packages/cli/dist/bin.js), so the ONNX
 *    pipeline is proven on each runtime too.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const testServer = join(repoRoot, 'conformance/e2e/server/test-server.ts');
const cliBin = join(repoRoot, 'packages/cli/dist/bin.js');
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(repoRoot, 'models/dist', `${id}.onnx`)),
);
const samplesDir = faceApiSamplesDir;
const sample = (n: number) => readFileSync(join(samplesDir, `sample${n}.jpg`)).toString('base64');

type Box = { Width: number; Height: number; Left: number; Top: number };

function iou(a: Box, b: Box): number {
  const w = Math.min(a.Left + a.Width, b.Left + b.Width) - Math.max(a.Left, b.Left);
  const h = Math.min(a.Top + a.Height, b.Top + b.Height) - Math.max(a.Top, b.Top);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.Width * a.Height + b.Width * b.Height - inter);
}

const servers: ChildServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** DetectFaces boxes of sample1.jpg on Node, to hold the other runtimes to. */
let nodeBoxes: Box[] | undefined;

for (const runtime of RUNTIMES) {
  const missing = runtimeMissing(runtime);
  const title = (what: string) =>
    missing ? `${what} on ${runtime} (SKIPPED: ${missing})` : `${what} on ${runtime}`;

  describe.skipIf(missing !== undefined)(title('API scenarios, memory store'), () => {
    let started: Promise<ChildServer> | undefined;
    // One process per runtime; each scenario resets its store.
    const server = () => {
      started ??= startRuntimeServer({ runtime, script: testServer, cwd: repoRoot }).then((s) => {
        servers.push(s);
        // The test server names the runtime it detected, i.e. the entry point it serves with.
        expect(s.stdout()).toMatch(new RegExp(`^${runtime} listening on `));
        return s;
      });
      return started;
    };
    // Started here, with a start-up allowance, rather than in the scenarios' 10 s beforeEach.
    beforeAll(() => server(), 90_000);
    describeApiScenarios(`AWS SDK → ${runtime} child process`, async () =>
      childServerHarness(await server()),
    );
  });

  const photoSkip = missing ?? (!existsSync(cliBin) ? `${cliBin} not built; run pnpm build` : '');
  const photoWhy =
    photoSkip || (!modelsBuilt ? 'models/dist/*.onnx not built; run pnpm build' : '');
  describe.skipIf(photoWhy !== '')(
    photoWhy
      ? `real photos via facekit serve on ${runtime} (SKIPPED: ${photoWhy})`
      : `real photos via facekit serve on ${runtime}`,
    () => {
      let server: ChildServer;
      let sdk: ReturnType<typeof createSdkFrontend>;
      beforeAll(async () => {
        server = await startServe(runtime);
        servers.push(server);
        sdk = createSdkFrontend({ endpoint: server.url, region: 'us-east-1' });
      }, 120_000);
      afterAll(() => sdk?.client.destroy());

      it('DetectFaces, IndexFaces and SearchFacesByImage on sample1.jpg', async () => {
        const detected = await sdk.call('DetectFaces', { Image: { Bytes: sample(1) } });
        const boxes = (detected.FaceDetails as { BoundingBox: Box }[]).map((d) => d.BoundingBox);
        expect(boxes.length).toBeGreaterThanOrEqual(2);
        if (runtime === 'node') nodeBoxes = boxes;
        else if (nodeBoxes) {
          // Same model, same onnxruntime build: the runtime must not change what is found.
          expect(boxes).toHaveLength(nodeBoxes.length);
          for (const [i, box] of boxes.entries()) {
            expect(iou(box, nodeBoxes[i] as Box)).toBeGreaterThan(0.95);
          }
        }

        await sdk.call('CreateCollection', { CollectionId: 'photos' });
        const indexed = await sdk.call('IndexFaces', {
          CollectionId: 'photos',
          ExternalImageId: 'sample1.jpg',
          Image: { Bytes: sample(1) },
        });
        const records = indexed.FaceRecords as { Face: { FaceId: string; BoundingBox: Box } }[];
        expect(records.length).toBeGreaterThanOrEqual(2);

        // The largest face of the same photo finds its own indexed face first, near-identical.
        const found = await sdk.call('SearchFacesByImage', {
          CollectionId: 'photos',
          Image: { Bytes: sample(1) },
          FaceMatchThreshold: 80,
        });
        const searched = found.SearchedFaceBoundingBox as Box;
        const own = records.find((r) => iou(r.Face.BoundingBox, searched) > 0.9);
        expect(own, 'the searched face was indexed').toBeDefined();
        const matches = found.FaceMatches as { Similarity: number; Face: WireObject }[];
        expect(matches[0]?.Face.FaceId).toBe(own?.Face.FaceId);
        expect(matches[0]?.Similarity).toBeGreaterThan(99);

        // Another photo of other people does not match that face.
        const other = await sdk.call('SearchFacesByImage', {
          CollectionId: 'photos',
          Image: { Bytes: sample(6) },
          FaceMatchThreshold: 90,
        });
        const otherIds = (other.FaceMatches as { Face: WireObject }[]).map((m) => m.Face.FaceId);
        expect(otherIds).not.toContain(own?.Face.FaceId);
      }, 60_000);

      it('serves the web console (--console reads its files with node:fs)', async () => {
        const page = await fetch(`${server.url}/console/`);
        expect(page.status).toBe(200);
        const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
        const asset = await fetch(`${server.url}/console/${script}`);
        expect(asset.status).toBe(200);
        expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
      });
    },
  );
}

describe.each(RUNTIMES.filter((r) => r !== 'node'))(
  'facekit serve --store sqlite on %s',
  (runtime) => {
    const why = runtimeMissing(runtime) ?? (!existsSync(cliBin) ? `${cliBin} not built` : '');
    it.skipIf(why !== '')(
      `fails at start-up with a message that names the working alternatives${why ? ` (SKIPPED: ${why})` : ''}`,
      () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'facekit-runtime-sqlite-'));
        try {
          const [command, args] = runtimeCommand(runtime, cliBin);
          const args2 = ['serve', '--port', '0', '--store', 'sqlite', '--data-dir', dataDir];
          const result = spawnSync(command, [...args, ...args2, '--face-model', 'none'], {
            encoding: 'utf8',
            timeout: 60_000,
          });
          expect(result.status).toBe(1);
          expect(result.stderr).toContain(
            `better-sqlite3, which ${runtime === 'bun' ? 'Bun' : 'Deno'} cannot load`,
          );
          expect(result.stderr).toContain('--store memory');
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    );
  },
);

/** `facekit serve` from the build, memory store (the one store every runtime can load). */
function startServe(runtime: Runtime): Promise<ChildServer> {
  return startRuntimeServer({
    runtime,
    script: cliBin,
    args: ['serve', '--port', '0', '--store', 'memory', '--log-level', 'info', '--console'],
    cwd: repoRoot,
    timeoutMs: 120_000,
  });
}
