/** A call waiting for a slot. */
interface Waiting {
  readonly priority: number;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
  readonly reject: (reason: unknown) => void;
  start(): void;
  /** The caller's promise, marked handled when {@link CallSlots.clear} rejects it. */
  promise?: Promise<unknown>;
}

/**
 * The concurrency half of a lane: at most `concurrency` calls run at once; the others wait, highest
 * priority first and then in arrival order. A waiting call whose signal aborts is dropped; a running
 * one gives its slot back at once (its promise rejects with the signal's reason and the task is left
 * to its own signal).
 *
 * It replaces p-queue, of which the lane used only this: p-queue's events, task ids, intervals and
 * async-context binding cost a few percent of the client's CPU per edit against a server that answers
 * at once (docs/performance.md), and a dependency at import.
 *
 * @example
 * const slots = new CallSlots({ concurrency: 4 });
 * await slots.add(() => send(), { priority: 0, signal });
 */
export class CallSlots {
  readonly #concurrency: number;
  readonly #waiting: Waiting[] = [];
  #running = 0;
  #paused = false;

  constructor(options: { concurrency: number }) {
    this.#concurrency = options.concurrency;
  }

  /** Calls waiting for a slot. */
  get size(): number {
    return this.#waiting.length;
  }

  /** Calls holding a slot. */
  get pending(): number {
    return this.#running;
  }

  /** Runs `task` once a slot is free; see the class. */
  add<T>(task: () => Promise<T>, options: { priority: number; signal: AbortSignal }): Promise<T> {
    const { priority, signal } = options;
    if (signal.aborted) return Promise.reject(signal.reason);
    let queued: Waiting | undefined;
    const promise = new Promise<T>((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener('abort', onAbort);
        // Aborted while its turn came (another listener of the signal freed the slot first): not run.
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        this.#running++;
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          signal.removeEventListener('abort', onRunningAbort);
          this.#running--;
          // On the next microtask, as p-queue did: the calls cancelled together with this one (a
          // client closing, a loop left early) have all dropped out by then.
          queueMicrotask(() => this.#next());
        };
        const onRunningAbort = (): void => {
          reject(signal.reason);
          release();
        };
        signal.addEventListener('abort', onRunningAbort, { once: true });
        let operation: Promise<T>;
        try {
          operation = task();
        } catch (error) {
          operation = Promise.reject(error);
        }
        operation.then(
          (value) => {
            resolve(value);
            release();
          },
          (error: unknown) => {
            reject(error);
            release();
          },
        );
      };
      const waiting: Waiting = {
        priority,
        signal,
        start,
        reject,
        onAbort: () => {
          const index = this.#waiting.indexOf(waiting);
          if (index !== -1) this.#waiting.splice(index, 1);
          reject(signal.reason);
        },
      };
      const onAbort = waiting.onAbort;
      if (!this.#paused && this.#running < this.#concurrency && this.#waiting.length === 0) {
        start();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      // Highest priority first, then first come: the list stays sorted.
      let at = this.#waiting.length;
      while (at > 0 && this.#waiting[at - 1]!.priority < priority) at--;
      this.#waiting.splice(at, 0, waiting);
      queued = waiting;
    });
    if (queued) queued.promise = promise;
    return promise;
  }

  /** Starts no more calls. */
  pause(): void {
    this.#paused = true;
  }

  /** Drops the waiting calls: each rejects with an `AbortError` (marked handled, as p-queue did). */
  clear(): void {
    const error = new DOMException('The queue was cleared', 'AbortError');
    for (const waiting of this.#waiting.splice(0)) {
      waiting.signal.removeEventListener('abort', waiting.onAbort);
      waiting.promise?.catch(() => undefined);
      waiting.reject(error);
    }
  }

  #next(): void {
    while (!this.#paused && this.#running < this.#concurrency && this.#waiting.length > 0) {
      this.#waiting.shift()!.start();
    }
  }
}
