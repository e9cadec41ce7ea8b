import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** The built `facekit` command (`pnpm build`). */
export const cliBin = join(repoRoot, 'packages/cli/dist/bin.js');

export interface CliServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resident set size of the server process in bytes (Linux `/proc`), or NaN elsewhere. */
  rss(): number;
  /** SIGTERM (graceful) or SIGKILL, resolving when the process is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Runs `facekit serve <args>` in its own process and resolves with the endpoint it prints. */
export function startCliServer(args: readonly string[]): Promise<CliServer> {
  const child = spawn(process.execPath, [cliBin, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`no endpoint printed: ${out}${err}`)), 60_000);
    child.stderr?.on('data', (chunk) => {
      err += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      if (out.length < 100_000) out += chunk; // keep draining request logs, stop storing them
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && !child.killed) {
        clearTimeout(timer);
        done({
          child,
          url,
          rss: () => rssOf(child.pid),
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`facekit serve exited (${code}): ${out}${err}`));
    });
  });
}

function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
