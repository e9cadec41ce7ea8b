import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo } from './io.js';
import { realPhotoSkipReason, samplePhotosDir } from './real-photo-setup.js';

let tmp: string;
const running: CliResult[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'facekit-cli-'));
});
afterEach(async () => {
  for (const result of running.splice(0)) if (result.kind === 'serving') await result.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Starts `facekit serve`; without the neural pipeline unless the test asks for a face model. */
async function start(argv: string[], env: Record<string, string> = {}) {
  const terminal = fakeIo({ FACEKIT_FACE_MODEL: 'none', ...env }, tmp);
  const result = await runCli(argv, terminal.io);
  running.push(result);
  if (result.kind !== 'serving') throw new Error(`not serving: ${terminal.stderr()}`);
  return { server: result, ...terminal };
}

async function rekognition(url: string, operation: string, input: unknown = {}) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `RekognitionService.${operation}`,
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('facekit serve', () => {
  it('keeps sqlite data across a restart on the same data dir', async () => {
    const argv = [
      'serve',
      '--port',
      '0',
      '--store',
      'sqlite',
      '--data-dir',
      tmp,
      '--log-level',
      'silent',
    ];
    const first = await start(argv);
    const created = await rekognition(first.server.url, 'CreateCollection', {
      CollectionId: 'kept',
    });
    expect(created.status).toBe(200);
    expect(first.server.storeLocation).toBe(join(tmp, 'facekit.sqlite'));
    await first.server.close();

    const second = await start(argv);
    const listed = await rekognition(second.server.url, 'ListCollections');
    expect(listed.body.CollectionIds).toEqual(['kept']);
  });

  it('keeps postgres data (embedded PGlite under the data dir) across a restart', async () => {
    const argv = ['serve', '--port', '0', '--store', 'postgres', '--data-dir', tmp];
    const first = await start([...argv, '--log-level', 'silent']);
    expect(first.server.storeLocation).toBe(join(tmp, 'postgres'));
    const created = await rekognition(first.server.url, 'CreateCollection', {
      CollectionId: 'kept',
    });
    expect(created.status).toBe(200);
    await first.server.close();

    const second = await start([...argv, '--log-level', 'silent', '--pg-search', 'hnsw']);
    const listed = await rekognition(second.server.url, 'ListCollections');
    expect(listed.body.CollectionIds).toEqual(['kept']);
  }, 120_000);

  it('prints the endpoint and a ready-to-run aws CLI example', async () => {
    const { server, stdout } = await start(['serve', '--port', '0', '--store', 'memory']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout()).toContain(`facekit listening on ${server.url}`);
    expect(stdout()).toContain(
      `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws rekognition list-collections --endpoint-url ${server.url} --region us-east-1`,
    );
  });

  it('serves the web console with --console, its built files with the right types', async () => {
    const { server, stdout } = await start([
      'serve',
      '--port',
      '0',
      '--store',
      'memory',
      '--console',
    ]);
    expect(stdout()).toContain(`Web console: ${server.url}/console/`);
    const page = await fetch(`${server.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    const script = html.match(
      /<script type="module" crossorigin src="\.\/(assets\/[^"]+\.js)"/,
    )?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${server.url}/console/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // The bundled AWS SDK calls the API at the root, with the Rekognition target prefix.
    expect(await asset.text()).toContain('RekognitionService');
  });

  it('serves no console without --console (GET is a 405 as for any API path)', async () => {
    const { server, stdout } = await start(['serve', '--port', '0', '--store', 'memory']);
    expect(stdout()).not.toContain('Web console');
    expect((await fetch(`${server.url}/console/`)).status).toBe(405);
  });

  it('uses region and account id from the environment in ARNs, and logs requests', async () => {
    const { server, stdout } = await start(['serve', '--store', 'memory'], {
      FACEKIT_PORT: '0',
      FACEKIT_REGION: 'eu-west-1',
      FACEKIT_ACCOUNT_ID: '123456789012',
    });
    const created = await rekognition(server.url, 'CreateCollection', { CollectionId: 'c' });
    expect(created.body.CollectionArn).toBe('aws:rekognition:eu-west-1:123456789012:collection/c');
    const missing = await rekognition(server.url, 'DescribeCollection', { CollectionId: 'nope' });
    expect(missing.status).toBe(400);
    expect(stdout()).toMatch(/CreateCollection 200 [\d.]+ms [0-9a-f-]{36}\n/);
    expect(stdout()).toMatch(
      /DescribeCollection 400 [\d.]+ms [0-9a-f-]{36} ResourceNotFoundException\n/,
    );
  });

  it('defaults the data dir to ./data under the working directory', async () => {
    const { server } = await start(['serve', '--port', '0', '--log-level', 'silent']);
    expect(server.storeLocation).toBe(join(tmp, 'data', 'facekit.sqlite'));
  });

  it('fails with exit code 1 when the port is taken', async () => {
    const { server } = await start([
      'serve',
      '--port',
      '0',
      '--store',
      'memory',
      '--log-level',
      'silent',
    ]);
    const terminal = fakeIo({}, tmp);
    const result = await runCli(
      ['serve', '--port', String(server.port), '--store', 'memory'],
      terminal.io,
    );
    expect(result).toEqual({ kind: 'exit', exitCode: 1 });
    expect(terminal.stderr()).toContain('EADDRINUSE');
  });
});

const samplePhoto = join(samplePhotosDir(), 'sample1.jpg');
const skipReason = realPhotoSkipReason();

describe('facekit serve --face-model', () => {
  it('refuses an unknown face model with a usage error', async () => {
    const terminal = fakeIo({}, tmp);
    const result = await runCli(
      ['serve', '--port', '0', '--store', 'memory', '--face-model', '9.9'],
      terminal.io,
    );
    expect(result).toEqual({ kind: 'exit', exitCode: 2 });
    expect(terminal.stderr()).toMatch(/unknown face model 9\.9; available: 1\.0, 2\.0, none/);
  });
});

describe.skipIf(skipReason !== '')(`facekit serve with the face pipeline${skipReason}`, () => {
  it('loads face model 1.0 and answers DetectFaces on a real photo', async () => {
    const { server, stdout } = await start(
      ['serve', '--port', '0', '--store', 'memory', '--face-model', '1.0'],
      {},
    );
    expect(stdout()).toContain('face model: 1.0 on onnxruntime-node');
    const bytes = readFileSync(samplePhoto).toString('base64');
    const detected = await rekognition(server.url, 'DetectFaces', { Image: { Bytes: bytes } });
    expect(detected.status).toBe(200);
    expect((detected.body.FaceDetails as unknown[]).length).toBeGreaterThanOrEqual(2);
    const created = await rekognition(server.url, 'CreateCollection', { CollectionId: 'c' });
    expect(created.body.FaceModelVersion).toBe('1.0');
  });

  it('answers /health quickly while images are indexed on the analyzer workers', async () => {
    const { server } = await start(
      [
        'serve',
        '--port',
        '0',
        '--store',
        'memory',
        '--face-model',
        '1.0',
        '--analyzer-workers',
        '2',
        '--image-concurrency',
        '4',
        '--log-level',
        'silent',
      ],
      {},
    );
    await rekognition(server.url, 'CreateCollection', { CollectionId: 'busy' });
    const bytes = readFileSync(samplePhoto).toString('base64');
    const index = () =>
      rekognition(server.url, 'IndexFaces', { CollectionId: 'busy', Image: { Bytes: bytes } });
    await index(); // the workers load their models
    let indexing = true;
    const batch = Promise.all(Array.from({ length: 8 }, index)).finally(() => {
      indexing = false;
    });
    const waits: number[] = [];
    while (indexing) {
      const started = performance.now();
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      waits.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const indexed = await batch;
    expect(indexed.every((r) => r.status === 200)).toBe(true);
    // On the main thread each image holds the event loop for 50-100 ms (several faces).
    waits.sort((a, b) => a - b);
    expect(waits.length).toBeGreaterThan(5);
    expect(waits[Math.floor(waits.length / 2)]).toBeLessThan(20);
  }, 120_000);
});
