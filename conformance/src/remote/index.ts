export {
  type ChildServer,
  RUNTIMES,
  type Runtime,
  runtimeCommand,
  runtimeMissing,
  runtimeVersion,
  type StartOptions,
  startRuntimeServer,
} from './runtimes.js';
export {
  createRemoteFaceStore,
  decode,
  encode,
  handleStoreRpc,
  RESET_PATH,
  resetRemoteStore,
  STORE_RPC_PREFIX,
} from './store-rpc.js';
