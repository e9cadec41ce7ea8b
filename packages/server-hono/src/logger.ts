/**
 * What the server reports. Structurally compatible with `console` and with pino-style loggers
 * that take `(message, fields)`; the library logs nothing unless one is passed.
 */
export interface Logger {
  /** One line per API request, after its response is ready. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Unexpected (non-Rekognition) exceptions, with their stack in `fields.stack`. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Health checks and other chatter that would flood `info`. Optional. */
  debug?(message: string, fields?: Record<string, unknown>): void;
}

/** The fields of the per-request log line. */
export interface RequestLogFields {
  /** `x-amzn-RequestId` of the response (also the `Logref` of an error body). */
  requestId: string;
  /** Rekognition operation name, when `X-Amz-Target` named a known one. */
  operation?: string;
  /** Account the request acted for (after authentication). */
  accountId?: string;
  /** Access key named by the request's signature (never the secret). */
  accessKeyId?: string;
  method: string;
  path: string;
  status: number;
  /** Wall time from the first middleware to the response, in milliseconds. */
  durationMs: number;
  /** `__type` of an error response. */
  errorType?: string;
  /** `Message` of an error response. */
  errorMessage?: string;
}
