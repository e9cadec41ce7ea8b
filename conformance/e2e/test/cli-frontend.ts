import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@facekit/cli';
import {
  ApiCallError,
  type ApiFrontend,
  FrontendLimitation,
  type WireObject,
} from '@facekit/conformance/api';
import type { OperationName } from '@facekit/core';

/**
 * The `facekit` command line as a frontend: each call becomes the argv a user would type (the
 * command, flags, image files written to a temporary folder), runs through `runCli` in-process
 * (the same argv parsing and printing as the binary) with `--output json`, and the printed JSON
 * is the response. Errors are read back from the one-line `facekit: <Name>: <message>`.
 * Calls the CLI cannot express (no command, unknown members, non-numeric numbers...) throw
 * {@link FrontendLimitation}, which skips the scenario with the reason.
 */
export function createCliFrontend(options: {
  name: string;
  env: Record<string, string>;
  /**
   * Whether a ClientRequestToken is remembered from one CLI run to the next. Not in-process: the
   * service keeps tokens in memory, and every local run is a new service.
   */
  tokensOutliveRuns: boolean;
}): ApiFrontend & { close(): void } {
  const files = mkdtempSync(join(tmpdir(), 'facekit-cli-frontend-'));
  let fileCount = 0;
  const imageFile = (image: unknown, member: string): string => {
    const { Bytes, ...rest } = (image ?? {}) as { Bytes?: unknown };
    if (Object.keys(rest).length > 0 || typeof Bytes !== 'string') {
      throw new FrontendLimitation(`the CLI takes ${member} only as a file (Bytes)`);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(Bytes) || Bytes.length % 4 !== 0) {
      throw new FrontendLimitation(`the CLI cannot send malformed base64 in ${member}`);
    }
    const path = join(files, `image-${++fileCount}.bin`);
    writeFileSync(path, Buffer.from(Bytes, 'base64'));
    return path;
  };

  return {
    name: options.name,
    sendsRawInput: false,
    async call(operation: OperationName, input: WireObject) {
      if (!options.tokensOutliveRuns && input.ClientRequestToken !== undefined) {
        throw new FrontendLimitation(
          'local CLI runs do not share idempotency tokens (the service keeps them in memory per process)',
        );
      }
      const argv = toArgv(operation, input, imageFile);
      const out: string[] = [];
      const err: string[] = [];
      const result = await runCli(
        [...argv.command, '--output', 'json', '--', ...argv.positionals],
        {
          stdout: { write: (text: string) => out.push(text) },
          stderr: { write: (text: string) => err.push(text) },
          env: options.env,
          cwd: files,
        },
      );
      if (result.kind !== 'exit') throw new Error(`facekit ${argv.command.join(' ')} did not exit`);
      const stderr = err.join('');
      if (result.exitCode === 0) return JSON.parse(out.join('')) as WireObject;
      const match = /^facekit: ([A-Za-z]+(?:Exception|Error)): (.*)\n$/s.exec(stderr);
      if (result.exitCode === 1 && match)
        throw new ApiCallError({ name: match[1], message: match[2] });
      throw new Error(
        `facekit ${[...argv.command, '--', ...argv.positionals].join(' ')} exited ${result.exitCode}: ${stderr}`,
      );
    },
    close() {
      rmSync(files, { recursive: true, force: true });
    },
  };
}

interface Argv {
  command: string[];
  positionals: string[];
}

/** Reads members off the input; whatever is left at the end has no CLI flag. */
class Members {
  readonly #input: WireObject;
  readonly #operation: string;
  readonly #used = new Set<string>();

  constructor(operation: string, input: WireObject) {
    this.#operation = operation;
    this.#input = input;
  }

  take(key: string): unknown {
    this.#used.add(key);
    return this.#input[key];
  }

  /** A required positional string. */
  positional(key: string): string {
    const value = this.take(key);
    if (typeof value !== 'string') {
      throw new FrontendLimitation(`the CLI needs ${this.#operation}.${key} as an argument`);
    }
    return value;
  }

  positionalList(key: string): string[] {
    const value = this.take(key);
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new FrontendLimitation(`the CLI needs ${this.#operation}.${key} as arguments`);
    }
    return value as string[];
  }

  /** `--flag value` for a string or number member, nothing when absent. */
  flag(key: string, flag: string, type: 'string' | 'number'): string[] {
    const value = this.take(key);
    if (value === undefined || value === null) return [];
    const ok =
      type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : typeof value === 'string';
    if (!ok)
      throw new FrontendLimitation(`the CLI's --${flag} cannot carry ${JSON.stringify(value)}`);
    return [`--${flag}`, String(value)];
  }

  repeated(key: string, flag: string): string[] {
    const value = this.take(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new FrontendLimitation(`the CLI's --${flag} cannot carry ${JSON.stringify(value)}`);
    }
    return value.flatMap((v) => [`--${flag}`, v as string]);
  }

  done(): void {
    const left = Object.keys(this.#input).filter(
      (k) => !this.#used.has(k) && this.#input[k] !== undefined && this.#input[k] !== null,
    );
    if (left.length > 0) {
      throw new FrontendLimitation(`the CLI has no flag for ${this.#operation}.${left.join(', ')}`);
    }
  }
}

function toArgv(
  operation: OperationName,
  input: WireObject,
  imageFile: (image: unknown, member: string) => string,
): Argv {
  const m = new Members(operation, input);
  const page = () => [
    ...m.flag('MaxResults', 'max-results', 'number'),
    ...m.flag('NextToken', 'next-token', 'string'),
  ];
  const token = () => m.flag('ClientRequestToken', 'client-request-token', 'string');
  let argv: Argv;
  switch (operation) {
    case 'CreateCollection': {
      const id = m.positional('CollectionId');
      const tags = m.take('Tags');
      if (tags !== undefined && (typeof tags !== 'object' || tags === null)) {
        throw new FrontendLimitation('the CLI takes Tags as key=value');
      }
      argv = {
        command: [
          'collections',
          'create',
          ...Object.entries((tags ?? {}) as Record<string, string>).flatMap(([k, v]) => [
            '--tag',
            `${k}=${v}`,
          ]),
        ],
        positionals: [id],
      };
      break;
    }
    case 'DeleteCollection':
      argv = { command: ['collections', 'delete'], positionals: [m.positional('CollectionId')] };
      break;
    case 'DescribeCollection':
      argv = { command: ['collections', 'describe'], positionals: [m.positional('CollectionId')] };
      break;
    case 'ListCollections':
      argv = { command: ['collections', 'list', ...page()], positionals: [] };
      break;
    case 'IndexFaces': {
      const id = m.positional('CollectionId');
      const file = imageFile(m.take('Image'), 'Image');
      argv = {
        command: [
          'index',
          '--force',
          '--quiet',
          '--concurrency',
          '1',
          ...m.flag('ExternalImageId', 'external-image-id', 'string'),
          ...m.flag('MaxFaces', 'max-faces', 'number'),
          ...m.flag('QualityFilter', 'quality-filter', 'string'),
          ...m.repeated('DetectionAttributes', 'attributes'),
        ],
        positionals: [id, file],
      };
      break;
    }
    case 'ListFaces':
      argv = {
        command: [
          'faces',
          'list',
          ...m.flag('UserId', 'user-id', 'string'),
          ...m.repeated('FaceIds', 'face-id'),
          ...page(),
        ],
        positionals: [m.positional('CollectionId')],
      };
      break;
    case 'DeleteFaces':
      argv = {
        command: ['faces', 'delete'],
        positionals: [m.positional('CollectionId'), ...m.positionalList('FaceIds')],
      };
      break;
    case 'SearchFaces':
      argv = {
        command: [
          'search-face',
          ...m.flag('FaceMatchThreshold', 'threshold', 'number'),
          ...m.flag('MaxFaces', 'max-faces', 'number'),
        ],
        positionals: [m.positional('CollectionId'), m.positional('FaceId')],
      };
      break;
    case 'SearchFacesByImage':
      argv = {
        command: [
          'search',
          ...m.flag('FaceMatchThreshold', 'threshold', 'number'),
          ...m.flag('MaxFaces', 'max-faces', 'number'),
          ...m.flag('QualityFilter', 'quality-filter', 'string'),
        ],
        positionals: [m.positional('CollectionId'), imageFile(m.take('Image'), 'Image')],
      };
      break;
    case 'DetectFaces':
      argv = {
        command: ['detect', ...m.repeated('Attributes', 'attributes')],
        positionals: [imageFile(m.take('Image'), 'Image')],
      };
      break;
    case 'CompareFaces':
      argv = {
        command: [
          'compare',
          ...m.flag('SimilarityThreshold', 'threshold', 'number'),
          ...m.flag('QualityFilter', 'quality-filter', 'string'),
        ],
        positionals: [
          imageFile(m.take('SourceImage'), 'SourceImage'),
          imageFile(m.take('TargetImage'), 'TargetImage'),
        ],
      };
      break;
    case 'CreateUser':
    case 'DeleteUser':
      argv = {
        command: ['users', operation === 'CreateUser' ? 'create' : 'delete', ...token()],
        positionals: [m.positional('CollectionId'), m.positional('UserId')],
      };
      break;
    case 'ListUsers':
      argv = { command: ['users', 'list', ...page()], positionals: [m.positional('CollectionId')] };
      break;
    case 'AssociateFaces':
      argv = {
        command: [
          'users',
          'associate',
          ...m.flag('UserMatchThreshold', 'threshold', 'number'),
          ...token(),
        ],
        positionals: [
          m.positional('CollectionId'),
          m.positional('UserId'),
          ...m.positionalList('FaceIds'),
        ],
      };
      break;
    case 'DisassociateFaces':
      argv = {
        command: ['users', 'disassociate', ...token()],
        positionals: [
          m.positional('CollectionId'),
          m.positional('UserId'),
          ...m.positionalList('FaceIds'),
        ],
      };
      break;
    case 'SearchUsers':
      argv = {
        command: [
          'users',
          'search',
          ...m.flag('UserId', 'user-id', 'string'),
          ...m.flag('FaceId', 'face-id', 'string'),
          ...m.flag('UserMatchThreshold', 'threshold', 'number'),
          ...m.flag('MaxUsers', 'max-users', 'number'),
        ],
        positionals: [m.positional('CollectionId')],
      };
      break;
    case 'SearchUsersByImage':
      argv = {
        command: [
          'users',
          'search',
          '--image',
          imageFile(m.take('Image'), 'Image'),
          ...m.flag('UserMatchThreshold', 'threshold', 'number'),
          ...m.flag('MaxUsers', 'max-users', 'number'),
          ...m.flag('QualityFilter', 'quality-filter', 'string'),
        ],
        positionals: [m.positional('CollectionId')],
      };
      break;
    case 'ListTagsForResource':
      argv = { command: ['tags', 'list'], positionals: [m.positional('ResourceArn')] };
      break;
    case 'TagResource': {
      const arn = m.positional('ResourceArn');
      const tags = m.take('Tags');
      if (typeof tags !== 'object' || tags === null) {
        throw new FrontendLimitation('the CLI takes Tags as key=value');
      }
      argv = {
        command: ['tags', 'add'],
        positionals: [arn, ...Object.entries(tags).map(([k, v]) => `${k}=${v}`)],
      };
      break;
    }
    case 'UntagResource':
      argv = {
        command: ['tags', 'remove'],
        positionals: [m.positional('ResourceArn'), ...m.positionalList('TagKeys')],
      };
      break;
    default:
      throw new FrontendLimitation(`the CLI has no command for ${operation}`);
  }
  m.done();
  return argv;
}
