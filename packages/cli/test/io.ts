import { type CliIo, runCli } from '../src/index.js';

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

/** How a command ended: its exit code and all it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `facekit <argv>` in-process in a fresh {@link fakeIo} terminal, to its exit.
 * @param options.tty whether stdout and stderr are terminals.
 * @throws {Error} when the command keeps running (a server, which is closed first).
 */
export async function runToExit(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string; tty?: boolean } = {},
): Promise<CliRun> {
  const t = fakeIo(options.env, options.cwd, { stdout: options.tty, stderr: options.tty });
  const result = await runCli(argv, t.io);
  if (result.kind !== 'exit') {
    await result.close();
    throw new Error('a command kept running');
  }
  return { code: result.exitCode, stdout: t.stdout(), stderr: t.stderr() };
}
