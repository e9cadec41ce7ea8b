import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** The real `facekit` binary (from source through tsx), as a separate process. */
function startFacekit(): Promise<{ url: string; output: () => string; exited: Promise<number> }> {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@facekit/source',
      bin,
      'serve',
      '--port',
      '0',
      '--store',
      'memory',
    ],
    { env: { ...process.env, FACEKIT_FACE_MODEL: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number>((resolve) => child?.on('exit', (code) => resolve(code ?? -1)));
  return new Promise((resolve, reject) => {
    child?.stdout?.on('data', (chunk) => {
      output += chunk;
      const url = /facekit listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, output: () => output, exited });
    });
    child?.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    exited.then(() => reject(new Error(`facekit exited early: ${output}`)));
  });
}

describe('facekit serve and signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s lets an in-flight request finish, then exits 0',
    async (signal) => {
      const server = await startFacekit();
      expect(server.output()).toContain(
        `aws rekognition list-collections --endpoint-url ${server.url}`,
      );
      // A request whose body is still arriving when the signal comes.
      const body = JSON.stringify({ CollectionId: 'late' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${server.url}/`,
          {
            method: 'POST',
            headers: {
              'Content-Type': 'application/x-amz-json-1.1',
              'X-Amz-Target': 'RekognitionService.CreateCollection',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => {
              text += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => {
          child?.kill(signal);
          setTimeout(() => req.end(body.slice(5)), 300);
        }, 200);
      });
      const answered = await response;
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.body)).toMatchObject({ StatusCode: 200 });
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain(`facekit: ${signal}, finishing in-flight requests...`);
    },
    30_000,
  );
});
