/**
 * An async iterator over what a subscription delivers, buffered so nothing delivered between two
 * `next()` calls is lost; it ends when the signal aborts or the loop stops, and unsubscribes then.
 * `ready` is awaited before the first value: the source starts reading.
 */
export function subscriptionIterator<T>(options: {
  subscribe: (listener: (value: T) => void) => () => void;
  ready: Promise<unknown>;
  signal: AbortSignal | undefined;
}): AsyncIterator<T> {
  const buffer: T[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = options.subscribe((value) => {
    buffer.push(value);
    wake?.();
  });
  const finish = (): void => {
    done = true;
    unsubscribe();
    options.signal?.removeEventListener('abort', finish);
    wake?.();
  };
  if (options.signal?.aborted) finish();
  else options.signal?.addEventListener('abort', finish, { once: true });
  return {
    async next() {
      await options.ready;
      while (buffer.length === 0 && !done) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (buffer.length > 0) return { value: buffer.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
  };
}
