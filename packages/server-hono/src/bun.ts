import { listeningServer, listenSettings, stopWithin } from './listening-server.js';
import { wrongRuntime } from './runtime-error.js';
import type { ListeningServer, ServeOptions } from './serve-options.js';

export type { FetchApp, ListeningServer, ListenOptions, ServeOptions } from './serve-options.js';

/** The part of `Bun.serve` used here, declared locally so the package needs no Bun types. */
export interface BunServerHandle {
  readonly port: number;
  readonly hostname: string;
  /** `false`: stop listening and let in-flight requests finish; `true`: drop every connection. */
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunGlobal {
  serve(options: {
    fetch(request: Request): Response | Promise<Response>;
    port: number;
    hostname: string;
    idleTimeout: number;
    maxRequestBodySize: number;
  }): BunServerHandle;
}

/** A listening `Bun.serve` server. */
export interface BunServer extends ListeningServer {
  readonly server: BunServerHandle;
}

/**
 * Runs the app with `Bun.serve`. Resolves once listening; rejects if the port cannot be bound.
 * `close()` stops listening, lets in-flight requests finish (up to `closeTimeoutMs`), then drops
 * whatever is left.
 */
export async function serve(options: ServeOptions): Promise<BunServer> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw wrongRuntime('bun', 'Bun');
  const { app, port, hostname, closeTimeoutMs } = listenSettings(options);
  const server = bun.serve({
    fetch: (request) => app.fetch(request),
    port,
    hostname,
    // Bun's default 10 s idle timeout could cut a slow request; 255 s is its maximum.
    idleTimeout: 255,
    // The app enforces its own limit with a Rekognition error; this only has to be larger.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  });
  return listeningServer(server, { address: server.hostname, port: server.port }, () =>
    stopWithin(closeTimeoutMs, () => server.stop(false), {
      force: () => void server.stop(true),
    }),
  );
}
