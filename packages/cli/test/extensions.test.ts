import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo, runToExit } from './io.js';

let dir: string;
const running: CliResult[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-cli-extensions-'));
});
afterEach(async () => {
  for (const result of running.splice(0)) if (result.kind === 'serving') await result.close();
  await rm(dir, { recursive: true, force: true });
});

const facekit = (argv: string[], env: Record<string, string> = {}) =>
  runToExit(argv, { env: { FACEKIT_FACE_MODEL: 'none', ...env }, cwd: dir });

describe('facekit extension operations from the CLI', () => {
  it('runs in-process and through a SigV4 server with a plain signed request alike', async () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAREAL', AWS_SECRET_ACCESS_KEY: 'real-secret' };
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
    const remote = ['--endpoint', server.url];

    expect((await facekit(['collections', 'create', 'family'])).code).toBe(0);
    expect((await facekit(['collections', 'create', 'family', ...remote], keys)).code).toBe(0);
    const local = await facekit(['calibration', 'family', '-o', 'json']);
    const viaServer = await facekit(['calibration', 'family', '-o', 'json', ...remote], keys);
    expect(local).toMatchObject({ code: 0, stderr: '' });
    expect(viaServer).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(viaServer.stdout)).toEqual(JSON.parse(local.stdout));
    expect(JSON.parse(local.stdout)).toEqual({ FaceModelVersion: '7.0', FalseAcceptRates: [] });

    const missing = await facekit(['calibration', 'nobody', ...remote], keys);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^facekit: ResourceNotFoundException: /);
    const wrong = await facekit(['calibration', ...remote], {
      ...keys,
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^facekit: InvalidSignatureException: /);
    const anonymous = await facekit(['calibration', ...remote]);
    expect(anonymous.stderr).toContain('facekit signed with dummy keys');
  });

  it('says when the server cannot be reached', async () => {
    const port = await closedPort();
    const result = await facekit(['calibration', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
