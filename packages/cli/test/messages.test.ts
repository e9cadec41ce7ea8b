import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';

let dir: string;
const running: CliResult[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-messages-'));
});
afterEach(async () => {
  for (const result of running.splice(0)) if (result.kind === 'serving') await result.close();
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[], options: { env?: Record<string, string>; tty?: boolean } = {}) =>
  runToExit(argv, {
    env: { FACEKIT_FACE_MODEL: 'none', ...options.env },
    cwd: dir,
    tty: options.tty,
  });

describe('tags', () => {
  it('take a collection id as well as its ARN', async () => {
    await facekit(['collections', 'create', 'family', '--tag', 'env=prod']);
    const byId = await facekit(['tags', 'list', 'family', '-o', 'json']);
    expect(byId).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(byId.stdout)).toEqual({ Tags: { env: 'prod' } });
    expect((await facekit(['tags', 'add', 'family', 'team=vision'])).code).toBe(0);
    expect((await facekit(['tags', 'remove', 'family', 'env'])).code).toBe(0);
    const arn = 'arn:aws:rekognition:us-east-1:000000000000:collection/family';
    const byArn = await facekit(['tags', 'list', arn, '-o', 'json']);
    expect(JSON.parse(byArn.stdout)).toEqual({ Tags: { team: 'vision' } });
    const missing = await facekit(['tags', 'list', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^facekit: ResourceNotFoundException: /);
  });
});

describe('--endpoint on a server with authentication on', () => {
  it('says that dummy keys were sent when no credentials are set, and how to set real ones', async () => {
    const t = fakeIo(
      { FACEKIT_ACCESS_KEYS: 'AKIAREAL:real-secret', FACEKIT_FACE_MODEL: 'none' },
      dir,
    );
    const server = await runCli(
      ['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent'],
      t.io,
    );
    running.push(server);
    if (server.kind !== 'serving') throw new Error(t.stderr());
    expect(server.auth).toBe('sigv4');
    const anonymous = await facekit(['collections', 'list', '--endpoint', server.url]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^facekit: UnrecognizedClientException: /);
    expect(anonymous.stderr).toContain(
      `facekit signed with dummy keys because no credentials are set, and ${server.url} has authentication on: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
    // With keys set, a wrong secret is just the server's answer: no word about dummy keys.
    const wrong = await facekit(['collections', 'list', '--endpoint', server.url], {
      env: { AWS_ACCESS_KEY_ID: 'AKIAREAL', AWS_SECRET_ACCESS_KEY: 'guess' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).not.toContain('dummy keys');
    const right = await facekit(['collections', 'list', '--endpoint', server.url], {
      env: { AWS_ACCESS_KEY_ID: 'AKIAREAL', AWS_SECRET_ACCESS_KEY: 'real-secret' },
    });
    expect(right.code).toBe(0);
  });
});

describe('collections reindex without kept images', () => {
  it('says so before loading a model or drawing a progress bar', async () => {
    const dataDir = join(dir, 'data');
    await mkdir(dataDir, { recursive: true });
    const store = await createSqliteFaceStore({ path: join(dataDir, 'facekit.sqlite') });
    await store.createCollection({ collectionId: 'plain', faceModelVersion: '1.0', createdAt: 1 });
    await store.putFaces(
      'plain',
      [0, 1, 2].map((i) => ({
        faceId: crypto.randomUUID(),
        imageId: crypto.randomUUID(),
        boundingBox: { width: 0.2, height: 0.3, left: 0.1 * i, top: 0.05 },
        confidence: 99.9,
        indexFacesModelVersion: '1.0',
        createdAt: 2 + i,
        vector: Float32Array.from({ length: 8 }, (_, j) => (j === i ? 1 : 0)), // unit length
      })),
    );
    await store.close();
    // An images/ folder that holds none of these images (as after other collections kept theirs).
    await mkdir(join(dataDir, 'images'));
    await writeFile(join(dataDir, 'images', 'not-one-of-them.jpg'), 'x');
    const run = await facekit(['collections', 'reindex', 'plain', '--face-model', '2.0'], {
      tty: true,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^facekit: no source image of collection plain was kept \(looked in .*images\), so its 3 faces cannot be re-indexed\. .*--keep-source-images/,
    );
    expect(run.stderr).not.toContain('█');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const listed = await facekit(['collections', 'list', '-o', 'json']);
    expect(JSON.parse(listed.stdout).CollectionIds).toEqual(['plain']);
  });
});
