import type { OperationExecutor } from './create-app.js';

/** A service per account, opened on first use. */
export interface AccountServices<S extends OperationExecutor> {
  /** The account's service; opened once, also under concurrent first requests. */
  resolve(accountId: string): Promise<S>;
  /** Services opened so far. */
  opened(): readonly S[];
  /** Closes every opened service (waits for those still opening). Idempotent. */
  close(): Promise<void>;
}

export interface AccountServicesOptions<S extends OperationExecutor> {
  /** Opens the service of one account, e.g. a `FaceService` over that account's own store. */
  open(accountId: string): Promise<S>;
  /** Releases what `open` acquired (the store). */
  close(service: S): Promise<void>;
}

/**
 * Memoises one service per account id. `createApp` only asks for accounts that a verified access
 * key maps to (or the single account of `auth: { mode: 'none' }`), so the map is bounded by the
 * configured keys. A failed open is not remembered: the next request tries again.
 */
export function createAccountServices<S extends OperationExecutor>(
  options: AccountServicesOptions<S>,
): AccountServices<S> {
  const services = new Map<string, Promise<S>>();
  const ready: S[] = [];
  let closing: Promise<void> | undefined;
  return {
    resolve(accountId) {
      if (closing) return Promise.reject(new Error('The server is shutting down'));
      let service = services.get(accountId);
      if (!service) {
        service = options.open(accountId).then((s) => {
          ready.push(s);
          return s;
        });
        services.set(accountId, service);
        service.catch(() => services.delete(accountId));
      }
      return service;
    },
    opened: () => [...ready],
    close() {
      closing ??= Promise.allSettled(services.values()).then(async () => {
        await Promise.all(ready.map((s) => options.close(s)));
      });
      return closing;
    },
  };
}
