import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import { type CliIo, defaultIo } from './cli-io.js';
import { mainHelp, serveHelp } from './help.js';
import { resolveServeConfig, type ServeFlags } from './serve-config.js';
import type { RunningServer } from './start-server.js';
import { UsageError } from './usage-error.js';

/** What {@link runCli} did: finished with an exit code, or started a server that is still running. */
export type CliResult =
  | { readonly kind: 'exit'; readonly exitCode: number }
  | ({ readonly kind: 'serving' } & RunningServer);

/** Exit code of command-line mistakes (unknown command or flag, bad value). */
export const USAGE_EXIT_CODE = 2;

/**
 * Runs `facekit <argv>` in-process. `serve` resolves once the server listens and leaves signal
 * handling to the caller (the `facekit` binary closes it on SIGINT/SIGTERM), so tests can start
 * and stop servers without spawning processes.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<CliResult> {
  const fullIo: CliIo = { ...defaultIo(), ...io };
  try {
    return await dispatch([...argv], fullIo);
  } catch (error) {
    if (error instanceof UsageError) {
      fullIo.stderr.write(`facekit: ${error.message}\n`);
      return { kind: 'exit', exitCode: USAGE_EXIT_CODE };
    }
    const message = error instanceof Error ? error.message : String(error);
    fullIo.stderr.write(`facekit: ${message}\n`);
    return { kind: 'exit', exitCode: 1 };
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<CliResult> {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-')) {
    const { values } = parse(
      argv,
      { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      "run 'facekit --help'",
    );
    if (values.version) return print(io, `${packageJson.version}\n`);
    if (values.help) return print(io, mainHelp);
    io.stderr.write(mainHelp);
    return { kind: 'exit', exitCode: USAGE_EXIT_CODE };
  }
  if (command === 'help') {
    const topic = rest[0];
    if (topic === undefined) return print(io, mainHelp);
    if (topic === 'serve') return print(io, serveHelp);
    throw new UsageError(`unknown command '${topic}' (run 'facekit --help')`);
  }
  if (command === 'serve') return serve(rest, io);
  throw new UsageError(`unknown command '${command}' (run 'facekit --help')`);
}

async function serve(argv: string[], io: CliIo): Promise<CliResult> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      store: { type: 'string' },
      'data-dir': { type: 'string' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      'log-level': { type: 'string' },
      'face-model': { type: 'string' },
      runtime: { type: 'string' },
      auth: { type: 'string' },
      'credentials-file': { type: 'string' },
      'allow-remote-no-auth': { type: 'boolean' },
      'image-concurrency': { type: 'string' },
      'image-queue-length': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    "run 'facekit serve --help'",
  );
  if (values.help) return print(io, serveHelp);
  const { help: _, ...flags } = values;
  const config = resolveServeConfig(flags as ServeFlags, io.env, io.cwd);
  // Loaded on demand: --help and --version stay fast and work without the native sqlite driver.
  const { startServer } = await import('./start-server.js');
  const server = await startServer(config, io);
  return { kind: 'serving', ...server, close: () => server.close() };
}

type OptionSpecs = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** `parseArgs` in strict mode, with its errors turned into one-line {@link UsageError}s. */
function parse<O extends OptionSpecs>(argv: string[], options: O, hint: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(`${describeParseError(error)} (${hint})`);
  }
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option '${quoted}' needs a value`;
    default:
      return message?.split('\n')[0] ?? String(error);
  }
}

function print(io: CliIo, text: string): CliResult {
  io.stdout.write(text);
  return { kind: 'exit', exitCode: 0 };
}
