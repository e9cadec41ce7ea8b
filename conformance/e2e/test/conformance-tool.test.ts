import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type CliResult, runCli } from '@facekit/cli';
import { createSdkFrontend } from '@facekit/conformance/api';
import { runConformance } from '@facekit/conformance/tool';
import { faceModels } from '@facekit/pipeline-node';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '@facekit/postgres-test-server';
import { faissUnavailableReason } from '@facekit/storage-faiss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `facekit-conformance` (the command anyone can point at an endpoint) against `facekit serve` on
 * each store, and against servers that do not conform. Without built models the server runs
 * `--face-model none` and the image scenarios are left out.
 */

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(repoRoot, 'models/dist', `${id}.onnx`)),
);
const modelArgs = modelsBuilt ? [] : ['--face-model', 'none'];
const imageArgs = modelsBuilt ? [] : ['--skip-images'];

/**
 * The stores `facekit serve` is held to: one entry per `--store`, with the flags it needs.
 * A new store is one more line; `skip` leaves it out with a reason, e.g. for one that needs a
 * database: `skip: process.env.PG_URL ? undefined : 'PG_URL not set'`.
 */
const stores: {
  store: string;
  label?: string;
  args: (dir: string) => string[] | Promise<string[]>;
  skip?: string;
}[] = [
  { store: 'memory', args: () => [] },
  { store: 'sqlite', args: (dir) => ['--data-dir', dir] },
  ...(['flat', 'hnsw'] as const).map((index) => ({
    store: 'faiss',
    label: ` --faiss-index ${index}`,
    args: (dir: string) => ['--data-dir', dir, '--faiss-index', index],
    skip: faissUnavailableReason(),
  })),
  // Embedded PGlite under the data directory (PostgreSQL 17 + pgvector in WebAssembly).
  { store: 'postgres', args: (dir) => ['--data-dir', dir] },
  // A real PostgreSQL 15 server with pgvector (tools/postgres/install.sh), half-precision HNSW.
  {
    store: 'postgres',
    label: ' --database-url (PostgreSQL 15 server) --pg-search hnsw-half',
    args: async (dir) => {
      postgres = await startPostgres({ name: 'facekit-pg-conformance' });
      return ['--data-dir', dir, '--database-url', postgres.url, '--pg-search', 'hnsw-half'];
    },
    skip: postgresUnavailableReason(),
  },
];
let postgres: PostgresServer | undefined;
afterAll(async () => {
  await postgres?.close();
});

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      env: {},
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

async function startFacekit(args: string[]) {
  const server: CliResult = await runCli(
    ['serve', '--port', '0', '--log-level', 'silent', ...modelArgs, ...args],
    { env: {} },
  );
  if (server.kind !== 'serving') throw new Error('facekit serve did not start');
  return server;
}

async function collectionsOn(url: string): Promise<unknown> {
  const sdk = createSdkFrontend({ endpoint: url });
  try {
    return (await sdk.call('ListCollections', {})).CollectionIds;
  } finally {
    sdk.client.destroy();
  }
}

for (const entry of stores) {
  describe.skipIf(entry.skip !== undefined)(
    `facekit-conformance against facekit serve --store ${entry.store}${entry.label ?? ''}${entry.skip ? ` (skipped: ${entry.skip})` : ''}`,
    () => {
      let server: Extract<CliResult, { kind: 'serving' }>;
      let dir: string;

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'facekit-conformance-tool-'));
        server = await startFacekit(['--store', entry.store, ...(await entry.args(dir))]);
      }, 60_000);
      afterAll(async () => {
        await server?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it.skipIf(entry.skip !== undefined)(
        'passes, and leaves no collection behind',
        async () => {
          const t = fakeIo();
          const code = await runConformance(
            ['--endpoint', server.url, '--output', 'json', ...imageArgs],
            t.io,
          );
          const report = JSON.parse(t.stdout());
          const failures = report.results.filter((r: { status: string }) => r.status === 'failed');
          expect(failures, t.stderr()).toEqual([]);
          expect(code).toBe(0);
          expect(report.ok).toBe(true);
          expect(report.collectionPrefix).toMatch(/^facekit-conformance-[0-9a-f]{8}-$/);
          // What needs no store access runs: collections, tags, users, documented examples...
          expect(report.summary.passed).toBeGreaterThanOrEqual(modelsBuilt ? 19 : 15);
          const names = report.results.map((r: { name: string }) => r.name).join('\n');
          expect(names).toContain('CreateCollection: To create a collection');
          expect(report.results[0].operations).toContain('CreateCollection');
          expect(await collectionsOn(server.url)).toEqual([]);
        },
        120_000,
      );
    },
  );
}

/**
 * A proxy in front of facekit that breaks one response: DescribeCollection's FaceCount becomes a
 * string. Everything else passes through untouched.
 */
async function startBreakingProxy(upstream: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const forwarded = await fetch(upstream, {
      method: 'POST',
      headers: {
        'content-type': String(request.headers['content-type'] ?? 'application/x-amz-json-1.1'),
        'x-amz-target': target,
      },
      body: Buffer.concat(chunks),
    });
    let body = await forwarded.text();
    if (target.endsWith('.DescribeCollection') && forwarded.ok) {
      const json = JSON.parse(body);
      body = JSON.stringify({ ...json, FaceCount: String(json.FaceCount) });
    }
    response.writeHead(forwarded.status, {
      'content-type': forwarded.headers.get('content-type') ?? 'application/x-amz-json-1.1',
      ...(forwarded.headers.get('x-amzn-errortype')
        ? { 'x-amzn-ErrorType': forwarded.headers.get('x-amzn-errortype') as string }
        : {}),
    });
    response.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('facekit-conformance against a server that does not conform', () => {
  let facekit: Extract<CliResult, { kind: 'serving' }>;
  let proxy: { url: string; server: Server };

  beforeAll(async () => {
    facekit = await startFacekit(['--store', 'memory']);
    proxy = await startBreakingProxy(facekit.url);
  }, 60_000);
  afterAll(async () => {
    proxy?.server.close();
    await facekit?.close();
  });

  it('fails with a field-by-field diff, and still deletes what it created', async () => {
    const t = fakeIo();
    const code = await runConformance(
      ['--endpoint', proxy.url, '--filter', 'tags >', '--skip-images'],
      t.io,
    );
    const text = t.stdout();
    expect(code).toBe(1);
    // The scenario that calls DescribeCollection fails, with the operations it called...
    expect(text).toMatch(/✗ .*tags a collection by ARN.* \[CreateCollection, DescribeCollection\]/);
    // ...the one that does not still passes...
    expect(text).toMatch(/✓ .*refuses unknown resources, reserved keys and too many tags/);
    // ...and the diff names the field, the model's type and what came instead.
    expect(text).toContain(
      'DescribeCollection response does not match the API model (1 difference)',
    );
    expect(text).toMatch(/\n {6}FaceCount {2}expected long \(ULong\), got string "0"\n/);
    expect(text).toMatch(/^1 passed, 1 failed, 0 skipped$/m);
    expect(await collectionsOn(facekit.url)).toEqual([]);
  }, 60_000);

  it('reports JSON for machines', async () => {
    const t = fakeIo();
    const code = await runConformance(
      ['--endpoint', proxy.url, '--filter', 'tags a collection', '--output', 'json'],
      t.io,
    );
    expect(code).toBe(1);
    const report = JSON.parse(t.stdout());
    expect(report.ok).toBe(false);
    const [failure] = report.results.filter((r: { status: string }) => r.status === 'failed');
    expect(failure.differences).toContainEqual({
      path: 'FaceCount',
      expected: 'long (ULong)',
      actual: 'string "0"',
    });
  }, 60_000);
});

describe('facekit-conformance command line', () => {
  it('refuses Amazon endpoints without --real-aws, and needs an endpoint', async () => {
    const t = fakeIo();
    expect(
      await runConformance(['--endpoint', 'https://rekognition.us-east-1.amazonaws.com'], t.io),
    ).toBe(2);
    expect(t.stderr()).toMatch(/Amazon Rekognition itself.*add --real-aws/);
    const u = fakeIo();
    expect(await runConformance([], u.io)).toBe(2);
    expect(u.stderr()).toMatch(/--endpoint <url> is required/);
    const h = fakeIo();
    expect(await runConformance(['--help'], h.io)).toBe(0);
    expect(h.stdout()).toContain('--real-aws');
  });
});

const bin = join(repoRoot, 'conformance/dist/tool/bin.js');

describe.skipIf(!existsSync(bin))('the facekit-conformance bin (built)', () => {
  it('runs as a process: exit code 2 and a message for an Amazon endpoint without --real-aws', async () => {
    const run = promisify(execFile);
    const help = await run(process.execPath, [bin, '--help']);
    expect(help.stdout).toMatch(/^facekit-conformance - /);
    const refused = await run(process.execPath, [
      bin,
      '--endpoint',
      'https://rekognition.eu-west-1.amazonaws.com',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/--real-aws/) });
  });
});
