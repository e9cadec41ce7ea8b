import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Starts `server.js` as a user would and runs `client.js` against it. */

const exampleDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const run = promisify(execFile);

describe('examples/node-http', () => {
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    server = spawn('node', ['server.js'], {
      cwd: exampleDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    server.stdout?.setEncoding('utf8');
    url = await new Promise<string>((resolveUrl, reject) => {
      server.stdout?.on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolveUrl(match[1]);
      });
      server.once('exit', (code) => reject(new Error(`server.js exited with ${code}: ${output}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('serves its own route and the Rekognition API through the AWS SDK', async () => {
    const { stdout } = await run('node', ['client.js', url], { cwd: exampleDir });
    expect(stdout).toContain(
      'GET /status: 200 {"app":"node-http example","facekit":"mounted at /"}',
    );
    expect(stdout).toContain(
      'CreateCollection: 200 aws:rekognition:us-east-1:123456789012:collection/family',
    );
    expect(stdout).toContain('ListCollections: family');
    expect(stdout).toMatch(/DescribeCollection: 0 faces, model \S+/);
    expect(stdout).toContain('DescribeCollection nobody: ResourceNotFoundException');
  }, 30_000);

  it('refuses a request without a signature', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.ListCollections',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^\w+/);
  });
});
