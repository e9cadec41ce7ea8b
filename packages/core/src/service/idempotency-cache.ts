import { IdempotentParameterMismatchException } from '../errors/exceptions.js';

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
}

export interface IdempotencyCacheOptions {
  /** How long a token is remembered, in milliseconds. */
  ttlMs: number;
  /** Most tokens remembered; the oldest are forgotten first. */
  maxEntries: number;
  now: () => number;
}

/**
 * Remembers the outcome of requests carrying a `ClientRequestToken`: the same token with the same
 * parameters returns the first response (even while it is still running), with other parameters
 * it is `IdempotentParameterMismatchException`. Failures are not remembered, so a retry after an
 * error runs again. Tokens are kept in memory for `ttlMs`; they do not survive a restart.
 */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: IdempotencyCacheOptions;

  constructor(options: IdempotencyCacheOptions) {
    this.#options = options;
  }

  run<T>(
    operation: string,
    token: string | undefined,
    params: unknown,
    execute: () => Promise<T>,
  ): Promise<T> {
    if (token === undefined) return execute();
    const now = this.#options.now();
    this.#evict(now);
    const key = `${operation}\u0000${token}`;
    const fingerprint = stableStringify(params);
    const existing = this.#entries.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new IdempotentParameterMismatchException(
          `The ClientRequestToken: ${token} you have supplied is already in use.`,
        );
      }
      return existing.result as Promise<T>;
    }
    const result = execute();
    const entry: Entry = { fingerprint, result, expiresAt: now + this.#options.ttlMs };
    this.#entries.set(key, entry);
    result.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return result;
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size < this.#options.maxEntries) break;
      this.#entries.delete(key);
    }
  }
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` fingerprint the same. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}
