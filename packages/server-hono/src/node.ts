import type { Server } from 'node:http';
import { serve as honoServe } from '@hono/node-server';
import { listeningServer, listenSettings, stopWithin } from './listening-server.js';
import type { ListeningServer, ServeOptions } from './serve-options.js';

export type { FetchApp, ListeningServer, ListenOptions, ServeOptions } from './serve-options.js';

/** A listening Node server. */
export interface NodeServer extends ListeningServer {
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
  const { app, port, hostname, closeTimeoutMs } = listenSettings(options);
  const logger = 'logger' in options ? options.logger : undefined;

  return new Promise((resolve, reject) => {
    let closing = false;
    const server = honoServe(
      {
        fetch: app.fetch,
        port,
        hostname,
        serverOptions: {
          requestTimeout: options.requestTimeoutMs ?? 120_000,
          headersTimeout: options.headersTimeoutMs ?? 30_000,
        },
      },
      (info) => {
        server.off('error', reject);
        // Once listening, an error of the listening socket (e.g. `accept EMFILE` when out of file
        // descriptors) must not be an unhandled 'error' event that ends the process: Node keeps
        // accepting once descriptors are free again.
        server.on('error', (error) => {
          logger?.error('HTTP server error', { error: error.message, stack: error.stack });
        });
        resolve(
          listeningServer(server, info, () => {
            closing = true;
            return stopWithin(closeTimeoutMs, () => closeServer(server), {
              force: () => server.closeAllConnections(),
              unrefTimer: true,
            });
          }),
        );
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

/** Stops accepting connections and resolves when the last one is gone. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING')
        reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
