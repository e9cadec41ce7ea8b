import {
  type ExtensionOperationName,
  extensionOperationNames,
  extensionOperations,
  FACEKIT_TARGET_PREFIX,
  ImageTooLargeException,
  InternalServerError,
  InvalidParameterException,
  type OperationName,
  operationNames,
  operations,
  RekognitionError,
  type RequestOptions,
  SerializationException,
  UnknownOperationException,
} from '@facekit/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AdmissionQueue } from './admission-queue.js';
import { type AppEnv, AWS_JSON_CONTENT_TYPE, awsJsonError, TARGET_PREFIX } from './aws-json.js';
import { type ConsoleOptions, isConsoleRequest, mountConsole } from './console-routes.js';
import type { Logger, RequestLogFields } from './logger.js';
import { type AccessKey, AuthError, SigV4Verifier } from './sigv4-verifier.js';
import { mountSourceImages, type SourceImageReader } from './source-image-route.js';

/**
 * What the app needs from the core: `FaceService` satisfies it. Its kept images
 * (`sourceImages`) are served to the console, when the console is on.
 */
export interface OperationExecutor extends SourceImageReader {
  /**
   * Runs one operation with its untrusted JSON input.
   * @throws {RekognitionError} for every expected failure; anything else becomes a 500.
   */
  execute(operation: OperationName, input: unknown, options?: RequestOptions): Promise<unknown>;
  /**
   * Runs one of facekit's extension operations (`X-Amz-Target: FacekitService.<Operation>`).
   * Absent: every extension is an `UnknownOperationException`, as from a plain Rekognition.
   * @throws {RekognitionError} for every expected failure; anything else becomes a 500.
   */
  executeExtension?(
    operation: ExtensionOperationName,
    input: unknown,
    options?: RequestOptions,
  ): Promise<unknown>;
}

/**
 * facekit's extension header: match by a target false accept rate (0..1) instead of
 * `FaceMatchThreshold`/`SimilarityThreshold`. AWS SDKs ignore headers they do not know, and
 * clients add it with a middleware, so the wire contract stays Rekognition's.
 */
export const MAX_FALSE_ACCEPT_RATE_HEADER = 'x-facekit-max-false-accept-rate';

/** The service of one account (e.g. a `FaceService` over that account's own store). */
export type ServiceResolver = (accountId: string) => OperationExecutor | Promise<OperationExecutor>;

/**
 * Who may call. There is no default: a server without authentication must say so.
 *
 * - `sigv4`: every request must carry a valid AWS Signature Version 4 from one of `accessKeys`;
 *   the key's account selects the service.
 * - `none`: no check at all (development on loopback); every request acts for `accountId`
 *   (default `000000000000`).
 */
export type AuthOptions =
  | {
      readonly mode: 'sigv4';
      readonly accessKeys: readonly AccessKey[];
      /** Largest accepted `X-Amz-Date` skew, in milliseconds. Default 15 minutes, as AWS. */
      readonly maxClockSkewMs?: number;
      /** Epoch milliseconds; injectable for tests. */
      readonly now?: () => number;
    }
  | { readonly mode: 'none'; readonly accountId?: string };

/** Bounds on what one request may cost. */
export interface ServerLimits {
  /**
   * Body of the operations with one image, in bytes. Default 7 MiB: a 5 MiB image is 6.99 MB
   * in base64, and the rest of the request is small.
   */
  maxImageRequestBytes: number;
  /** Body of CompareFaces (two images), in bytes. Default 14 MiB. */
  maxCompareFacesRequestBytes: number;
  /** Body of every other operation, in bytes. Default 1 MiB (4096 face ids take 160 KB). */
  maxRequestBytes: number;
  /**
   * Requests being handled at once (body read, verified, executed). Default 64. Beyond it they
   * wait with their body unread, so memory stays bounded under any number of connections.
   */
  maxConcurrentRequests: number;
  /** Requests waiting for one of those slots; beyond it `ThrottlingException`. Default 256. */
  requestQueueLength: number;
  /**
   * Image operations (decode + inference) running at once. Default 2. Waiting ones have not had
   * their body read yet.
   */
  imageConcurrency: number;
  /** Image operations waiting for a slot; beyond it `ThrottlingException`. Default 16. */
  imageQueueLength: number;
  /** Longest wait for a slot of either kind, in milliseconds; then `ThrottlingException`. Default 30 000. */
  queueTimeoutMs: number;
  /**
   * Longest time from receiving a request to answering it, in milliseconds; beyond it the client
   * gets `InternalServerError` (the work itself cannot be interrupted and keeps its queue slot
   * until it ends). Default 60 000.
   */
  requestTimeoutMs: number;
}

export const defaultServerLimits: Readonly<ServerLimits> = Object.freeze({
  maxImageRequestBytes: 7 * 1024 * 1024,
  maxCompareFacesRequestBytes: 14 * 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxConcurrentRequests: 64,
  requestQueueLength: 256,
  imageConcurrency: 2,
  imageQueueLength: 16,
  queueTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
});

export interface CreateAppOptions {
  /**
   * Usually a `FaceService`, for a single account; or a {@link ServiceResolver} giving each
   * account its own service (see `createAccountServices`). A single service with access keys of
   * several accounts is refused: it would let them see each other's collections.
   */
  service: OperationExecutor | ServiceResolver;
  /** Authentication; required, so that turning it off is a visible decision. */
  auth: AuthOptions;
  /** Receives one `info` line per request and the stack of unexpected errors. Default: none. */
  logger?: Logger;
  /** Overrides of {@link defaultServerLimits}. */
  limits?: Partial<ServerLimits>;
  /** Upper bound on every request body, in bytes, on top of `limits`. */
  maxBodyBytes?: number;
  /**
   * Serves the web console's files at `GET /console/` (without authentication: they hold no
   * data), and the images IndexFaces kept at `GET /facekit/source-images/<ImageId>` (signed, as
   * any API call). Default: no console, and both are a 405 like any other GET.
   */
  console?: ConsoleOptions;
}

/** The largest request body accepted by default: CompareFaces with two 5 MiB images (14 MiB). */
export const DEFAULT_MAX_BODY_BYTES = defaultServerLimits.maxCompareFacesRequestBytes;

/** Media types accepted in `Content-Type` (parameters such as `charset` are ignored). */
const ACCEPTED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  AWS_JSON_CONTENT_TYPE,
  // Lets people try the API with `curl -H 'Content-Type: application/json'`; the body is the same.
  'application/json',
]);

const knownOperations: ReadonlySet<string> = new Set(operationNames);
const knownExtensions: ReadonlySet<string> = new Set(extensionOperationNames);

/**
 * Targets (`RekognitionService.X` or `FacekitService.X`) whose model declares
 * ImageTooLargeException: the ones that carry `Image.Bytes`.
 */
const imageOperations: ReadonlySet<string> = new Set([
  ...operationNames
    .filter((name) => operations[name].errors?.includes('ImageTooLargeException'))
    .map((name) => `${TARGET_PREFIX}${name}`),
  ...extensionOperationNames
    .filter((name) =>
      (extensionOperations[name].errors as readonly string[]).includes('ImageTooLargeException'),
    )
    .map((name) => `${FACEKIT_TARGET_PREFIX}${name}`),
]);

const HEALTH_PATH = '/health';
const DEFAULT_ACCOUNT_ID = '000000000000';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The Amazon Rekognition face API over the AWS JSON 1.1 protocol, as a runtime-agnostic Hono app.
 *
 * Every `POST`, whatever its path (the SDK appends `/` to the endpoint's own path), is
 * authenticated (SigV4, unless `auth.mode` is `none`), then dispatched on
 * `X-Amz-Target: RekognitionService.<Operation>` to the service of the caller's account, and
 * facekit's own operations (`FacekitService.<Operation>`, see `extensionOperations` in core) to
 * its `executeExtension`, with the same protocol, authentication, limits and errors.
 * Responses are 200 with the output as JSON, or an AWS JSON error: 400 for client faults and
 * authentication failures, 500 for server faults (`InternalServerError`, `ThrottlingException`).
 * `GET /health` answers `{"status":"ok"}` without authentication, for load balancers; with
 * `console`, `GET /console/` serves the web console's files; any other method gets a 405 AWS JSON
 * error. Every response carries `x-amzn-RequestId` and `Date`.
 *
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/error-handling.html
 */
export function createApp(options: CreateAppOptions): Hono<AppEnv> {
  const { logger } = options;
  const limits: ServerLimits = { ...defaultServerLimits, ...options.limits };
  const cap = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
  const bodyLimitFor = (target: string): number =>
    Math.min(
      cap,
      target === `${TARGET_PREFIX}CompareFaces`
        ? limits.maxCompareFacesRequestBytes
        : imageOperations.has(target)
          ? limits.maxImageRequestBytes
          : limits.maxRequestBytes,
    );
  const auth = options.auth;
  if (auth?.mode !== 'sigv4' && auth?.mode !== 'none') {
    throw new TypeError(
      "createApp: auth must be { mode: 'sigv4', accessKeys } or { mode: 'none' }",
    );
  }
  const verifier = auth.mode === 'sigv4' ? new SigV4Verifier(auth) : undefined;
  const anonymousAccount = auth.mode === 'none' ? (auth.accountId ?? DEFAULT_ACCOUNT_ID) : '';
  const resolveService = toResolver(options.service, verifier);
  const requestSlots = new AdmissionQueue({
    concurrency: limits.maxConcurrentRequests,
    maxQueued: limits.requestQueueLength,
    maxWaitMs: limits.queueTimeoutMs,
    name: 'requests',
  });
  const imageSlots = new AdmissionQueue({
    concurrency: limits.imageConcurrency,
    maxQueued: limits.imageQueueLength,
    maxWaitMs: limits.queueTimeoutMs,
    name: 'image requests',
  });
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
      accountId: c.get('accountId'),
      accessKeyId: c.get('accessKeyId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      errorType: c.get('errorType'),
      errorMessage: c.get('errorMessage'),
    };
    const line = `${fields.operation ?? `${fields.method} ${fields.path}`} ${fields.status}`;
    const isQuiet =
      (c.req.path === HEALTH_PATH && c.req.method !== 'POST') ||
      isConsoleRequest(c.req.method, c.req.path);
    safely(() =>
      isQuiet ? logger.debug?.(line, { ...fields }) : logger.info(line, { ...fields }),
    );
  });

  app.onError((error, c) => {
    if (RekognitionError.isInstance(error)) {
      return awsJsonError(c, error.$fault === 'server' ? 500 : 400, error.name, error.message);
    }
    if (error instanceof AuthError) return awsJsonError(c, 400, error.type, error.message);
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
  if (options.console) {
    mountConsole(app, options.console);
    mountSourceImages(app, { verifier, anonymousAccount, resolveService, requestSlots });
  }

  app.post(
    '*',
    async (c, next) => {
      // Authentication comes first: a client without a known key and a fresh date learns
      // nothing, not even which operations exist, and its body is not read.
      if (verifier) {
        const claim = verifier.checkHeaders(c.req.raw.headers, new URL(c.req.url));
        c.set('claim', claim);
        c.set('accessKeyId', claim.key.accessKeyId);
      }
      // The body limit depends on the operation; an unknown one gets the smallest.
      const candidate = targetOf(c.req.header('x-amz-target'));
      const maxSize = bodyLimitFor(candidate?.target ?? '');
      // Slots are taken before the body is read: waiting requests hold no body in memory.
      const held: (() => void)[] = [];
      c.set('slots', held);
      try {
        held.push(await requestSlots.acquire());
        if (candidate && imageOperations.has(candidate.target)) {
          held.push(await imageSlots.acquire());
        }
        return await readBody(maxSize, candidate)(c, next);
      } finally {
        // Slots the handler did not hand over to running work are freed with the response.
        for (const release of held.splice(0)) release();
      }
    },
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      // Then the signature over everything, before any other check answers the client.
      const claim = c.get('claim');
      let accountId = anonymousAccount;
      if (verifier && claim) {
        const url = new URL(c.req.url);
        accountId = (await verifier.verify(claim, c.req.method, url, c.req.raw.headers, body))
          .accountId;
      }
      c.set('accountId', accountId);

      const target = c.req.header('x-amz-target');
      if (target === undefined || target === '') {
        throw new UnknownOperationException(
          `Missing X-Amz-Target header; expected ${TARGET_PREFIX}<Operation>`,
        );
      }
      const known = targetOf(target);
      if (known === undefined) {
        throw new UnknownOperationException(`Unknown operation: ${truncate(target)}`);
      }
      c.set('operation', known.extension ? known.target : known.operation);

      const contentType = c.req.header('content-type');
      const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase() ?? '';
      if (!ACCEPTED_CONTENT_TYPES.has(mediaType)) {
        throw new SerializationException(
          contentType === undefined
            ? `Missing Content-Type; expected ${AWS_JSON_CONTENT_TYPE} (or application/json)`
            : `Unsupported Content-Type '${truncate(contentType)}'; expected ${AWS_JSON_CONTENT_TYPE} (or application/json)`,
        );
      }

      const input = parseJsonObject(body);
      const options = requestOptions(c.req.header(MAX_FALSE_ACCEPT_RATE_HEADER));
      const service = await resolveService(accountId);
      // The work owns the slots from here: they are freed when it ends, not when a timeout
      // answers the client, so abandoned work still counts against the limits.
      const slots = c.get('slots')?.splice(0) ?? [];
      const freeSlots = () => {
        for (const release of slots) release();
      };
      let work: Promise<unknown>;
      try {
        work = known.extension
          ? executeExtension(service, known.operation, input, options)
          : options
            ? service.execute(known.operation, input, options)
            : service.execute(known.operation, input);
      } catch (error) {
        work = Promise.reject(error);
      }
      work.then(freeSlots, freeSlots);
      const output = await withTimeout(work, limits.requestTimeoutMs);
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

/** Hono's body limit with the AWS errors: `ImageTooLargeException` for image operations. */
function readBody(maxSize: number, known: KnownTarget | undefined) {
  return bodyLimit({
    maxSize,
    onError: () => {
      const limit = `the request body exceeds the server limit of ${maxSize} bytes for ${known?.operation ?? 'this request'}`;
      // For image operations the cause is the image: the SDK knows ImageTooLargeException.
      if (known && imageOperations.has(known.target)) {
        throw new ImageTooLargeException(
          `Image size is too large: ${limit} (Image.Bytes may be at most 5 MiB before base64)`,
        );
      }
      throw new SerializationException(`Request too large: ${limit}`);
    },
  });
}

/** An `X-Amz-Target` naming one of our operations: Rekognition's or a facekit extension. */
type KnownTarget = { readonly target: string } & (
  | { readonly extension: false; readonly operation: OperationName }
  | { readonly extension: true; readonly operation: ExtensionOperationName }
);

/** The operation an `X-Amz-Target` names, if it is one of ours (in its own namespace only). */
function targetOf(target: string | undefined): KnownTarget | undefined {
  if (target?.startsWith(TARGET_PREFIX)) {
    const name = target.slice(TARGET_PREFIX.length);
    if (knownOperations.has(name)) {
      return { target, extension: false, operation: name as OperationName };
    }
  } else if (target?.startsWith(FACEKIT_TARGET_PREFIX)) {
    const name = target.slice(FACEKIT_TARGET_PREFIX.length);
    if (knownExtensions.has(name)) {
      return { target, extension: true, operation: name as ExtensionOperationName };
    }
  }
  return undefined;
}

/** An extension through a service that may not have any (a plain Rekognition-only executor). */
function executeExtension(
  service: OperationExecutor,
  operation: ExtensionOperationName,
  input: unknown,
  options: RequestOptions | undefined,
): Promise<unknown> {
  if (!service.executeExtension) {
    throw new UnknownOperationException(
      `Unknown operation: ${FACEKIT_TARGET_PREFIX}${operation} (this service has no facekit extensions)`,
    );
  }
  return options
    ? service.executeExtension(operation, input, options)
    : service.executeExtension(operation, input);
}

function toResolver(
  service: OperationExecutor | ServiceResolver,
  verifier: SigV4Verifier | undefined,
): ServiceResolver {
  if (typeof service === 'function') return service;
  if (typeof service?.execute !== 'function') {
    throw new TypeError('createApp: service must be an OperationExecutor or a ServiceResolver');
  }
  const accounts = verifier?.accountIds ?? new Set<string>();
  if (accounts.size > 1) {
    throw new Error(
      `createApp: the access keys belong to ${accounts.size} accounts (${[...accounts].join(', ')}), but one service would serve them all; pass a ServiceResolver that gives each account its own service`,
    );
  }
  return () => service;
}

/** Answers with InternalServerError after `ms`; the work goes on and is not awaited. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InternalServerError(`The request did not finish within ${ms} ms.`)),
      ms,
    );
  });
  // A late failure of the abandoned work must not become an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Client text echoed in messages is cut short: messages are logged. */
function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
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
function parseJsonObject(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (error) {
    throw new SerializationException('Request body is not valid UTF-8', { cause: error });
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerializationException(
      `Request body is not valid JSON: ${truncate(error instanceof Error ? error.message : String(error))}`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new SerializationException(`Request body must be a JSON object, got ${kind}`);
  }
  return value;
}

/** The extension headers as {@link RequestOptions}; undefined when none is present. */
function requestOptions(maxFalseAcceptRate: string | undefined): RequestOptions | undefined {
  if (maxFalseAcceptRate === undefined) return undefined;
  const text = maxFalseAcceptRate.trim();
  const rate = Number(text);
  if (text === '' || !Number.isFinite(rate) || rate <= 0 || rate >= 1) {
    throw new InvalidParameterException(
      `${MAX_FALSE_ACCEPT_RATE_HEADER} must be a fraction between 0 and 1, e.g. 0.001 for 0.1%; got '${truncate(maxFalseAcceptRate)}'`,
    );
  }
  return { maxFalseAcceptRate: rate };
}
