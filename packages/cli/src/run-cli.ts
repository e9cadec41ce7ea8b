import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import { type CliIo, defaultIo } from './cli-io.js';
import { type ApiClient, ApiError } from './client/api-client.js';
import {
  type Command,
  commandHelp,
  describeParseError,
  openClient,
  parseCommandArgs,
  resolveOutput,
} from './command.js';
import { commands } from './commands/index.js';
import { groupHelp, mainHelp, serveHelp } from './help.js';
import { imageObjectsParseOptions } from './image-objects.js';
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
      fullIo.stderr.write(`facekit: ${oneLine(error.message)}\n`);
      return { kind: 'exit', exitCode: USAGE_EXIT_CODE };
    }
    // API errors keep their Rekognition name, so scripts can tell them apart.
    const message =
      error instanceof ApiError
        ? `${error.name}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    fullIo.stderr.write(`facekit: ${oneLine(message)}\n`);
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
    const found = findCommand(rest);
    if (found) return print(io, commandHelp(found.command));
    if (groups.has(topic)) return print(io, groupHelp(topic, commandsOf(topic)));
    throw new UsageError(`unknown command '${rest.join(' ')}' (run 'facekit --help')`);
  }
  if (command === 'serve') return serve(rest, io);
  const found = findCommand(argv);
  if (found) return runCommand(found.command, found.rest, io);
  if (groups.has(command)) {
    const sub = rest[0];
    if (sub === undefined || sub === '-h' || sub === '--help') {
      if (sub === undefined) {
        io.stderr.write(groupHelp(command, commandsOf(command)));
        return { kind: 'exit', exitCode: USAGE_EXIT_CODE };
      }
      return print(io, groupHelp(command, commandsOf(command)));
    }
    throw new UsageError(`unknown command '${command} ${sub}' (run 'facekit ${command} --help')`);
  }
  throw new UsageError(`unknown command '${command}' (run 'facekit --help')`);
}

/** Command groups with subcommands (`collections`, `faces`, `users`). */
const groups = new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]));
const commandsOf = (group: string) => commands.filter((c) => c.path[0] === group);

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const command = commands.find((c) => c.path.every((part, i) => argv[i] === part));
  return command && { command, rest: argv.slice(command.path.length) };
}

/** Parses, opens the client on first use, runs, and always closes the client. */
async function runCommand(command: Command, argv: string[], io: CliIo): Promise<CliResult> {
  const parsed = parseCommandArgs(command, argv);
  if (parsed.help) return print(io, commandHelp(command));
  const output = resolveOutput(parsed.values, io, command.extraOutputFormats);
  let opened: Promise<ApiClient> | undefined;
  try {
    const exitCode = await command.run({
      io,
      output,
      positionals: parsed.positionals,
      values: parsed.values,
      client: () => {
        opened ??= openClient(parsed.values, io);
        return opened;
      },
    });
    return { kind: 'exit', exitCode };
  } finally {
    if (opened) await (await opened.catch(() => undefined))?.close();
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

async function serve(argv: string[], io: CliIo): Promise<CliResult> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      store: { type: 'string' },
      'data-dir': { type: 'string' },
      'faiss-index': { type: 'string' },
      'vector-index': { type: 'string' },
      'hnsw-quantization': { type: 'string' },
      'hnsw-threshold': { type: 'string' },
      'database-url': { type: 'string' },
      'pg-search': { type: 'string' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      'log-level': { type: 'string' },
      'face-model': { type: 'string' },
      runtime: { type: 'string' },
      'analyzer-workers': { type: 'string' },
      auth: { type: 'string' },
      'credentials-file': { type: 'string' },
      'allow-remote-no-auth': { type: 'boolean' },
      'image-concurrency': { type: 'string' },
      'image-queue-length': { type: 'string' },
      'keep-source-images': { type: 'boolean' },
      console: { type: 'boolean' },
      ...imageObjectsParseOptions,
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

function print(io: CliIo, text: string): CliResult {
  io.stdout.write(text);
  return { kind: 'exit', exitCode: 0 };
}
