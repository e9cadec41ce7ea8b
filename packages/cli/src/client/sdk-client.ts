import * as rekognition from '@aws-sdk/client-rekognition';
import type { OperationName, RequestOptions } from '@facekit/core';
import { type ApiClient, ApiError, type ExtensionClientOutput, encodeBytes } from './api-client.js';
import { callExtensionEndpoint } from './extension-request.js';

export interface SdkClientOptions {
  /** Server URL, e.g. `http://127.0.0.1:8080`. */
  endpoint: string;
  /** Signing region. */
  region: string;
  /** A named profile of the shared AWS config files. */
  profile?: string;
  /** Keys to sign with; they take precedence over {@link useCredentialChain}. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Use the SDK's standard credential chain (environment, profiles...). When false and no
   * `credentials` are given, dummy keys are sent, which a local server without authentication
   * (`facekit serve` on loopback with no keys configured) accepts.
   */
  useCredentialChain: boolean;
}

type CommandClass = new (input: unknown) => Parameters<rekognition.RekognitionClient['send']>[0];

/** A running facekit server (or anything speaking Rekognition) through @aws-sdk/client-rekognition. */
export function createSdkClient(options: SdkClientOptions): ApiClient {
  const dummyKeys = !options.credentials && !options.useCredentialChain;
  // The SDK warns once per process that its releases after January 2027 need Node 22; the CLI
  // pins its SDK version, so the warning would only clutter every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new rekognition.RekognitionClient({
    endpoint: options.endpoint,
    region: options.region,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials
      ? { credentials: options.credentials }
      : options.useCredentialChain
        ? {}
        : { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  });
  return {
    description: options.endpoint,
    async call(operation: OperationName, input, requestOptions?: RequestOptions) {
      const Command = (rekognition as unknown as Record<string, CommandClass>)[
        `${operation}Command`
      ];
      if (!Command) throw new Error(`@aws-sdk/client-rekognition has no ${operation}Command`);
      try {
        const command = new Command(input);
        if (requestOptions?.maxFalseAcceptRate !== undefined) {
          addHeader(
            command,
            MAX_FALSE_ACCEPT_RATE_HEADER,
            String(requestOptions.maxFalseAcceptRate),
          );
        }
        const response = (await client.send(command)) as unknown as Record<string, unknown>;
        const { $metadata: _metadata, ...output } = response;
        // biome-ignore lint/suspicious/noExplicitAny: the SDK's output is the wire shape once converted.
        return toWire(output) as any;
      } catch (error) {
        if (error instanceof rekognition.RekognitionServiceException) {
          const hint = dummyKeys && authErrors.has(error.name) ? dummyKeysHint(options) : '';
          throw new ApiError(error.name, `${error.message}${hint}`, { cause: error });
        }
        throw unreachable(error, options.endpoint);
      }
    },
    async callExtension(operation, input, requestOptions?: RequestOptions) {
      const headers: Record<string, string> =
        requestOptions?.maxFalseAcceptRate === undefined
          ? {}
          : { [MAX_FALSE_ACCEPT_RATE_HEADER]: String(requestOptions.maxFalseAcceptRate) };
      try {
        // The server answers the operation's wire shape.
        return (await callExtensionEndpoint(
          options.endpoint,
          {
            region: options.region,
            credentials: () => client.config.credentials(),
            sha256: client.config.sha256,
          },
          operation,
          encodeBytes(input),
          headers,
        )) as ExtensionClientOutput<typeof operation>;
      } catch (error) {
        if (error instanceof ApiError) {
          const hint = dummyKeys && authErrors.has(error.name) ? dummyKeysHint(options) : '';
          throw new ApiError(error.name, `${error.message}${hint}`, { cause: error });
        }
        throw error;
      }
    },
    async close() {
      client.destroy();
    },
  };
}

/** A refused connection, said as such; any other error as it is. */
function unreachable(error: unknown, endpoint: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    return new Error(`cannot reach ${endpoint} (${code}); is facekit serve running?`, {
      cause: error,
    });
  }
  return error;
}

/** What a server with authentication on answers to keys it does not know or a bad signature. */
const authErrors = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
]);

/** Why the keys were refused: none were set, so the CLI signed with placeholders. */
function dummyKeysHint(options: SdkClientOptions): string {
  return ` (facekit signed with dummy keys because no credentials are set, and ${options.endpoint} has authentication on: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key of the server's --credentials-file, or use --profile <name> / AWS_PROFILE)`;
}

/** facekit's extension header (see `@facekit/server-hono`); kept here to spare the CLI that import. */
const MAX_FALSE_ACCEPT_RATE_HEADER = 'x-facekit-max-false-accept-rate';

/**
 * Adds a header to one command's request, before signing: how any SDK user sends facekit's
 * extension headers (README, "Matching by false accept rate").
 */
function addHeader(
  command: Parameters<rekognition.RekognitionClient['send']>[0],
  name: string,
  value: string,
) {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[name] = value;
      return next(args);
    },
    { step: 'build', name: `facekit-${name}` },
  );
}

/** SDK values back to wire JSON: dates to epoch seconds, blobs to base64, no undefined members. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}
