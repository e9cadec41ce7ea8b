import { type CreateAppOptions, createApp } from './create-app.js';

/** Anything with a WinterCG `fetch` handler, such as a Hono app. */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface ListenOptions {
  /** TCP port; `0` picks a free one (read it back from {@link ListeningServer.port}). Default 8080. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients. */
  hostname?: string;
  /**
   * How long {@link ListeningServer.close} waits for in-flight requests before cutting their
   * connections, in milliseconds. Default 10 000.
   */
  closeTimeoutMs?: number;
  /**
   * Longest time to receive a whole request (headers and body), in milliseconds, against slow or
   * stalled uploads (Node's `server.requestTimeout`; Node only). Default 120 000: a 14 MiB
   * CompareFaces body at 1 Mbit/s.
   */
  requestTimeoutMs?: number;
  /** Longest time to receive the request headers, in milliseconds (Node only). Default 30 000. */
  headersTimeoutMs?: number;
}

/** Serve a ready app, or build one from {@link CreateAppOptions} (service, auth, logger, limits). */
export type ServeOptions = ListenOptions &
  ({ app: FetchApp; service?: never } | (CreateAppOptions & { app?: never }));

/** A listening server, whatever the runtime. */
export interface ListeningServer {
  /** Base URL to pass as the SDK's `endpoint` / the CLI's `--endpoint-url`, without a trailing slash. */
  readonly url: string;
  /** The real port, also when listening on port 0. */
  readonly port: number;
  /** The bound address as reported by the runtime, e.g. `127.0.0.1` or `::`. */
  readonly address: string;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to `closeTimeoutMs`) and
   * resolves when they are done. Idempotent.
   */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOSTNAME = '127.0.0.1';
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export function appOf(options: ServeOptions): FetchApp {
  return options.app ?? createApp(options);
}

/** A host a client can connect to: a wildcard address is reached through loopback. */
export function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
