import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPages } from '../src/commands/paginate.js';
import { type ApiClient, commands, toExternalImageId } from '../src/index.js';
import { runToExit } from './io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-commands-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs facekit in-process on a fresh data directory without the face models. */
const facekit = (argv: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) =>
  runToExit(argv, {
    env: { FACEKIT_FACE_MODEL: 'none', ...options.env },
    cwd: dir,
    tty: options.tty,
  });

describe('help', () => {
  it.each(commands.map((c) => [c.path.join(' ')]))(
    'facekit %s --help has usage and examples',
    async (path) => {
      const { code, stdout } = await facekit([...path.split(' '), '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage:\n  facekit ${path}`);
      expect(stdout).toMatch(/Examples:\n {2}facekit /);
      expect(stdout).toContain('--endpoint <url>');
      expect(stdout).toContain('--output <format>');
    },
  );

  it('lists every command in the main help, and subcommands per group', async () => {
    const main = await facekit(['--help']);
    for (const word of [
      'collections',
      'index',
      'detect',
      'search',
      'search-face',
      'compare',
      'faces',
      'users',
      'tags',
    ]) {
      expect(main.stdout).toContain(word);
    }
    const users = await facekit(['users', '--help']);
    expect(users.code).toBe(0);
    for (const sub of ['create', 'delete', 'list', 'associate', 'disassociate', 'search']) {
      expect(users.stdout).toContain(`  ${sub} `);
    }
    expect(await facekit(['help', 'collections', 'create'])).toMatchObject({ code: 0 });
  });

  it.each([
    [['users'], 2, /facekit users <subcommand>/],
    [['users', 'frob'], 2, /^facekit: unknown command 'users frob'/],
    [['collections', 'create'], 2, /^facekit: missing arguments: expected <collection-id>/],
    [['collections', 'create', 'a', 'b'], 2, /^facekit: unexpected argument 'b'/],
    [
      ['collections', 'list', '--max-results', 'ten'],
      2,
      /^facekit: invalid --max-results 'ten': expected a number\n$/,
    ],
    [
      ['collections', 'list', '--output', 'yaml'],
      2,
      /^facekit: invalid --output 'yaml': expected table, json, jsonl\n$/,
    ],
    [['collections', 'list', '--endpoint', 'nope'], 2, /^facekit: invalid --endpoint 'nope'/],
  ])('%j fails with exit code %i', async (argv, code, message) => {
    const result = await facekit(argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('collections on the local data directory', () => {
  it('creates, lists, describes and deletes, as JSON in the Rekognition shape', async () => {
    const created = await facekit(['collections', 'create', 'family', '--tag', 'env=test']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toEqual({
      StatusCode: 200,
      CollectionArn: 'aws:rekognition:us-east-1:000000000000:collection/family',
      FaceModelVersion: '7.0',
    });
    // The data persists in <data-dir>/facekit.sqlite between runs, as for serve.
    const listed = await facekit(['collections', 'list', '--output', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual({
      CollectionIds: ['family'],
      FaceModelVersions: ['7.0'],
    });
    const described = JSON.parse((await facekit(['collections', 'describe', 'family'])).stdout);
    expect(described).toMatchObject({
      FaceCount: 0,
      UserCount: 0,
      CreationTimestamp: expect.any(Number),
    });
    expect(described.CreationTimestamp).toBeLessThan(Date.now() / 1000 + 1);
    expect(JSON.parse((await facekit(['collections', 'delete', 'family'])).stdout)).toEqual({
      StatusCode: 200,
    });
  });

  it('prints tables on a terminal by default, JSON in pipes, jsonl on one line', async () => {
    await facekit(['collections', 'create', 'a']);
    await facekit(['collections', 'create', 'b']);
    const table = await facekit(['collections', 'list'], { tty: true });
    expect(table.stdout).toBe(
      'CollectionId  FaceModelVersion\na             7.0\nb             7.0\n',
    );
    const piped = await facekit(['collections', 'list']);
    expect(piped.stdout).toBe(
      `${JSON.stringify({ CollectionIds: ['a', 'b'], FaceModelVersions: ['7.0', '7.0'] }, null, 2)}\n`,
    );
    const jsonl = await facekit(['collections', 'list', '-o', 'jsonl']);
    expect(jsonl.stdout).toBe('{"CollectionIds":["a","b"],"FaceModelVersions":["7.0","7.0"]}\n');
    expect(
      (await facekit(['collections', 'list'], { env: { FACEKIT_OUTPUT: 'jsonl' } })).stdout,
    ).toBe(jsonl.stdout);
  });

  it('merges every page unless one page is asked for', async () => {
    for (const id of ['c1', 'c2', 'c3']) await facekit(['collections', 'create', id]);
    const one = JSON.parse((await facekit(['collections', 'list', '--max-results', '2'])).stdout);
    expect(one.CollectionIds).toEqual(['c1', 'c2']);
    const rest = JSON.parse(
      (await facekit(['collections', 'list', '--next-token', one.NextToken])).stdout,
    );
    expect(rest.CollectionIds).toEqual(['c3']);
  });

  it('merges pages like aws rekognition: result lists concatenated, no NextToken', async () => {
    // A fake client that serves ListFaces two faces at a time.
    const faces = ['f1', 'f2', 'f3', 'f4', 'f5'].map((FaceId) => ({ FaceId }));
    const inputs: unknown[] = [];
    const client = {
      description: 'fake',
      async close() {},
      async call(_operation: string, input: { NextToken?: string }) {
        inputs.push(input);
        const start = Number(input.NextToken ?? 0);
        const next = start + 2 < faces.length ? String(start + 2) : undefined;
        return {
          Faces: faces.slice(start, start + 2),
          FaceModelVersion: '1.0',
          ...(next ? { NextToken: next } : {}),
        };
      },
    } as unknown as ApiClient;
    expect(await listPages(client, 'ListFaces', { CollectionId: 'c' }, ['Faces'])).toEqual({
      Faces: faces,
      FaceModelVersion: '1.0',
    });
    expect(inputs).toEqual([
      { CollectionId: 'c' },
      { CollectionId: 'c', NextToken: '2' },
      { CollectionId: 'c', NextToken: '4' },
    ]);
  });

  it('reports API errors on one line with the Rekognition name and exit code 1', async () => {
    const missing = await facekit(['collections', 'describe', 'nope']);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'facekit: ResourceNotFoundException: The collection id: nope does not exist\n',
    });
    const invalid = await facekit(['collections', 'create', 'has space']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(
      /^facekit: InvalidParameterException: 1 validation error detected: .*collectionId.*\n$/,
    );
    await facekit(['collections', 'create', 'x']);
    const image = await facekit(['detect', join(dir, 'nothing.jpg')]);
    expect(image).toMatchObject({
      code: 1,
      stderr: `facekit: cannot read ${join(dir, 'nothing.jpg')}: ENOENT\n`,
    });
  });

  it('cannot reach a server: one line, exit code 1', async () => {
    const result = await facekit(['collections', 'list', '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^facekit: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/,
    );
  });
});

describe('toExternalImageId', () => {
  it.each([
    ['img1.jpg', 'img1.jpg'],
    ['ana/beach day.jpg', 'ana:beach_day.jpg'],
    ['Zoë (2).png', 'Zo___2_.png'],
    ['a:b-c_d.e.jpg', 'a:b-c_d.e.jpg'],
    ['', 'image'],
  ])('%j → %j', (path, id) => {
    expect(toExternalImageId(path)).toBe(id);
    expect(id).toMatch(/^[a-zA-Z0-9_.\-:]+$/);
  });

  it('keeps the end of long paths within 255 characters', () => {
    const id = toExternalImageId(`${'d/'.repeat(200)}photo.jpg`);
    expect(id).toHaveLength(255);
    expect(id.endsWith(':photo.jpg')).toBe(true);
  });
});
