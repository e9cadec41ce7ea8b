/** Thrown when a runtime-specific entry point is loaded on another runtime. */
export function wrongRuntime(entry: string, needed: string): Error {
  const current =
    'Bun' in globalThis
      ? 'Bun'
      : 'Deno' in globalThis
        ? 'Deno'
        : typeof process === 'undefined'
          ? 'another runtime'
          : `Node ${process.version}`;
  return new Error(
    `@facekit/server-hono/${entry} needs ${needed}, but this is ${current}: ` +
      'import @facekit/server-hono/node, /bun or /deno to match the runtime.',
  );
}
