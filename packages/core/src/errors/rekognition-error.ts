const MARKER = Symbol.for('facekit.RekognitionError');

/** Every exception name Amazon Rekognition's face operations can return, plus the AWS JSON protocol errors. */
export type RekognitionErrorName =
  | 'AccessDeniedException'
  | 'ConflictException'
  | 'IdempotentParameterMismatchException'
  | 'ImageTooLargeException'
  | 'InternalServerError'
  | 'InvalidImageFormatException'
  | 'InvalidPaginationTokenException'
  | 'InvalidParameterException'
  | 'InvalidS3ObjectException'
  | 'LimitExceededException'
  | 'ProvisionedThroughputExceededException'
  | 'ResourceAlreadyExistsException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'UnknownOperationException'
  | 'VideoTooLargeException'
  | 'SerializationException';

export interface RekognitionErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error the core throws. Frontends turn `name` into the wire `__type`/`Code`
 * and `$fault` into the HTTP status; the core itself knows nothing about HTTP.
 *
 * Check with {@link RekognitionError.isInstance}, not `instanceof`: two copies of the core
 * (e.g. a bundled CLI and a user's install) must still recognise each other's errors.
 */
export abstract class RekognitionError extends Error {
  // Read through `isInstance`; protected so that lint does not take it for dead code.
  protected readonly [MARKER] = true;
  abstract override readonly name: RekognitionErrorName;
  /** `server` faults are retried by the AWS SDKs; `client` faults are not. */
  abstract readonly $fault: 'client' | 'server';

  constructor(message: string, options: RekognitionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  static isInstance(error: unknown): error is RekognitionError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[MARKER] === true
    );
  }
}
