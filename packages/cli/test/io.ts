import type { CliIo } from '../src/index.js';

/** A fake terminal: collects output, and has its own env and cwd. */
export function fakeIo(env: Record<string, string> = {}, cwd = '/tmp') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
