import { InvalidParameterException } from '../errors/exceptions.js';

/** A driver error's `code` (`SQLITE_BUSY`, PostgreSQL's SQLSTATE `40001`...), if it has one. */
export function driverErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A query vector must have the collection's dimension.
 * @throws {InvalidParameterException} otherwise.
 */
export function checkDimensions(vector: Float32Array, dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new InvalidParameterException(
      `The query vector has ${vector.length} dimensions; the collection's vectors have ${dimensions}.`,
    );
  }
}
