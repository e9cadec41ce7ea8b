import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaceAnalyzer, FaceService, type FaceStore } from '@facekit/core';
import type { FaceModelVersion } from '@facekit/pipeline-node';
import type { ListeningServer } from '@facekit/server-hono/node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import type { CliIo } from './cli-io.js';
import { createConsoleLogger } from './console-logger.js';
import type { ServeConfig } from './serve-config.js';
import { UsageError } from './usage-error.js';

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
  let store: FaceStore;
  let storeLocation: string;
  if (config.store === 'memory') {
    store = createMemoryFaceStore();
    storeLocation = 'memory';
  } else {
    await mkdir(config.dataDir, { recursive: true });
    storeLocation = join(config.dataDir, 'facekit.sqlite');
    store = await createSqliteFaceStore({ path: storeLocation });
  }

  const analyzers: (FaceAnalyzer & { close(): Promise<void> })[] = [];
  let server: ListeningServer;
  try {
    if (config.faceModel !== 'none') {
      // Loaded lazily so that `--face-model none` never touches onnxruntime or the models.
      const { createNodeFaceAnalyzer, faceModels } = await import('@facekit/pipeline-node');
      if (!(config.faceModel in faceModels)) {
        throw new UsageError(
          `unknown face model ${config.faceModel}; available: ${Object.keys(faceModels).join(', ')}, none`,
        );
      }
      // Every face model is loaded, so collections made with an earlier default keep working;
      // new collections get --face-model.
      const versions = Object.keys(faceModels) as FaceModelVersion[];
      const loaded = await Promise.allSettled(
        versions.map((faceModelVersion) =>
          createNodeFaceAnalyzer({ faceModelVersion, runtime: config.runtime }),
        ),
      );
      for (const result of loaded) if (result.status === 'fulfilled') analyzers.push(result.value);
      const failed = loaded.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    const service = new FaceService({
      store,
      region: config.region,
      accountId: config.accountId,
      analyzers,
      ...(config.faceModel === 'none' ? {} : { faceModelVersion: config.faceModel }),
    });
    const { serve } = await importServe();
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

/** The HTTP entry point of the runtime we run on: `Bun.serve`, `Deno.serve` or Node's `http`. */
function importServe() {
  if ('Bun' in globalThis) return import('@facekit/server-hono/bun');
  if ('Deno' in globalThis) return import('@facekit/server-hono/deno');
  return import('@facekit/server-hono/node');
}
