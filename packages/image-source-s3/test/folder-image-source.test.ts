import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageObjectReadError } from '@facekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderImageSource } from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'facekit-folder-source-'));
const photos = join(base, 'photos');
const secret = join(base, 'secret.jpg');
mkdirSync(join(photos, '2024'), { recursive: true });
writeFileSync(join(photos, '2024', 'a.jpg'), 'inside');
writeFileSync(join(photos, 'big.jpg'), new Uint8Array(101));
writeFileSync(secret, 'outside');
symlinkSync(secret, join(photos, 'escape.jpg'));
symlinkSync(base, join(photos, 'up'));
symlinkSync(join(photos, '2024', 'a.jpg'), join(photos, 'alias.jpg'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const source = createFolderImageSource({ photos });
const read = (name: string, extra: { bucket?: string; version?: string } = {}) =>
  source.read({ bucket: 'photos', name, ...extra }, { maxBytes: 100 });
const reason = (promise: Promise<unknown>) =>
  promise.then(
    () => 'read',
    (error: unknown) => (ImageObjectReadError.isInstance(error) ? error.reason : String(error)),
  );

describe('createFolderImageSource', () => {
  it('reads a file under the bucket folder, and links that stay inside it', async () => {
    expect(new TextDecoder().decode(await read('2024/a.jpg'))).toBe('inside');
    expect(new TextDecoder().decode(await read('alias.jpg'))).toBe('inside');
  });

  it('refuses keys that leave the folder: "..", absolute names, links out', async () => {
    expect(await reason(read('../secret.jpg'))).toBe('access-denied');
    expect(await reason(read('2024/../../secret.jpg'))).toBe('access-denied');
    expect(await reason(read(secret))).toBe('access-denied');
    expect(await reason(read('escape.jpg'))).toBe('access-denied');
    expect(await reason(read('up/secret.jpg'))).toBe('access-denied');
  });

  it('says which of bucket, key and version is missing, and refuses versions', async () => {
    expect(await reason(read('a.jpg', { bucket: 'other' }))).toBe('no-such-bucket');
    expect(await reason(read('2024/b.jpg'))).toBe('no-such-key');
    expect(await reason(read('2024'))).toBe('no-such-key');
    expect(await reason(read('2024/a.jpg', { version: 'v1' }))).toBe('no-such-version');
  });

  it('refuses a file over the limit before reading it', async () => {
    expect(await reason(read('big.jpg'))).toBe('too-large');
  });

  it('refuses bucket names S3 could not have', () => {
    expect(() => createFolderImageSource({ 'my bucket': photos })).toThrow(/invalid bucket name/);
  });
});
