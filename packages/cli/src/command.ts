import { parseArgs } from 'node:util';
import type { CliIo } from './cli-io.js';
import type { ApiClient } from './client/api-client.js';
import { type OutputFormat, outputFormats } from './output.js';
import { resolveServeConfig } from './serve-config.js';
import { UsageError } from './usage-error.js';

/** One option of a command, as `parseArgs` takes it, plus what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown after the flag in the help, e.g. `<n>`. */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` gets. */
export interface CommandContext {
  io: CliIo;
  positionals: string[];
  values: OptionValues;
  output: OutputFormat;
  /** The local service or the SDK, per `--endpoint`; opened on first use, closed after `run`. */
  client(): Promise<ApiClient>;
}

/** A `facekit` subcommand: its help is generated from this, so every command has one. */
export interface Command {
  /** e.g. `['collections', 'create']`. */
  path: readonly string[];
  summary: string;
  /** Positional syntax after the command, e.g. `<collection-id> <face-id>...`. */
  args: string;
  positionals: { min: number; max?: number };
  options: Record<string, OptionSpec>;
  /** Lines of the help's Examples section. */
  examples: readonly string[];
  /** More text after the options, e.g. how resuming works. */
  notes?: string;
  /** `--output` formats beyond table, json and jsonl (`search`: csv). */
  extraOutputFormats?: readonly OutputFormat[];
  /** Returns the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Options every API command has: where the service is, and how to print. */
export const clientOptions: Record<string, OptionSpec> = {
  output: {
    type: 'string',
    short: 'o',
    value: '<format>',
    description:
      'table, json (the Rekognition response) or jsonl; FACEKIT_OUTPUT [table on a terminal, else json]',
  },
  endpoint: {
    type: 'string',
    value: '<url>',
    description: 'call a running server through the AWS SDK; FACEKIT_ENDPOINT [in-process]',
  },
  region: {
    type: 'string',
    value: '<name>',
    description: 'region (ARNs locally, signing remotely); FACEKIT_REGION, AWS_REGION [us-east-1]',
  },
  profile: {
    type: 'string',
    value: '<name>',
    description: 'AWS profile for credentials with --endpoint; AWS_PROFILE [dummy keys]',
  },
  store: {
    type: 'string',
    value: '<kind>',
    description: 'local store: sqlite, memory, faiss or postgres; FACEKIT_STORE [sqlite]',
  },
  'faiss-index': {
    type: 'string',
    value: '<kind>',
    description: 'index of the faiss store: flat or hnsw; FACEKIT_FAISS_INDEX [flat]',
  },
  'vector-index': {
    type: 'string',
    value: '<kind>',
    description:
      'face index of the sqlite store: exact, hnsw or auto; FACEKIT_VECTOR_INDEX [exact]',
  },
  'hnsw-quantization': {
    type: 'string',
    value: '<q>',
    description: 'HNSW vectors of the sqlite store: i8, f16 or f32; FACEKIT_HNSW_QUANTIZATION [i8]',
  },
  'hnsw-threshold': {
    type: 'string',
    value: '<n>',
    description: 'faces from which --vector-index auto uses hnsw; FACEKIT_HNSW_THRESHOLD [50000]',
  },
  'database-url': {
    type: 'string',
    value: '<url>',
    description: 'PostgreSQL of --store postgres, as for serve; FACEKIT_DATABASE_URL [embedded]',
  },
  'data-dir': {
    type: 'string',
    value: '<dir>',
    description: 'local data directory, as for serve; FACEKIT_DATA_DIR [./data]',
  },
  'account-id': {
    type: 'string',
    value: '<12 digits>',
    description: 'account id in local ARNs; FACEKIT_ACCOUNT_ID [000000000000]',
  },
  'face-model': {
    type: 'string',
    value: '<version>',
    description: 'face model of new local collections, or none; FACEKIT_FACE_MODEL [1.0]',
  },
  runtime: {
    type: 'string',
    value: '<name>',
    description: 'local inference: node or web; FACEKIT_RUNTIME [node]',
  },
  'analyzer-workers': {
    type: 'string',
    value: '<n>',
    description:
      'local: threads decoding and running the models, auto (one per core) or n (0: main thread); FACEKIT_ANALYZER_WORKERS [auto]',
  },
  'keep-source-images': {
    type: 'boolean',
    description: 'local: keep indexed images, as for serve; FACEKIT_KEEP_SOURCE_IMAGES [off]',
  },
};

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

export function commandHelp(command: Command): string {
  const name = `facekit ${command.path.join(' ')}`;
  const flag = (key: string, spec: OptionSpec) =>
    `${spec.short ? `-${spec.short}, ` : '    '}--${key}${spec.value ? ` ${spec.value}` : ''}${spec.multiple ? ' (repeatable)' : ''}`;
  const rows = Object.entries({ ...command.options, help: helpOption }).map(
    ([key, spec]) => [flag(key, spec), spec.description] as const,
  );
  const common = Object.entries(clientOptions).map(
    ([key, spec]) => [flag(key, spec), spec.description] as const,
  );
  const width = Math.max(...[...rows, ...common].map(([f]) => f.length)) + 2;
  const list = (items: readonly (readonly [string, string])[]) =>
    items.map(([f, d]) => `  ${f.padEnd(width)}${d}\n`).join('');
  return (
    `${name} - ${command.summary}\n\nUsage:\n  ${name}${command.args ? ` ${command.args}` : ''} [options]\n\n` +
    `Options:\n${list(rows)}\nWhere the service is and how to print (all commands):\n${list(common)}` +
    (command.notes ? `\n${command.notes.trimEnd()}\n` : '') +
    `\nExamples:\n${command.examples.map((e) => `  ${e}\n`).join('')}`
  );
}

/** Parses argv for `command`; throws {@link UsageError} with a hint to its help. */
export function parseCommandArgs(command: Command, argv: string[]) {
  const hint = `run 'facekit ${command.path.join(' ')} --help'`;
  const options = { ...command.options, ...clientOptions, help: helpOption };
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([k, { type, short, multiple }]) => [
          k,
          { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
        ]),
      ),
      strict: true,
      allowPositionals: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (error) {
    throw new UsageError(`${describeParseError(error)} (${hint})`);
  }
  if (parsed.values.help) return { ...parsed, help: true as const };
  const { min, max } = command.positionals;
  const n = parsed.positionals.length;
  if (n < min) {
    throw new UsageError(`missing arguments: expected ${command.args} (${hint})`);
  }
  if (max !== undefined && n > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}' (${hint})`);
  }
  return { ...parsed, help: false as const };
}

export function describeParseError(error: unknown): string {
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

/** `--output`, then FACEKIT_OUTPUT, then a table on a terminal and JSON in pipes. */
export function resolveOutput(
  values: OptionValues,
  io: CliIo,
  extra: readonly OutputFormat[] = [],
): OutputFormat {
  const given = (values.output as string | undefined) ?? (io.env.FACEKIT_OUTPUT || undefined);
  if (given === undefined) return io.stdout.isTTY ? 'table' : 'json';
  const allowed = [...outputFormats, ...extra];
  if (!allowed.includes(given as OutputFormat)) {
    // FACEKIT_OUTPUT=csv is meant for the commands that have it: the others print JSON.
    if (values.output === undefined && given === 'csv') return 'json';
    const source = values.output !== undefined ? '--output' : 'FACEKIT_OUTPUT';
    throw new UsageError(`invalid ${source} '${given}': expected ${allowed.join(', ')}`);
  }
  return given as OutputFormat;
}

/** Opens the client the flags ask for: the SDK with `--endpoint`, the local service otherwise. */
export async function openClient(values: OptionValues, io: CliIo): Promise<ApiClient> {
  const env = io.env;
  const endpoint = endpointOf(values, io);
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(
        `invalid --endpoint '${endpoint}': expected a URL such as http://127.0.0.1:8080`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`invalid --endpoint '${endpoint}': expected an http(s) URL`);
    }
    const region =
      (values.region as string | undefined) ??
      (env.FACEKIT_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
    const profile = (values.profile as string | undefined) ?? (env.AWS_PROFILE || undefined);
    const { createSdkClient } = await import('./client/sdk-client.js');
    return createSdkClient({
      endpoint: endpoint.replace(/\/+$/, ''),
      region,
      ...(profile ? { profile } : {}),
      // Keys in the CLI's environment are used as they are (the environment a caller hands to
      // runCli need not be process.env); otherwise the SDK's chain when a profile or web identity
      // is configured, and dummy keys for a local server without authentication.
      ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
      useCredentialChain: Boolean(profile || env.AWS_WEB_IDENTITY_TOKEN_FILE),
    });
  }
  const { createLocalClient } = await import('./client/local-client.js');
  return createLocalClient(resolveLocalConfig(values, io));
}

/** The endpoint the flags or FACEKIT_ENDPOINT name, if any. */
export function endpointOf(values: OptionValues, io: CliIo): string | undefined {
  return (values.endpoint as string | undefined) ?? (io.env.FACEKIT_ENDPOINT || undefined);
}

/** Store, data directory and model flags resolved as `serve` resolves them, for in-process work. */
export function resolveLocalConfig(values: OptionValues, io: CliIo) {
  return resolveServeConfig(
    {
      store: values.store as string | undefined,
      'data-dir': values['data-dir'] as string | undefined,
      'faiss-index': values['faiss-index'] as string | undefined,
      'vector-index': values['vector-index'] as string | undefined,
      'hnsw-quantization': values['hnsw-quantization'] as string | undefined,
      'hnsw-threshold': values['hnsw-threshold'] as string | undefined,
      'database-url': values['database-url'] as string | undefined,
      region: values.region as string | undefined,
      'account-id': values['account-id'] as string | undefined,
      'face-model': values['face-model'] as string | undefined,
      runtime: values.runtime as string | undefined,
      'analyzer-workers': values['analyzer-workers'] as string | undefined,
      'keep-source-images': values['keep-source-images'] as boolean | undefined,
    },
    io.env,
    io.cwd,
  );
}

/** An integer or decimal flag value. */
export function numberFlag(values: OptionValues, key: string): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?\d+(\.\d+)?$/.test(raw)) {
    throw new UsageError(`invalid --${key} '${String(raw)}': expected a number`);
  }
  return Number(raw);
}

export const stringFlag = (values: OptionValues, key: string) => values[key] as string | undefined;

export const listFlag = (values: OptionValues, key: string) => values[key] as string[] | undefined;

/** Drops undefined members, so requests carry only what was given. */
export function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}
