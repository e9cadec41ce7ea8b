export {
  isLoopbackHost,
  type LoadedAccessKeys,
  loadAccessKeys,
  parseCredentialsFile,
} from './access-keys.js';
export type { CliIo, CliStream } from './cli-io.js';
export {
  type ApiClient,
  ApiError,
  type ClientInput,
  type ClientOutput,
  imageOperations,
} from './client/api-client.js';
export { createLocalClient, type LocalClientConfig } from './client/local-client.js';
export { createSdkClient, type SdkClientOptions } from './client/sdk-client.js';
export type { Command, CommandContext, OptionSpec } from './command.js';
export { commands } from './commands/index.js';
export { createConsoleLogger } from './console-logger.js';
export { drawFaces, type FaceMark, overlaySvg } from './draw.js';
export { collectImages, type ImageFile, toExternalImageId } from './images.js';
export {
  type ClosableAnalyzer,
  createLocalServices,
  type LocalServiceConfig,
  type LocalServices,
} from './local-service.js';
export { type CliResult, runCli, USAGE_EXIT_CODE } from './run-cli.js';
export {
  type AuthMode,
  type LogLevel,
  resolveServeConfig,
  type ServeConfig,
  type ServeFlags,
  type StoreKind,
  serveDefaults,
  serveEnvVars,
} from './serve-config.js';
export {
  createFileSourceImageStore,
  sourceImageOpener,
  sourceImagesDir,
} from './source-images.js';
export { type RunningServer, startServer } from './start-server.js';
export { accountDatabasePath, accountDataDir, type StoreOpener, storeOpener } from './stores.js';
export { UsageError } from './usage-error.js';
