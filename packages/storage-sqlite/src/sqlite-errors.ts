import { InternalServerError, RekognitionError, ThrottlingException } from '@facekit/core';
import { driverErrorCode } from '@facekit/core/sql-store';
import { errorMessage, runtimeHint } from './load-driver.js';

export function openError(path: string, cause: unknown): RekognitionError {
  if (RekognitionError.isInstance(cause)) return cause;
  const code = driverErrorCode(cause);
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    return new InternalServerError(
      `${path} is not a SQLite database or is corrupted (${errorMessage(cause)}); facekit cannot open it.`,
      { cause },
    );
  }
  const hint = runtimeHint();
  return new InternalServerError(
    `Cannot open SQLite database ${path}: ${errorMessage(cause)}${hint ? ` ${hint}` : ''}`,
    { cause },
  );
}

/** Turns a driver error into a core error (a core error passes through unchanged). */
export function storageError(error: unknown): RekognitionError {
  if (RekognitionError.isInstance(error)) return error;
  const code = driverErrorCode(error);
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new ThrottlingException(
      'The SQLite database is locked by another connection; try again.',
      { cause: error },
    );
  }
  return new InternalServerError(`SQLite storage failed: ${errorMessage(error)}`, { cause: error });
}
