import { RetouchError } from './errors/retouch-error.ts';

/**
 * A module loaded the first time it is needed, not when the code that needs it is imported: the way
 * Retouch keeps zod (and each provider's wire schemas) out of its import cost. The returned function
 * imports the module once and hands every later call the same one; a failed import is not kept, so
 * the next call tries again, and it fails as a `RetouchError` naming what could not be loaded.
 *
 * @param load - the dynamic import, written where the module's path is relative to, e.g.
 *   `() => import('./pixelsmith-wire.ts')`
 * @param what - what the module is, for the error, e.g. `Pixelsmith's response schemas`
 * @returns a function that resolves with the module; `loaded()` on it returns the module once it has
 *   loaded (else `undefined`), for a hot path that need not wait
 *
 * @example
 * const loadWire = lazyModule(() => import('./pixelsmith-wire.ts'), "Pixelsmith's response schemas");
 * const { responseSchema } = await loadWire();
 */
export function lazyModule<T>(load: () => Promise<T>, what: string): LazyModule<T> {
  let loading: Promise<T> | undefined;
  let module: T | undefined;
  const get = (): Promise<T> => {
    loading ??= load().then(
      (value) => {
        module = value;
        return value;
      },
      (error: unknown) => {
        loading = undefined;
        throw new RetouchError({
          message: `could not load ${what}: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      },
    );
    return loading;
  };
  return Object.assign(get, { loaded: () => module });
}

/** What {@link lazyModule} returns: call it for the module; `loaded()` gives it without waiting, once loaded. */
export interface LazyModule<T> {
  /** The module, imported on the first call. */
  (): Promise<T>;
  /** The module once an earlier call has loaded it, else `undefined`. */
  loaded(): T | undefined;
}
