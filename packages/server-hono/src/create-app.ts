import {
  ImageTooLargeException,
  type OperationName,
  operationNames,
  operations,
  RekognitionError,
  SerializationException,
  UnknownOperationException,
} from '@facekit/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type AppEnv, AWS_JSON_CONTENT_TYPE, awsJsonError, TARGET_PREFIX } from './aws-json.js';
import type { Logger, RequestLogFields } from './logger.js';

/** What the app needs from the core: `FaceService` satisfies it. */
export interface OperationExecutor {
  /**
   * Runs one operation with its untrusted JSON input.
   * @throws {RekognitionError} for every expected failure; anything else becomes a 500.
   */
  execute(operation: OperationName, input: unknown): Promise<unknown>;
}

export interface CreateAppOptions {
  /** Usually a `FaceService`. */
  service: OperationExecutor;
  /** Receives one `info` line per request and the stack of unexpected errors. Default: none. */
  logger?: Logger;
  /**
   * Largest accepted request body, in bytes. Default 16 MiB: Rekognition images are at most
   * 5 MiB, about 7 MB once base64-encoded, and CompareFaces carries two of them.
   */
  maxBodyBytes?: number;
}

/** Default {@link CreateAppOptions.maxBodyBytes}: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Media types accepted in `Content-Type` (parameters such as `charset` are ignored). */
const ACCEPTED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  AWS_JSON_CONTENT_TYPE,
  // Lets people try the API with `curl -H 'Content-Type: application/json'`; the body is the same.
  'application/json',
]);

const knownOperations: ReadonlySet<string> = new Set(operationNames);

/** Operations whose model declares ImageTooLargeException: the ones that carry `Image.Bytes`. */
const imageOperations: ReadonlySet<string> = new Set(
  operationNames.filter((name) => operations[name].errors?.includes('ImageTooLargeException')),
);

const HEALTH_PATH = '/health';

/**
 * The Amazon Rekognition face API over the AWS JSON 1.1 protocol, as a runtime-agnostic Hono app.
 *
 * Every `POST`, whatever its path (the SDK appends `/` to the endpoint's own path), is dispatched
 * on `X-Amz-Target: RekognitionService.<Operation>`. Responses are 200 with the output as JSON,
 * or an AWS JSON error: 400 for client faults, 500 for server faults (`InternalServerError`,
 * `ThrottlingException`). `GET /health` answers `{"status":"ok"}` for load balancers; any other
 * method gets a 405 AWS JSON error. Every response carries `x-amzn-RequestId` and `Date`.
 *
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/error-handling.html
 */
export function createApp(options: CreateAppOptions): Hono<AppEnv> {
  const { service, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();
    const requestId = crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('x-amzn-RequestId', requestId);
    // The SDKs correct clock skew from `Date`; Node adds one, but other runtimes may not.
    c.res.headers.set('Date', new Date().toUTCString());
    if (!logger) return;
    const fields: RequestLogFields = {
      requestId,
      operation: c.get('operation'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      errorType: c.get('errorType'),
      errorMessage: c.get('errorMessage'),
    };
    const line = `${fields.operation ?? `${fields.method} ${fields.path}`} ${fields.status}`;
    const isHealthCheck = c.req.path === HEALTH_PATH && c.req.method !== 'POST';
    safely(() =>
      isHealthCheck ? logger.debug?.(line, { ...fields }) : logger.info(line, { ...fields }),
    );
  });

  app.onError((error, c) => {
    if (RekognitionError.isInstance(error)) {
      return awsJsonError(c, error.$fault === 'server' ? 500 : 400, error.name, error.message);
    }
    safely(() =>
      logger?.error('Unhandled error', {
        requestId: c.get('requestId'),
        operation: c.get('operation'),
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
    );
    return awsJsonError(c, 500, 'InternalServerError', 'Internal server error');
  });

  app.notFound((c) =>
    awsJsonError(c, 404, 'UnknownOperationException', `No route for ${c.req.method} ${c.req.path}`),
  );

  app.get(HEALTH_PATH, (c) => c.json({ status: 'ok' }));

  app.post(
    '*',
    async (c, next) => {
      const target = c.req.header('x-amz-target');
      if (target === undefined || target === '') {
        throw new UnknownOperationException(
          `Missing X-Amz-Target header; expected ${TARGET_PREFIX}<Operation>`,
        );
      }
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      if (!knownOperations.has(operation)) {
        throw new UnknownOperationException(`Unknown operation: ${target}`);
      }
      c.set('operation', operation);

      const contentType = c.req.header('content-type');
      const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase() ?? '';
      if (!ACCEPTED_CONTENT_TYPES.has(mediaType)) {
        throw new SerializationException(
          contentType === undefined
            ? `Missing Content-Type; expected ${AWS_JSON_CONTENT_TYPE} (or application/json)`
            : `Unsupported Content-Type '${contentType}'; expected ${AWS_JSON_CONTENT_TYPE} (or application/json)`,
        );
      }
      await next();
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        const operation = c.get('operation') ?? '';
        const limit = `the request body exceeds the server limit of ${maxBodyBytes} bytes`;
        // For image operations the cause is the image: the SDK knows ImageTooLargeException.
        if (imageOperations.has(operation)) {
          throw new ImageTooLargeException(
            `Image size is too large: ${limit} (Image.Bytes may be at most 5 MiB before base64)`,
          );
        }
        throw new SerializationException(`Request too large: ${limit}`);
      },
    }),
    async (c) => {
      const operation = c.get('operation') as OperationName;
      const input = parseJsonObject(await c.req.text());
      const output = await service.execute(operation, input);
      return c.body(JSON.stringify(output ?? {}), 200, { 'Content-Type': AWS_JSON_CONTENT_TYPE });
    },
  );

  app.all('*', (c) =>
    awsJsonError(
      c,
      405,
      'UnknownOperationException',
      `${c.req.method} is not supported: send POST with X-Amz-Target: ${TARGET_PREFIX}<Operation> and a JSON body`,
      { Allow: c.req.path === HEALTH_PATH ? 'GET, HEAD, POST' : 'POST' },
    ),
  );

  return app;
}

/** A broken logger must not turn a finished response into an error. */
function safely(log: () => void): void {
  try {
    log();
  } catch {
    // ignored on purpose
  }
}

/** An empty body counts as `{}`, so a bare `curl -X POST` works for operations without input. */
function parseJsonObject(text: string): unknown {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerializationException(
      `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new SerializationException(`Request body must be a JSON object, got ${kind}`);
  }
  return value;
}
