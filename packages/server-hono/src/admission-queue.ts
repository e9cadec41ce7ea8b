import { ThrottlingException } from '@facekit/core';

export interface AdmissionQueueOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Tasks allowed to wait for a slot; one more is refused at once. */
  readonly maxQueued: number;
  /** Longest wait for a slot, in milliseconds, before the task is refused. */
  readonly maxWaitMs: number;
  /** What the slots are for, in messages (plural). Default `requests`. */
  readonly name?: string;
}

interface Waiter {
  readonly admit: () => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Admission control for the expensive operations (image decoding and inference): at most
 * `concurrency` run, at most `maxQueued` wait, and a waiter gives up after `maxWaitMs`. A refused
 * task is `ThrottlingException` (HTTP 500), which the AWS SDKs retry with back-off, so a burst
 * becomes latency for the client instead of memory on the server.
 *
 * onnxruntime-node runs inference synchronously on the main thread, so the point is not
 * parallelism but bounding the work and the request bodies (up to 14 MiB each) held in memory.
 */
export class AdmissionQueue {
  readonly #options: Required<AdmissionQueueOptions>;
  readonly #waiting: Waiter[] = [];
  #running = 0;

  constructor(options: AdmissionQueueOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (name === 'name') continue;
      if (!Number.isInteger(value) || value < (name === 'concurrency' ? 1 : 0)) {
        throw new RangeError(
          `AdmissionQueue: ${name} must be a non-negative integer, got ${value}`,
        );
      }
    }
    this.#options = { name: 'requests', ...options };
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` once a slot is free. The slot is held until the task settles, even if the
   * request that started it has already been answered (e.g. after a timeout).
   * @throws {ThrottlingException} when the queue is full or the wait exceeds `maxWaitMs`.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * Waits for a slot and returns the function that frees it (calling it again does nothing).
   * For work whose end is not one promise, such as a request whose body is read later.
   * @throws {ThrottlingException} when the queue is full or the wait exceeds `maxWaitMs`.
   */
  async acquire(): Promise<() => void> {
    await this.#acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#options.concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#options.maxQueued) {
      return Promise.reject(
        new ThrottlingException(
          `The server is busy: ${this.#options.concurrency} ${this.#options.name} are running and ${this.#options.maxQueued} are waiting. Try your call again.`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(
            new ThrottlingException(
              `The server is busy: no slot among the ${this.#options.name} within ${this.#options.maxWaitMs} ms. Try your call again.`,
            ),
          );
        }, this.#options.maxWaitMs),
      };
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) {
      // The slot passes straight to the next waiter: `running` stays the same.
      clearTimeout(next.timer);
      next.admit();
    } else {
      this.#running--;
    }
  }
}
