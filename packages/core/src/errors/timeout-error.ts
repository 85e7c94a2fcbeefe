import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('TimeoutError');

/** Options of a {@link TimeoutError}. */
export interface TimeoutErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** The deadline that was exceeded, in milliseconds. */
  timeoutMs: number;
  /** Where the deadline was reached. */
  stage: 'queue' | 'request' | 'poll' | 'download' | 'total';
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * The edit did not settle within its deadline (`timeoutMs`, or a per-attempt timeout). `stage` says
 * where the time ran out. A job that timed out while running is cancelled on the provider where it can be.
 */
export class TimeoutError extends RetouchError {
  /** The class name, `'TimeoutError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'TimeoutError';
  /** The deadline that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** Where the deadline was reached. */
  readonly stage: 'queue' | 'request' | 'poll' | 'download' | 'total';

  constructor(options: TimeoutErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.timeoutMs = options.timeoutMs;
    this.stage = options.stage;
  }

  /** True for a `TimeoutError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is TimeoutError {
    return hasMarker(error, marker);
  }
}
