import { InternalServerError } from '@facekit/core';

/**
 * Imports an ONNX Runtime package on first use, so that importing `@facekit/inference-onnx` never
 * loads a native addon or a wasm module, and fails with an "install X" message when the optional
 * peer dependency is missing (unstorage's `importLib`). A failed import is not cached, so a later
 * call retries, e.g. after the package was installed.
 *
 * @internal
 */
export function lazyRuntime<T>(packageName: string, importer: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= importer().catch((cause: unknown) => {
      loaded = undefined;
      throw runtimeLoadError(packageName, cause);
    });
    return loaded;
  };
}

function runtimeLoadError(packageName: string, cause: unknown): InternalServerError {
  const hint = `Install it next to @facekit/inference-onnx: \`npm install ${packageName}@1.30.0\` (or pnpm/yarn/bun add).`;
  const missing =
    isModuleNotFound(cause) && errorMessage(cause).includes(`'${packageName}`) // not a missing dependency of it
      ? `${packageName} is not installed.`
      : `${packageName} could not be loaded (${errorMessage(cause)}).`;
  return new InternalServerError(`@facekit/inference-onnx: ${missing} ${hint}`, { cause });
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Failed to resolve module/i.test(errorMessage(error))
  );
}

/** @internal */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
