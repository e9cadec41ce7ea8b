import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ImageObjectReadError, type ImageObjectSource } from '@facekit/core';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderImageSource, createS3ImageSource } from '../src/index.js';

// s3rver's own default keys; any others are refused with InvalidAccessKeyId.
const keys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dir = mkdtempSync(join(tmpdir(), 'facekit-s3rver-'));
const s3rver = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: dir,
  configureBuckets: [{ name: 'photos', configs: [] }],
});
let endpoint: string;

beforeAll(async () => {
  const { port } = (await s3rver.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: keys,
  });
  await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a/b.jpg', Body: 'image' }));
  await client.send(
    new PutObjectCommand({ Bucket: 'photos', Key: 'big.jpg', Body: new Uint8Array(2000) }),
  );
  client.destroy();
});
afterAll(async () => {
  await s3rver.close();
  rmSync(dir, { recursive: true, force: true });
});

const reason = (promise: Promise<unknown>) =>
  promise.then(
    () => 'read',
    (error: unknown) => (ImageObjectReadError.isInstance(error) ? error.reason : String(error)),
  );

describe('createS3ImageSource against s3rver on loopback', () => {
  const source = () =>
    createS3ImageSource({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: keys });

  it('reads an object, and says which of bucket and key is missing', async () => {
    const s3 = source();
    const bytes = await s3.read({ bucket: 'photos', name: 'a/b.jpg' }, { maxBytes: 100 });
    expect(new TextDecoder().decode(bytes)).toBe('image');
    expect(await reason(s3.read({ bucket: 'photos', name: 'nope.jpg' }, { maxBytes: 100 }))).toBe(
      'no-such-key',
    );
    expect(await reason(s3.read({ bucket: 'other', name: 'a/b.jpg' }, { maxBytes: 100 }))).toBe(
      'no-such-bucket',
    );
    s3.close();
  });

  it('refuses an object over the limit by its Content-Length', async () => {
    const s3 = source();
    expect(await reason(s3.read({ bucket: 'photos', name: 'big.jpg' }, { maxBytes: 1999 }))).toBe(
      'too-large',
    );
    expect((await s3.read({ bucket: 'photos', name: 'big.jpg' }, { maxBytes: 2000 })).length).toBe(
      2000,
    );
    s3.close();
  });

  it('reports unknown keys as a denied read', async () => {
    const s3 = createS3ImageSource({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'wrong', secretAccessKey: 'wrong' },
    });
    expect(await reason(s3.read({ bucket: 'photos', name: 'a/b.jpg' }, { maxBytes: 100 }))).toBe(
      'access-denied',
    );
    s3.close();
  });

  it('reports a closed endpoint as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const s3 = createS3ImageSource({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: keys,
    });
    expect(await reason(s3.read({ bucket: 'photos', name: 'a/b.jpg' }, { maxBytes: 100 }))).toBe(
      'unreachable',
    );
    s3.close();
  });

  it('sends buckets without a folder to S3 when both are configured', async () => {
    const s3 = source();
    const both: ImageObjectSource = createFolderImageSource({ local: dir }, { otherBuckets: s3 });
    expect((await both.read({ bucket: 'photos', name: 'a/b.jpg' }, { maxBytes: 100 })).length).toBe(
      5,
    );
    s3.close();
  });
});

/**
 * s3rver keeps no versions (it ignores `versionId`), so versions are checked against a server
 * answering as versioned AWS buckets do: the object for its version id, `NoSuchVersion` for
 * another, `InvalidArgument` for a malformed one.
 */
describe('createS3ImageSource with S3Object.Version', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      const query = new URL(request.url ?? '/', 'http://x').searchParams;
      const version = query.get('versionId');
      seen.push(version ?? '(none)');
      const fail = (status: number, code: string, message: string) => {
        response.writeHead(status, { 'Content-Type': 'application/xml' });
        response.end(
          `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        );
      };
      if (version === 'bad id') return fail(400, 'InvalidArgument', 'Invalid version id specified');
      if (version !== null && version !== 'v1')
        return fail(404, 'NoSuchVersion', 'The specified version does not exist.');
      response.writeHead(200, { 'Content-Length': '2', 'x-amz-version-id': 'v1' });
      response.end('v1');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('sends Version as VersionId and tells a missing version apart', async () => {
    const s3 = createS3ImageSource({
      endpoint: url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: keys,
    });
    const read = (version?: string) =>
      s3.read(
        { bucket: 'photos', name: 'a.jpg', ...(version ? { version } : {}) },
        { maxBytes: 10 },
      );
    expect(new TextDecoder().decode(await read('v1'))).toBe('v1');
    expect(await reason(read('v2'))).toBe('no-such-version');
    expect(await reason(read('bad id'))).toBe('no-such-version');
    expect(seen).toEqual(['v1', 'v2', 'bad id']);
    s3.close();
  });
});
