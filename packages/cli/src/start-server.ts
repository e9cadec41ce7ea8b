import { serve } from '@facekit/server-hono/node';
import type { CliIo } from './cli-io.js';
import { createConsoleLogger } from './console-logger.js';
import {
  type ClosableAnalyzer,
  createLocalService,
  loadAnalyzers,
  openStore,
} from './local-service.js';
import type { ServeConfig } from './serve-config.js';

/** A running `facekit serve`. */
export interface RunningServer {
  /** Endpoint URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** Where the data lives (`memory` for the memory store). */
  readonly storeLocation: string;
  /** Stops accepting, finishes in-flight requests, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Opens the store, starts the HTTP server and prints the banner. */
export async function startServer(config: ServeConfig, io: CliIo): Promise<RunningServer> {
  const logger = createConsoleLogger(config.logLevel, io);
  const { store, location: storeLocation } = await openStore(config);
  let analyzers: ClosableAnalyzer[] = [];
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    analyzers = await loadAnalyzers(config);
    const service = createLocalService(config, store, analyzers);
    server = await serve({ service, logger, port: config.port, hostname: config.host });
  } catch (error) {
    await Promise.all(analyzers.map((a) => a.close()));
    await store.close();
    throw error;
  }

  if (config.logLevel !== 'silent') {
    const storeText = config.store === 'memory' ? 'memory (data is lost on exit)' : storeLocation;
    io.stdout.write(
      `facekit listening on ${server.url} (store: ${storeText}, region: ${config.region}, face model: ${config.faceModel}${analyzers.length > 0 ? ` on onnxruntime-${config.runtime}` : ''})\n` +
        `Try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws rekognition list-collections --endpoint-url ${server.url} --region ${config.region}\n`,
    );
  }

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    storeLocation,
    close() {
      closing ??= server
        .close()
        .finally(() => Promise.all(analyzers.map((a) => a.close())))
        .finally(() => store.close());
      return closing;
    },
  };
}
