import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';

/** The JavaScript runtimes facekit's server runs on. */
export const RUNTIMES = ['node', 'bun', 'deno'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/**
 * Why `runtime` cannot be used here (binary missing or broken), or `undefined` when it works.
 * Node is the runtime running this code, so it is always there.
 */
export function runtimeMissing(runtime: Runtime): string | undefined {
  if (runtime === 'node') return undefined;
  const result = spawnSync(runtime, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error || result.status !== 0) {
    const version = runtime === 'bun' ? 'bun@1.4.5' : 'deno@2.9.6';
    return `${runtime} not found on PATH (install it with: npm i -g ${version})`;
  }
  return undefined;
}

/** The version string of a runtime, e.g. `bun 1.4.5`. */
export function runtimeVersion(runtime: Runtime): string {
  if (runtime === 'node') return `node ${process.versions.node}`;
  const out = spawnSync(runtime, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return runtime === 'deno' ? (/^deno \S+/.exec(out)?.[0] ?? out) : `bun ${out}`;
}

export interface StartOptions {
  runtime: Runtime;
  /** A `.ts` file run from workspace sources, or a built `.js` file. */
  script: string;
  args?: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the `listening on <url>` line and `/health`. Default 60 s. */
  timeoutMs?: number;
}

/** A server running in a child process. */
export interface ChildServer {
  readonly runtime: Runtime;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the child wrote to stdout so far. */
  stdout(): string;
  /** Everything the child wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The command line that runs `script` on `runtime`. TypeScript sources run with the
 * `@facekit/source` condition (Node through tsx; Deno needs sloppy imports for `.js` specifiers
 * that name `.ts` files); Deno gets all permissions, as a server needs net, env, read and FFI.
 */
export function runtimeCommand(runtime: Runtime, script: string): [string, string[]] {
  const source = script.endsWith('.ts');
  const conditions = source ? ['--conditions=@facekit/source'] : [];
  switch (runtime) {
    case 'node':
      return [process.execPath, [...conditions, ...(source ? ['--import', 'tsx'] : []), script]];
    case 'bun':
      return ['bun', [...conditions, script]];
    case 'deno':
      return [
        'deno',
        ['run', '-A', ...conditions, ...(source ? ['--unstable-sloppy-imports'] : []), script],
      ];
  }
}

/**
 * Starts `script` on `runtime`, waits for it to print `listening on <url>` (use port 0) and for
 * `GET <url>/health` to answer 200.
 */
export async function startRuntimeServer(options: StartOptions): Promise<ChildServer> {
  const { runtime, script, args = [], timeoutMs = 60_000 } = options;
  const [command, commandArgs] = runtimeCommand(runtime, script);
  const child = spawn(command, [...commandArgs, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const deadline = Date.now() + timeoutMs;
  const fail = async (why: string): Promise<never> => {
    await stop();
    throw new Error(
      `${runtime} ${script} ${args.join(' ')}: ${why}\nstdout: ${stdout}\nstderr: ${stderr}`,
    );
  };
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null) return fail(`exited with code ${child.exitCode}`);
    if (Date.now() > deadline) return fail('did not print its URL in time');
    url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    if (!url) await sleep(50);
  }
  for (;;) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) return fail(`exited with code ${child.exitCode}`);
    if (Date.now() > deadline) return fail(`${url}/health did not answer 200 in time`);
    await sleep(100);
  }
  return { runtime, url, child, stdout: () => stdout, stderr: () => stderr, stop };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
