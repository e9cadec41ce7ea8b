import type { CliIo } from '../src/index.js';

/** A fake terminal: collects output, and has its own env and cwd. */
export function fakeIo(
  env: Record<string, string> = {},
  cwd = '/tmp',
  tty: { stdout?: boolean; stderr?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: tty.stdout ?? false },
    stderr: { write: (text: string) => err.push(text), isTTY: tty.stderr ?? false, columns: 100 },
    env,
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
