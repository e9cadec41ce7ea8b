import { readFileSync, statSync } from 'node:fs';
import type { AccessKey } from '@facekit/server-hono';
import ini from 'ini';
import { UsageError } from './usage-error.js';

/** Where the keys came from, for the start-up banner (never the secrets). */
export interface LoadedAccessKeys {
  readonly keys: readonly AccessKey[];
  /** e.g. `--credentials-file /etc/facekit/keys.ini`, `FACEKIT_ACCESS_KEYS`; empty when none. */
  readonly source: string;
  /** Problems worth a warning (e.g. a key file others can read). */
  readonly warnings: readonly string[];
}

/**
 * The access keys `facekit serve` accepts, from the first source that has any:
 *
 * 1. the credentials file (`--credentials-file` / `FACEKIT_CREDENTIALS_FILE`), JSON or INI;
 * 2. `FACEKIT_ACCESS_KEYS`: `AKID:SECRET[:ACCOUNT]` entries separated by commas;
 * 3. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_ACCOUNT_ID`): one key, the same
 *    variables the SDKs and the aws CLI sign with.
 *
 * A key without an account acts for `defaultAccountId` (`--account-id`).
 * @throws {UsageError} for an unreadable or malformed source, naming it.
 */
export function loadAccessKeys(
  credentialsFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  defaultAccountId: string,
): LoadedAccessKeys {
  const warnings: string[] = [];
  if (credentialsFile !== undefined) {
    const source = `credentials file ${credentialsFile}`;
    let text: string;
    try {
      text = readFileSync(credentialsFile, 'utf8');
      // Secrets readable by group or others are a leak waiting to happen; ssh refuses such keys.
      if (process.platform !== 'win32' && (statSync(credentialsFile).mode & 0o077) !== 0) {
        warnings.push(`${credentialsFile} is readable by other users; chmod 600 it`);
      }
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${(error as Error).message}`);
    }
    const keys = parseCredentialsFile(text, defaultAccountId, source);
    if (keys.length === 0) throw new UsageError(`${source} has no access keys`);
    return { keys: checked(keys, source), source, warnings };
  }
  const list = env.FACEKIT_ACCESS_KEYS?.trim();
  if (list) {
    const keys = list.split(',').map((entry, i) => {
      const [accessKeyId = '', secretAccessKey = '', accountId, ...rest] = entry.trim().split(':');
      if (rest.length > 0 || !accessKeyId || !secretAccessKey) {
        throw new UsageError(
          `invalid FACEKIT_ACCESS_KEYS entry ${i + 1}: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY[:ACCOUNT_ID]`,
        );
      }
      return { accessKeyId, secretAccessKey, accountId: accountId || defaultAccountId };
    });
    return { keys: checked(keys, 'FACEKIT_ACCESS_KEYS'), source: 'FACEKIT_ACCESS_KEYS', warnings };
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (accessKeyId && secretAccessKey) {
    const source = 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
    const accountId = env.AWS_ACCOUNT_ID?.trim() || defaultAccountId;
    return {
      keys: checked([{ accessKeyId, secretAccessKey, accountId }], source),
      source,
      warnings,
    };
  }
  return { keys: [], source: '', warnings };
}

/**
 * JSON: `{"accessKeys": [{"accessKeyId", "secretAccessKey", "accountId"}]}` or a bare array.
 * INI, as `~/.aws/credentials`: one section per key with `aws_access_key_id`,
 * `aws_secret_access_key` and optionally `aws_account_id`.
 */
export function parseCredentialsFile(
  text: string,
  defaultAccountId: string,
  source = 'credentials file',
): AccessKey[] {
  const trimmed = text.trim();
  // `[{` or `{` is JSON; `[name]` is an INI section.
  if (/^(\{|\[\s*(\{|\]))/.test(trimmed)) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(value) ? value : (value as { accessKeys?: unknown }).accessKeys;
    if (!Array.isArray(list)) {
      throw new UsageError(`${source}: expected {"accessKeys": [...]} or an array of keys`);
    }
    return list.map((item, i) => {
      const { accessKeyId, secretAccessKey, accountId } = (item ?? {}) as Record<string, unknown>;
      if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
        throw new UsageError(
          `${source}: key ${i + 1} needs string accessKeyId and secretAccessKey members`,
        );
      }
      if (accountId !== undefined && typeof accountId !== 'string') {
        throw new UsageError(`${source}: key ${i + 1} has a non-string accountId`);
      }
      return { accessKeyId, secretAccessKey, accountId: accountId ?? defaultAccountId };
    });
  }
  const sections = ini.parse(text) as Record<string, unknown>;
  const keys: AccessKey[] = [];
  for (const [name, section] of Object.entries(sections)) {
    if (typeof section !== 'object' || section === null) {
      throw new UsageError(`${source}: '${name}' is outside a [section]`);
    }
    const { aws_access_key_id, aws_secret_access_key, aws_account_id } = section as Record<
      string,
      unknown
    >;
    if (typeof aws_access_key_id !== 'string' || typeof aws_secret_access_key !== 'string') {
      throw new UsageError(
        `${source}: [${name}] needs aws_access_key_id and aws_secret_access_key`,
      );
    }
    keys.push({
      accessKeyId: aws_access_key_id,
      secretAccessKey: aws_secret_access_key,
      accountId: typeof aws_account_id === 'string' ? aws_account_id : defaultAccountId,
    });
  }
  return keys;
}

function checked(keys: AccessKey[], source: string): AccessKey[] {
  const seen = new Set<string>();
  for (const key of keys) {
    // A `/` would break the Credential scope; whitespace is a copy-paste accident.
    if (!/^[A-Za-z0-9_+=,.@-]{1,128}$/.test(key.accessKeyId)) {
      throw new UsageError(`${source}: invalid access key id '${key.accessKeyId}'`);
    }
    if (key.secretAccessKey.length < 1 || /\s/.test(key.secretAccessKey)) {
      throw new UsageError(`${source}: the secret of ${key.accessKeyId} is empty or has spaces`);
    }
    if (!/^\d{12}$/.test(key.accountId)) {
      throw new UsageError(
        `${source}: account id of ${key.accessKeyId} must be 12 digits, got '${key.accountId}'`,
      );
    }
    if (seen.has(key.accessKeyId)) {
      throw new UsageError(`${source}: access key ${key.accessKeyId} appears twice`);
    }
    seen.add(key.accessKeyId);
  }
  return keys;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '::ffff:127.0.0.1'
  );
}
