/** Rejects with the signal's reason once it aborts; resolves or rejects with the promise otherwise. */
export function abortable<T>(options: { promise: Promise<T>; signal: AbortSignal | undefined }): Promise<T> {
  const { promise, signal } = options;
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
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

/** Waits `ms` milliseconds, or rejects with the signal's reason when it aborts first. */
export function sleep(options: { ms: number; signal?: AbortSignal | undefined }): Promise<void> {
  const { ms, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A delay that doubles per attempt up to `maxMs`, with ±20 % jitter so many clients do not retry in step. */
export function backoffDelay(options: { attempt: number; initialMs: number; maxMs: number }): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(options.attempt, 20));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
