/**
 * Resolves after `ms`, or as soon as `signal` aborts: the waits between two questions to Redis, which
 * are cut short rather than failed when there is news. The timer is always cleared. An `unref` sleep
 * does not keep the process alive by itself.
 */
export function sleep(
  ms: number,
  options: { signal?: AbortSignal | undefined; unref?: boolean } = {},
): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (options.unref) timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A wait between two questions to Redis that news cuts short: {@link Pause.wake} ends the sleep in
 * progress, if any, so the asker reads Redis again at once.
 */
export class Pause {
  #wake: AbortController | undefined;

  /** Sleeps for `ms`, or until {@link Pause.wake}. */
  async sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.#wake = wake;
    await sleep(ms, { signal: wake.signal });
    this.#wake = undefined;
  }

  /** Ends the sleep in progress; does nothing when none is. */
  wake(): void {
    this.#wake?.abort();
  }
}
