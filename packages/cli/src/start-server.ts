import { type AuthOptions, createAccountServices } from '@facekit/server-hono';
import type { ListeningServer } from '@facekit/server-hono/node';
import { isLoopbackHost, loadAccessKeys } from './access-keys.js';
import type { CliIo } from './cli-io.js';
import { loadConsoleFiles } from './console-files.js';
import { createConsoleLogger } from './console-logger.js';
import { describeImageObjects, hasImageObjects } from './image-objects.js';
import { createLocalServices } from './local-service.js';
import type { ServeConfig } from './serve-config.js';
import { UsageError } from './usage-error.js';

/** A running `facekit serve`. */
export interface RunningServer {
  /** Endpoint URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** Where the default account's data lives (`memory` for the memory store). */
  readonly storeLocation: string;
  /** `sigv4` or `none`, as decided at start. */
  readonly auth: 'sigv4' | 'none';
  /** Stops accepting, finishes in-flight requests, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Decides authentication, opens the stores, starts the HTTP server and prints the banner. */
export async function startServer(config: ServeConfig, io: CliIo): Promise<RunningServer> {
  const logger = createConsoleLogger(config.logLevel, io);
  const auth = decideAuth(config, io);

  const local = createLocalServices(config);
  const storeLocation = local.storeLocation;
  // One FaceService per account, each over its own store: no query can reach another account's
  // data, because that data is not in the store the service holds. Analyzers are shared.
  const services = createAccountServices({
    open: async (accountId) =>
      local.service(
        await local.openStore(accountId),
        accountId,
        await local.openVideoJobs(accountId),
      ),
    close: async (service) => {
      // Jobs in progress end FAILED before their store closes.
      await service.closeVideoJobs();
      await service.store.close();
    },
  });
  let server: ListeningServer;
  try {
    const [, , video] = await Promise.all([
      local.loadAnalyzers(),
      local.openImageObjects(),
      local.openVideoDecoder(),
    ]);
    if (typeof video === 'string' && config.logLevel !== 'silent') {
      io.stderr.write(`facekit: warning: stored video is off: ${video}\n`);
    }
    // The default face model's workers and sessions start before the first request, which would
    // otherwise wait for them (older face models still start with their first image).
    await Promise.all(
      local.analyzers.filter((a) => a.faceModelVersion === config.faceModel).map((a) => a.load?.()),
    );
    // The default account opens now, so a broken data dir fails the start, not the first request.
    // After the analyzers: a FaceService takes the analyzers it is given at construction.
    await services.resolve(config.accountId);
    const { serve } = await importServe();
    const consoleFiles = config.console ? await loadConsoleFiles() : undefined;
    server = await serve({
      ...(consoleFiles ? { console: { files: consoleFiles } } : {}),
      service: services.resolve,
      auth,
      logger,
      port: config.port,
      hostname: config.host,
      limits: {
        imageConcurrency: config.imageConcurrency,
        imageQueueLength: config.imageQueueLength,
      },
    });
  } catch (error) {
    await local.close();
    await services.close();
    throw error;
  }

  if (config.logLevel !== 'silent') {
    const storeText = config.store === 'memory' ? 'memory (data is lost on exit)' : storeLocation;
    const authText =
      auth.mode === 'sigv4'
        ? `SigV4, ${auth.accessKeys.length} access key${auth.accessKeys.length === 1 ? '' : 's'}`
        : 'OFF';
    io.stdout.write(
      `facekit listening on ${server.url} (store: ${storeText}, region: ${config.region}, auth: ${authText}, face model: ${config.faceModel}${local.analyzers.length > 0 ? ` on onnxruntime-${config.runtime}` : ''}${config.keepSourceImages ? `, source images kept in ${local.sourceImagesLocation}` : ''}${hasImageObjects(config.imageObjects) ? `, S3Object from ${describeImageObjects(config.imageObjects)}` : ''})\n` +
        (auth.mode === 'sigv4'
          ? `Try: AWS_ACCESS_KEY_ID=<key id> AWS_SECRET_ACCESS_KEY=<secret> aws rekognition list-collections --endpoint-url ${server.url} --region ${config.region}\n`
          : `Try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws rekognition list-collections --endpoint-url ${server.url} --region ${config.region}\n`) +
        (config.console ? `Web console: ${server.url}/console/\n` : ''),
    );
  }

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    storeLocation,
    auth: auth.mode,
    close() {
      closing ??= server
        .close()
        .finally(() => local.close())
        .finally(() => services.close());
      return closing;
    },
  };
}

/**
 * SigV4 whenever keys are configured; no authentication only when asked (`--auth none`) or, with
 * no keys at all, on loopback. Without authentication on another interface the start is refused
 * unless `--allow-remote-no-auth` says it is on purpose. Turning it off is always shouted.
 */
function decideAuth(config: ServeConfig, io: CliIo): AuthOptions {
  const loaded = loadAccessKeys(config.credentialsFile, io.env, config.accountId);
  for (const warning of loaded.warnings) io.stderr.write(`facekit: warning: ${warning}\n`);
  const loopback = isLoopbackHost(config.host);
  let mode = config.auth;
  if (mode === 'auto') mode = loaded.keys.length > 0 ? 'sigv4' : loopback ? 'none' : 'sigv4';
  if (mode === 'sigv4') {
    if (loaded.keys.length === 0) {
      throw new UsageError(
        `authentication needs access keys, and none are configured: use --credentials-file <file>, FACEKIT_ACCESS_KEYS=<id>:<secret>[:<account>] or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY${loopback ? '' : `; or, for a throwaway server on ${config.host}, --auth none --allow-remote-no-auth`}`,
      );
    }
    if (config.logLevel !== 'silent') {
      io.stdout.write(`facekit: SigV4 authentication with access keys from ${loaded.source}\n`);
    }
    return { mode: 'sigv4', accessKeys: loaded.keys };
  }
  if (!loopback && !config.allowRemoteNoAuth) {
    throw new UsageError(
      `refusing to listen on ${config.host} without authentication: anyone who can reach it could read and delete every face. Configure access keys (--credentials-file), bind to 127.0.0.1, or add --allow-remote-no-auth if this is really what you want`,
    );
  }
  io.stderr.write(
    `facekit: WARNING: authentication is OFF: every request is accepted, unsigned or not, and acts for account ${config.accountId}.${loopback ? ' Only this machine can connect (loopback).' : ` Anyone who can reach ${config.host} can read and delete every face.`} Configure access keys (--credentials-file) to turn it on.\n`,
  );
  return { mode: 'none', accountId: config.accountId };
}

/** The HTTP entry point of the runtime we run on: `Bun.serve`, `Deno.serve` or Node's `http`. */
function importServe() {
  if ('Bun' in globalThis) return import('@facekit/server-hono/bun');
  if ('Deno' in globalThis) return import('@facekit/server-hono/deno');
  return import('@facekit/server-hono/node');
}
