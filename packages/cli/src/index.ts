export {
  isLoopbackHost,
  type LoadedAccessKeys,
  loadAccessKeys,
  parseCredentialsFile,
} from './access-keys.js';
export type { CliIo } from './cli-io.js';
export { createConsoleLogger } from './console-logger.js';
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
export { accountDatabasePath, type RunningServer, startServer } from './start-server.js';
export { UsageError } from './usage-error.js';
