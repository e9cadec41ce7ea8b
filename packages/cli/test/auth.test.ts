import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCollectionCommand,
  ListCollectionsCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CliResult,
  isLoopbackHost,
  loadAccessKeys,
  parseCredentialsFile,
  runCli,
  UsageError,
} from '../src/index.js';
import { fakeIo } from './io.js';

let tmp: string;
const running: CliResult[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'facekit-auth-'));
});
afterEach(async () => {
  for (const result of running.splice(0)) if (result.kind === 'serving') await result.close();
  await rm(tmp, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const terminal = fakeIo({ FACEKIT_FACE_MODEL: 'none', ...env }, tmp);
  const result = await runCli(argv, terminal.io);
  running.push(result);
  return { result, ...terminal };
}

const INI = `# like ~/.aws/credentials
[alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = alice/secret+1
aws_account_id = 111111111111

[bob]
aws_access_key_id = AKIABOB
aws_secret_access_key = bob-secret
`;

describe('credentials files and variables', () => {
  it('parses the INI form; a key without an account gets the default one', () => {
    expect(parseCredentialsFile(INI, '000000000000')).toEqual([
      { accessKeyId: 'AKIAALICE', secretAccessKey: 'alice/secret+1', accountId: '111111111111' },
      { accessKeyId: 'AKIABOB', secretAccessKey: 'bob-secret', accountId: '000000000000' },
    ]);
  });

  it('parses the JSON form, with or without the accessKeys wrapper', () => {
    const key = { accessKeyId: 'AK', secretAccessKey: 's', accountId: '222222222222' };
    expect(parseCredentialsFile(JSON.stringify({ accessKeys: [key] }), '0')).toEqual([key]);
    expect(parseCredentialsFile(JSON.stringify([{ ...key, accountId: undefined }]), 'x')).toEqual([
      { ...key, accountId: 'x' },
    ]);
  });

  it('reads FACEKIT_ACCESS_KEYS, then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY', () => {
    expect(
      loadAccessKeys(undefined, { FACEKIT_ACCESS_KEYS: 'A:a:111111111111, B:b' }, '000000000000')
        .keys,
    ).toEqual([
      { accessKeyId: 'A', secretAccessKey: 'a', accountId: '111111111111' },
      { accessKeyId: 'B', secretAccessKey: 'b', accountId: '000000000000' },
    ]);
    expect(
      loadAccessKeys(
        undefined,
        { AWS_ACCESS_KEY_ID: 'K', AWS_SECRET_ACCESS_KEY: 'S' },
        '000000000000',
      ),
    ).toMatchObject({ keys: [{ accessKeyId: 'K' }], source: expect.stringContaining('AWS_') });
    expect(loadAccessKeys(undefined, {}, '000000000000').keys).toEqual([]);
  });

  it.each([
    ['FACEKIT_ACCESS_KEYS entry', { FACEKIT_ACCESS_KEYS: 'only-an-id' }, 'entry 1'],
    ['account id', { FACEKIT_ACCESS_KEYS: 'A:a:42' }, 'must be 12 digits'],
    ['duplicate', { FACEKIT_ACCESS_KEYS: 'A:a,A:b' }, 'appears twice'],
    ['key id with a slash', { FACEKIT_ACCESS_KEYS: 'A/B:a' }, 'invalid access key id'],
  ])('refuses a bad %s', (_, env, message) => {
    expect(() => loadAccessKeys(undefined, env, '000000000000')).toThrow(UsageError);
    expect(() => loadAccessKeys(undefined, env, '000000000000')).toThrow(message);
  });

  it('warns about a key file others can read', async () => {
    const file = join(tmp, 'keys.ini');
    await writeFile(file, INI);
    await chmod(file, 0o644);
    expect(loadAccessKeys(file, {}, '000000000000').warnings[0]).toContain('chmod 600');
    await chmod(file, 0o600);
    expect(loadAccessKeys(file, {}, '000000000000').warnings).toEqual([]);
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'facekit.example.com']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('facekit serve authentication', () => {
  it('turns authentication off on loopback when no keys are configured, loudly', async () => {
    const { result, stderr, stdout } = await run(['serve', '--port', '0', '--store', 'memory']);
    expect(result).toMatchObject({ kind: 'serving', auth: 'none' });
    expect(stderr()).toContain('WARNING: authentication is OFF');
    expect(stdout()).toContain('auth: OFF');
  });

  it('refuses a non-loopback host without keys (exit 2)', async () => {
    const { result, stderr } = await run(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(result).toEqual({ kind: 'exit', exitCode: 2 });
    expect(stderr()).toContain('authentication needs access keys');
  });

  it('refuses --auth none on a non-loopback host unless forced', async () => {
    const refused = await run(['serve', '--host', '0.0.0.0', '--port', '0', '--auth', 'none']);
    expect(refused.result).toEqual({ kind: 'exit', exitCode: 2 });
    expect(refused.stderr()).toContain('refusing to listen on 0.0.0.0 without authentication');

    const forced = await run([
      'serve',
      ...['--host', '0.0.0.0', '--port', '0', '--store', 'memory', '--auth', 'none'],
      '--allow-remote-no-auth',
    ]);
    expect(forced.result).toMatchObject({ kind: 'serving', auth: 'none' });
    expect(forced.stderr()).toContain('Anyone who can reach 0.0.0.0');
  });

  it('refuses --auth sigv4 without keys', async () => {
    const { result, stderr } = await run(['serve', '--port', '0', '--auth', 'sigv4']);
    expect(result).toEqual({ kind: 'exit', exitCode: 2 });
    expect(stderr()).toContain('--credentials-file');
  });

  it('verifies signatures with keys from a file and keeps each account in its own database', async () => {
    const file = join(tmp, 'keys.ini');
    await writeFile(file, INI, { mode: 0o600 });
    const dataDir = join(tmp, 'data');
    const { result, stdout } = await run([
      'serve',
      ...['--port', '0', '--data-dir', dataDir, '--credentials-file', file],
    ]);
    if (result.kind !== 'serving') throw new Error('not serving');
    expect(result.auth).toBe('sigv4');
    expect(stdout()).toContain('auth: SigV4, 2 access keys');

    const client = (accessKeyId: string, secretAccessKey: string) =>
      new RekognitionClient({
        endpoint: result.url,
        region: 'us-east-1',
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 1,
      });
    const alice = client('AKIAALICE', 'alice/secret+1');
    const bob = client('AKIABOB', 'bob-secret');
    const mallory = client('AKIAALICE', 'guess');
    try {
      await alice.send(new CreateCollectionCommand({ CollectionId: 'a' }));
      await bob.send(new CreateCollectionCommand({ CollectionId: 'b' }));
      expect((await alice.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['a']);
      expect((await bob.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['b']);
      await expect(mallory.send(new ListCollectionsCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
      });
    } finally {
      for (const c of [alice, bob, mallory]) c.destroy();
    }
    // Bob has no account id: the default account keeps the historical path.
    expect(existsSync(join(dataDir, 'facekit.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'accounts', '111111111111', 'facekit.sqlite'))).toBe(true);
    expect(stdout()).toMatch(/ListCollections 200 [\d.]+ms [0-9a-f-]{36} key=AKIAALICE\n/);

    const unsigned = await fetch(`${result.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.ListCollections',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
