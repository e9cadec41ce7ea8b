import { join } from 'node:path';
import type { ServeConfig } from './serve-config.js';
import { accountDataDir } from './stores.js';

/** `<account data dir>/video-jobs`: where `facekit serve` keeps an account's video jobs. */
export function videoJobsDir(
  config: Pick<ServeConfig, 'dataDir' | 'accountId'>,
  accountId: string,
): string {
  return join(accountDataDir(config.dataDir, accountId, config.accountId), 'video-jobs');
}
