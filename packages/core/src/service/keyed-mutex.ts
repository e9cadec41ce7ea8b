/**
 * Serialises async critical sections per key (we use the collection id), so that read-then-write
 * operations such as AssociateFaces cannot interleave. Different keys run concurrently.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(critical, critical);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      // Forget the key once nothing is queued behind us, so the map does not grow forever.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/**
 * Runs critical sections on `key` under `locks` when given (a lock shared with a `FaceService`),
 * or as they are without.
 */
export function lockedRunner(
  locks: KeyedMutex | undefined,
  key: string,
): <T>(critical: () => Promise<T>) => Promise<T> {
  return (critical) => (locks ? locks.run(key, critical) : critical());
}
