import {
  appOf,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  type FetchApp,
  type ListeningServer,
  type ServeOptions,
  urlHost,
} from './serve-options.js';

/** What the runtime entries (`node.ts`, `bun.ts`, `deno.ts`) share; each adds its own server. */

/** The app and the address to listen on, with the defaults applied. */
export interface ListenSettings {
  app: FetchApp;
  port: number;
  hostname: string;
  closeTimeoutMs: number;
}

export function listenSettings(options: ServeOptions): ListenSettings {
  return {
    app: appOf(options),
    port: options.port ?? DEFAULT_PORT,
    hostname: options.hostname ?? DEFAULT_HOSTNAME,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
  };
}

/**
 * The {@link ListeningServer} of a bound runtime server: its URL and address, and a `close()`
 * that runs `stop` once however often it is called.
 */
export function listeningServer<Server>(
  server: Server,
  bound: { address: string; port: number },
  stop: () => Promise<void>,
): ListeningServer & { readonly server: Server } {
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(bound.address)}:${bound.port}`,
    port: bound.port,
    address: bound.address,
    server,
    close() {
      closing ??= stop();
      return closing;
    },
  };
}

/**
 * Runs a graceful stop (in-flight requests finish) and, if it takes longer than `timeoutMs`,
 * calls `force` (drop the remaining connections) and keeps waiting for the graceful stop; without
 * `force` (a runtime that cannot cut connections) it resolves at the timeout anyway.
 */
export function stopWithin(
  timeoutMs: number,
  graceful: () => Promise<void>,
  options: { force?: () => void; unrefTimer?: boolean } = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { force } = options;
    const timer = setTimeout(() => (force ? force() : resolve()), timeoutMs);
    if (options.unrefTimer) (timer as { unref?(): void }).unref?.();
    graceful().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
