import { listeningServer, listenSettings, stopWithin } from './listening-server.js';
import { wrongRuntime } from './runtime-error.js';
import type { ListeningServer, ServeOptions } from './serve-options.js';

export type { FetchApp, ListeningServer, ListenOptions, ServeOptions } from './serve-options.js';

/** The part of `Deno.serve` used here, declared locally so the package needs no Deno types. */
export interface DenoHttpServer {
  readonly addr: { hostname: string; port: number };
  /** Stops accepting connections and resolves once in-flight requests are answered. */
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}
interface DenoGlobal {
  serve(
    options: { port: number; hostname: string; onListen(addr: unknown): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoHttpServer;
}

/** A listening `Deno.serve` server. */
export interface DenoServer extends ListeningServer {
  readonly server: DenoHttpServer;
}

/**
 * Runs the app with `Deno.serve` (needs `--allow-net`). Resolves once listening; rejects if the
 * port cannot be bound. `close()` stops accepting connections and waits for in-flight requests;
 * Deno has no way to cut them, so after `closeTimeoutMs` it resolves anyway and leaves the rest
 * to process exit.
 */
export async function serve(options: ServeOptions): Promise<DenoServer> {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (!deno) throw wrongRuntime('deno', 'Deno');
  const { app, port, hostname, closeTimeoutMs } = listenSettings(options);
  const server = deno.serve(
    {
      port,
      hostname,
      // The default prints "Listening on ..."; callers print their own banner.
      onListen: () => {},
    },
    (request) => app.fetch(request),
  );
  const bound = { address: server.addr.hostname, port: server.addr.port };
  return listeningServer(server, bound, () => stopWithin(closeTimeoutMs, () => server.shutdown()));
}
