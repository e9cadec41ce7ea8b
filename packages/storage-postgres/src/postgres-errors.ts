import { InternalServerError, RekognitionError, ThrottlingException } from '@facekit/core';
import { errorMessage, driverErrorCode as pgCode } from '@facekit/core/sql-store';
import { isConnectionError } from './connection-errors.js';

/** Deadlock and serialization failures: the transaction is safe to run again. */
export const RETRYABLE = new Set(['40001', '40P01']);

/** Turns a driver error into a core error (a core error passes through unchanged). */
export function storageError(error: unknown): RekognitionError {
  if (RekognitionError.isInstance(error)) return error;
  const code = pgCode(error);
  if (code !== undefined && (RETRYABLE.has(code) || code === '53300' || code === '55P03')) {
    return new ThrottlingException(`PostgreSQL is busy (${errorMessage(error)}); try again.`, {
      cause: error,
    });
  }
  // Citus: the coordinator lost or could not reach the worker node holding the data.
  if (/remote node/i.test(errorMessage(error))) {
    return new ThrottlingException(
      `A Citus worker node is unavailable (${errorMessage(error)}); the accounts on it cannot be read or written until it is back; try again.`,
      { cause: error },
    );
  }
  // PostgreSQL stopped, restarting or unreachable, or this call's connection was terminated:
  // a 500 ThrottlingException, which the AWS SDKs retry. What was not acknowledged was rolled back.
  if (isConnectionError(error)) {
    return new ThrottlingException(
      `PostgreSQL is unavailable (${errorMessage(error)}); try again.`,
      { cause: error },
    );
  }
  // 25006 read_only_sql_transaction: a standby or `default_transaction_read_only = on`.
  if (code === '25006') {
    return new InternalServerError(
      `The PostgreSQL database is read-only (${errorMessage(error)}): facekit writes need the primary; point --database-url at it.`,
      { cause: error },
    );
  }
  return new InternalServerError(`PostgreSQL storage failed: ${errorMessage(error)}`, {
    cause: error,
  });
}
