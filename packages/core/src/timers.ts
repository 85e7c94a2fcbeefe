/**
 * The waits of Retouch, in one place: the dispatcher's and any adapter's (an event stream's reconnect
 * backoff). Both release their timer and listener however they end.
 */

/**
 * Resolves after `ms`, or rejects with the signal's reason when it aborts first; the timer is always cleared.
 *
 * @example
 * await delay(500, { signal }); // throws signal.reason if it aborts first
 */
export function delay(ms: number, options: { signal: AbortSignal }): Promise<void> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts (the promise itself
 * is left to finish on its own).
 *
 * @example
 * const models = await abortable(sharedCatalogueRead, signal);
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits for the promises to settle, or for `ms`, whichever comes first; the timer is cleared either way. */
export async function settleWithin(
  promises: readonly Promise<unknown>[],
  options: { ms: number },
): Promise<void> {
  if (promises.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.ms);
    }),
  ]);
  clearTimeout(timer);
}
