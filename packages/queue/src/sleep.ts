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
