import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ApiHarness } from '../api/api-frontend.js';
import { apiScenarioSuite } from '../api/api-scenarios.js';
import {
  type DocumentedExample,
  documentedExampleSuite,
  loadDocumentedExamples,
} from '../api/documented-examples.js';
import {
  defineScenarios,
  formatShapeDifferences,
  runScenarioSuite,
  type ScenarioGroup,
  type ScenarioResult,
} from '../api/scenario-suite.js';
import { createSdkFrontend } from '../api/sdk-frontend.js';
import { createPrefixedFrontend, type PrefixedFrontend } from './prefixed-frontend.js';

/** Where the command writes; `process` by default, fakes in tests. */
export interface ConformanceIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

const USAGE = `facekit-conformance - checks that a server speaks the Amazon Rekognition face API

Usage:
  facekit-conformance --endpoint <url> [options]
  facekit-conformance --real-aws [--region <name>] [options]

Runs facekit's API scenarios and the AWS documentation's examples against the endpoint through
the AWS SDK, and checks every response field by field against the API model's output shapes
(values only where they are deterministic). Everything it creates lives in collections named
facekit-conformance-<random>-..., deleted at the end, also after failures.

Options:
  --endpoint <url>     the server, e.g. http://127.0.0.1:8080
  --region <name>      signing region; AWS_REGION, AWS_DEFAULT_REGION [us-east-1]
  --real-aws           allow Amazon's own endpoints (*.amazonaws.com, or no --endpoint); this
                       creates and deletes collections in your AWS account and costs money
  --output <format>    text (default) or json
  --filter <regex>     only scenarios whose full name matches
  --photos <dir>       sample1.jpg and sample3.jpg for the image scenarios [the face-api samples]
  --skip-images        leave out the image scenarios (for a server without face models)
  --spec-dir <dir>     read the documented examples from botocore/Smithy files here
                       [FACEKIT_SPEC_DIR, else the copy shipped with this package]
  -h, --help           this help

Credentials: the AWS SDK's standard chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE, SSO, roles).
Without any, against a non-AWS endpoint, dummy keys are sent (for a server without auth).
Exit code: 0 when nothing failed, 1 when a scenario failed, 2 for a usage error.
`;

class UsageError extends Error {}

/** Runs the command; resolves with its exit code. */
export async function runConformance(
  argv: readonly string[],
  io: ConformanceIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  signal?: AbortSignal,
): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`facekit-conformance: ${error.message}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  return run(options, io, signal);
}

function parseOptions(argv: readonly string[], io: ConformanceIo) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'real-aws': { type: 'boolean' },
        output: { type: 'string' },
        filter: { type: 'string' },
        photos: { type: 'string' },
        'skip-images': { type: 'boolean' },
        'spec-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (run with --help)`);
  }
  if (values.help) return { help: true as const };
  const endpoint = values.endpoint as string | undefined;
  const realAws = values['real-aws'] === true;
  if (endpoint === undefined && !realAws) {
    throw new UsageError('--endpoint <url> is required (or --real-aws for Amazon Rekognition)');
  }
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`invalid --endpoint '${endpoint}': expected a URL`);
    }
    if (/(^|\.)amazonaws\.com(\.cn)?$/i.test(url.hostname) && !realAws) {
      throw new UsageError(
        `${url.hostname} is Amazon Rekognition itself: the scenarios create and delete collections in your AWS account and are billed; add --real-aws to run them there`,
      );
    }
  }
  const output = (values.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new UsageError(`invalid --output '${output}': expected text or json`);
  }
  let filter: RegExp | undefined;
  if (values.filter !== undefined) {
    try {
      filter = new RegExp(values.filter as string);
    } catch {
      throw new UsageError(`invalid --filter '${values.filter}': not a regular expression`);
    }
  }
  return {
    help: false as const,
    endpoint: endpoint?.replace(/\/+$/, ''),
    realAws,
    region:
      (values.region as string | undefined) ??
      (io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || 'us-east-1'),
    output: output as 'text' | 'json',
    filter,
    photosDir: values.photos as string | undefined,
    skipImages: values['skip-images'] === true,
    specDir: (values['spec-dir'] as string | undefined) ?? (io.env.FACEKIT_SPEC_DIR || undefined),
  };
}

type Options = Exclude<ReturnType<typeof parseOptions>, { help: true }>;

async function run(
  options: Options,
  io: ConformanceIo,
  signal: AbortSignal | undefined,
): Promise<number> {
  const runPrefix = `facekit-conformance-${crypto.randomUUID().slice(0, 8)}-`;
  const target = options.endpoint ?? `Amazon Rekognition (${options.region})`;
  const sdk = await openSdkFrontend(options, io);
  const root = createPrefixedFrontend(sdk, runPrefix);
  const operationLog = new Set<string>();
  const text = options.output === 'text';
  if (text) io.stdout.write(`facekit-conformance: ${target}, collections ${runPrefix}*\n`);

  let results: ScenarioResult[] = [];
  let setupError: unknown;
  let leftovers: string[] = [];
  try {
    const accountId = await probeAccountId(root);
    const photos = options.skipImages ? undefined : loadPhotos(options.photosDir);
    let scenarioNumber = 0;
    const setup = async (): Promise<ApiHarness> => {
      scenarioNumber++;
      const prefixed = createPrefixedFrontend(sdk, `${runPrefix}${scenarioNumber}-`);
      return {
        frontend: {
          name: prefixed.name,
          sendsRawInput: false,
          async call(operation, input) {
            operationLog.add(operation);
            return prefixed.call(operation, input);
          },
        },
        ...(photos ? { photos } : {}),
        region: options.region,
        accountId,
        async close() {
          await prefixed.deleteCollections();
        },
      };
    };
    const examples = documentedExamples(options.specDir);
    const suite: ScenarioGroup = defineScenarios('conformance', () => {});
    suite.children.push(apiScenarioSuite(target, setup));
    suite.children.push(documentedExampleSuite(target, setup, examples));
    results = await runScenarioSuite(suite, {
      filter: options.filter,
      operationLog,
      signal,
      onResult: text ? (result) => io.stdout.write(formatResult(result)) : undefined,
    });
  } catch (error) {
    setupError = error;
  } finally {
    leftovers = await root.deleteCollections().catch((error: unknown) => {
      io.stderr.write(
        `facekit-conformance: could not delete the collections ${runPrefix}*: ${(error as Error).message}\n`,
      );
      return [];
    });
    sdk.client.destroy();
  }

  const count = (status: ScenarioResult['status']) =>
    results.filter((r) => r.status === status).length;
  const summary = { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
  const failed = summary.failed > 0 || setupError !== undefined || signal?.aborted === true;
  if (text) {
    if (setupError !== undefined) {
      io.stdout.write(
        `\nCould not run the scenarios: ${(setupError as Error).message ?? setupError}\n`,
      );
    }
    const failures = results.filter((r) => r.status === 'failed');
    if (failures.length > 0) {
      io.stdout.write(`\nFailures:\n${failures.map((f) => formatResult(f, true)).join('')}`);
    }
    io.stdout.write(
      `\nCleaned up ${leftovers.length} leftover collection${leftovers.length === 1 ? '' : 's'}.\n` +
        `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`,
    );
  } else {
    io.stdout.write(
      `${JSON.stringify(
        {
          target,
          region: options.region,
          collectionPrefix: runPrefix,
          ok: !failed,
          ...(setupError !== undefined
            ? { error: (setupError as Error).message ?? String(setupError) }
            : {}),
          summary,
          results: results.map((r) => ({
            name: r.path.slice(1).join(' > '),
            operations: r.operations,
            status: r.status,
            ...(r.message !== undefined ? { message: r.message } : {}),
            ...(r.differences ? { differences: r.differences } : {}),
            durationMs: r.durationMs,
          })),
        },
        null,
        2,
      )}\n`,
    );
  }
  return failed ? 1 : 0;
}

async function openSdkFrontend(options: Options, io: ConformanceIo) {
  const frontend = createSdkFrontend({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    region: options.region,
    credentials: 'default-chain',
    maxAttempts: options.realAws ? 3 : 1,
  });
  try {
    await frontend.client.config.credentials();
    return frontend;
  } catch (error) {
    frontend.client.destroy();
    if (options.realAws) throw error;
    io.stderr.write(
      'facekit-conformance: no AWS credentials found; sending dummy keys (fine for a server without auth)\n',
    );
    return createSdkFrontend({
      endpoint: options.endpoint,
      region: options.region,
      credentials: { accessKeyId: 'facekit-conformance', secretAccessKey: 'facekit-conformance' },
    });
  }
}

/** The account in the server's ARNs, from a collection made and deleted for the purpose. */
async function probeAccountId(frontend: PrefixedFrontend): Promise<string> {
  const created = await frontend.call('CreateCollection', { CollectionId: 'probe' });
  await frontend.call('DeleteCollection', { CollectionId: 'probe' });
  const arn = typeof created.CollectionArn === 'string' ? created.CollectionArn : '';
  return /^(?:arn:)?aws:rekognition:[^:]*:([^:]*):/.exec(arn)?.[1] ?? '000000000000';
}

const PHOTOS = ['sample1.jpg', 'sample3.jpg'];

/** The face-api sample photos (an npm dependency), or those of --photos. */
function loadPhotos(dir: string | undefined): Record<string, Uint8Array> | undefined {
  let from = dir;
  if (from === undefined) {
    try {
      const require = createRequire(import.meta.url);
      from = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
    } catch {
      return undefined;
    }
  }
  if (!PHOTOS.every((name) => existsSync(join(from, name)))) {
    if (dir !== undefined) throw new Error(`--photos ${dir} must hold ${PHOTOS.join(' and ')}`);
    return undefined;
  }
  return Object.fromEntries(
    PHOTOS.map((name) => [name, new Uint8Array(readFileSync(join(from, name)))]),
  );
}

/** From --spec-dir when given, else the copy shipped in `fixtures/`. */
function documentedExamples(specDir: string | undefined): DocumentedExample[] {
  if (specDir !== undefined) return loadDocumentedExamples(specDir);
  return JSON.parse(readFileSync(shippedExamplesPath(), 'utf8')) as DocumentedExample[];
}

/** `fixtures/documented-examples.json` of this package, from `src/tool` or `dist/`. */
export function shippedExamplesPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (readdirSync(dir).includes('package.json')) break;
    dir = resolve(dir, '..');
  }
  return join(dir, 'fixtures', 'documented-examples.json');
}

function formatResult(result: ScenarioResult, detailed = false): string {
  const mark = { passed: '✓', failed: '✗', skipped: '-' }[result.status];
  const operations = result.operations.length > 0 ? ` [${result.operations.join(', ')}]` : '';
  const name = result.path.slice(1).join(' > ');
  let line = `${mark} ${name}${operations}`;
  if (result.status === 'skipped' && result.message) line += ` (skipped: ${result.message})`;
  if (result.status === 'failed' && !detailed) line += ' FAILED';
  if (!detailed || result.status !== 'failed') return `${line}\n`;
  const body = result.differences
    ? `${result.message?.split('\n')[0]}\n${formatShapeDifferences(result.differences)}`
    : (result.message ?? '');
  return `${line}\n${body
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}
