import { RekognitionError, type RekognitionErrorName } from '@facekit/core';
import { expect } from 'vitest';

/** Awaits `promise`, expects a core error named `name`, and returns it for further checks. */
export async function expectRekognitionError(
  promise: Promise<unknown>,
  name: RekognitionErrorName,
): Promise<RekognitionError> {
  const error = await promise.then(
    (value) => {
      throw new Error(
        `expected ${name}, got a result: ${JSON.stringify(Object.keys(value ?? {}))}`,
      );
    },
    (e: unknown) => e,
  );
  expect(RekognitionError.isInstance(error), `not a RekognitionError: ${String(error)}`).toBe(true);
  expect((error as RekognitionError).name).toBe(name);
  return error as RekognitionError;
}

/** The detail a format error carries in its `cause`. */
export function causeMessage(error: RekognitionError): string {
  return error.cause instanceof Error ? error.cause.message : String(error.cause);
}
