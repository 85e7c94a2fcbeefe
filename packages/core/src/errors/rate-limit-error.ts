import { ApiCallError, type ApiCallErrorOptions } from './api-call-error.ts';
import { hasMarker, markerFor } from './marker.ts';

const marker = markerFor('RateLimitError');

/**
 * The provider throttled the request (429). `retryAfterMs` holds its `Retry-After` (header or body)
 * when it sent one. The dispatcher pauses the whole provider lane for that long and retries.
 */
export class RateLimitError extends ApiCallError {
  /** The class name, `'RateLimitError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'RateLimitError';

  constructor(options: ApiCallErrorOptions) {
    super(options);
    Object.defineProperty(this, marker, { value: true, enumerable: false });
  }

  /** True for a `RateLimitError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is RateLimitError {
    return hasMarker(error, marker);
  }
}
