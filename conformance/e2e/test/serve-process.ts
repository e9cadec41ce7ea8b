import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/** `facekit serve` as its own process (the built CLI), for tests that kill or race servers. */
const bin = join(repoRoot, 'packages/cli/dist/bin.js');
const modelsBuilt = existsSync(
  join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'),
);

/** Why a `facekit serve` process with the face models cannot run here, or `undefined`. */
export const serveProcessUnavailable = !existsSync(bin)
  ? `${bin} not built; run pnpm build`
  : !modelsBuilt
    ? 'models not built; run pnpm build'
    : undefined;

/** The six sample photos of face-api, base64 (one or more faces each). */
export const samples = [1, 2, 3, 4, 5, 6].map((n) =>
  readFileSync(join(faceApiSamplesDir, `sample${n}.jpg`)).toString('base64'),
);

export interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

/** Starts the built CLI in its own process and waits for the endpoint it prints. */
export function startServer(dataDir: string, storeArgs: readonly string[]): Promise<Server> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', ...storeArgs, '--data-dir', dataDir, '--face-model', '1.0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((done) => child.once('exit', done));
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`no endpoint printed: ${out}${err}`)), 30_000);
    child.stderr?.on('data', (chunk) => {
      err += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/[^\s]+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        done({ child, url, exited });
      }
    });
    child.once('exit', (code) => fail(new Error(`server exited (${code}): ${out}${err}`)));
  });
}

/** One call, answered or not: the HTTP status and the body (`__type`, `message`). */
export async function attempt(url: string, operation: string, input: unknown) {
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

/** One call that must succeed: its body. */
export async function call(url: string, operation: string, input: unknown) {
  const { status, body } = await attempt(url, operation, input);
  if (status !== 200) throw new Error(`${operation}: ${JSON.stringify(body)}`);
  return body;
}
