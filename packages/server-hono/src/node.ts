import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as honoServe } from '@hono/node-server';
import { type CreateAppOptions, createApp } from './create-app.js';

/** Anything with a WinterCG `fetch` handler, such as a Hono app. */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface ListenOptions {
  /** TCP port; `0` picks a free one (read it back from {@link NodeServer.port}). Default 8080. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients. */
  hostname?: string;
  /**
   * How long {@link NodeServer.close} waits for in-flight requests before cutting their
   * connections, in milliseconds. Default 10 000.
   */
  closeTimeoutMs?: number;
  /**
   * Longest time to receive a whole request (headers and body), in milliseconds, against slow or
   * stalled uploads (Node's `server.requestTimeout`). Default 120 000: a 14 MiB CompareFaces
   * body at 1 Mbit/s.
   */
  requestTimeoutMs?: number;
  /** Longest time to receive the request headers, in milliseconds. Default 30 000. */
  headersTimeoutMs?: number;
}

/** Serve a ready app, or build one from {@link CreateAppOptions} (service, auth, logger, limits). */
export type ServeOptions = ListenOptions &
  ({ app: FetchApp; service?: never } | (CreateAppOptions & { app?: never }));

/** A listening server. */
export interface NodeServer {
  /** Base URL to pass as the SDK's `endpoint` / the CLI's `--endpoint-url`, without a trailing slash. */
  readonly url: string;
  /** The real port, also when listening on port 0. */
  readonly port: number;
  /** The bound address as reported by the socket, e.g. `127.0.0.1` or `::`. */
  readonly address: string;
  readonly server: Server;
  /**
   * Stops accepting connections, closes idle keep-alive ones, lets in-flight requests finish
   * (up to `closeTimeoutMs`) and resolves when the last connection is gone. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Runs the app on Node's `http` server through `@hono/node-server`.
 * Resolves once listening; rejects if the port cannot be bound (e.g. `EADDRINUSE`).
 */
export function serve(options: ServeOptions): Promise<NodeServer> {
  const app = options.app ?? createApp(options);
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;

  return new Promise((resolve, reject) => {
    let closing: Promise<void> | undefined;
    const server = honoServe(
      {
        fetch: app.fetch,
        port: options.port ?? 8080,
        hostname: options.hostname ?? '127.0.0.1',
        serverOptions: {
          requestTimeout: options.requestTimeoutMs ?? 120_000,
          headersTimeout: options.headersTimeoutMs ?? 30_000,
        },
      },
      (info) => {
        server.off('error', reject);
        resolve({
          url: `http://${urlHost(info)}:${info.port}`,
          port: info.port,
          address: info.address,
          server,
          close: () => {
            closing ??= closeGracefully(server, closeTimeoutMs);
            return closing;
          },
        });
      },
    ) as Server;
    server.once('error', reject);
    server.on('request', (_request, response) => {
      if (closing) response.setHeader('Connection', 'close');
      // A keep-alive connection becomes idle once its response is sent; close it if we are stopping.
      response.once('finish', () => {
        if (closing) setImmediate(() => server.closeIdleConnections());
      });
    });
  });
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    timer.unref();
    server.close((error) => {
      clearTimeout(timer);
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING')
        reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

function urlHost({ address, family }: AddressInfo): string {
  // A wildcard address is not something a client can connect to; loopback reaches it.
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return family === 'IPv6' || address.includes(':') ? `[${address}]` : address;
}
