import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaceAnalyzer, FaceService, type FaceStore } from '@facekit/core';
import type { FaceModelVersion } from '@facekit/pipeline-node';
import { serve } from '@facekit/server-hono/node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';
import type { CliIo } from './cli-io.js';
import { createConsoleLogger } from './console-logger.js';
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

  let analyzer: (FaceAnalyzer & { close(): Promise<void> }) | undefined;
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    if (config.faceModel !== 'none') {
      // Loaded lazily so that `--face-model none` never touches onnxruntime or the models.
      const { createNodeFaceAnalyzer } = await import('@facekit/pipeline-node');
      analyzer = await createNodeFaceAnalyzer({
        faceModelVersion: config.faceModel as FaceModelVersion,
        runtime: config.runtime,
      });
    }
    const service = new FaceService({
      store,
      region: config.region,
      accountId: config.accountId,
      analyzers: analyzer ? [analyzer] : [],
    });
    server = await serve({ service, logger, port: config.port, hostname: config.host });
  } catch (error) {
    await analyzer?.close();
    await store.close();
    throw error;
  }

  if (config.logLevel !== 'silent') {
    const storeText = config.store === 'memory' ? 'memory (data is lost on exit)' : storeLocation;
    io.stdout.write(
      `facekit listening on ${server.url} (store: ${storeText}, region: ${config.region}, face model: ${config.faceModel}${analyzer ? ` on onnxruntime-${config.runtime}` : ''})\n` +
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
        .finally(() => analyzer?.close())
        .finally(() => store.close());
      return closing;
    },
  };
}
