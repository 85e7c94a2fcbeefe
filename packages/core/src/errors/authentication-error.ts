import { ApiCallError, type ApiCallErrorOptions } from './api-call-error.ts';
import { hasMarker, markerFor } from './marker.ts';

const marker = markerFor('AuthenticationError');

/**
 * The provider rejected the API key (401, or 403 for a permission the key lacks). Check the key
 * variable named in the message; retrying will not help.
 */
export class AuthenticationError extends ApiCallError {
  /** The class name, `'AuthenticationError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'AuthenticationError';

  constructor(options: ApiCallErrorOptions) {
    super(options);
    Object.defineProperty(this, marker, { value: true, enumerable: false });
  }

  /** True for a `AuthenticationError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is AuthenticationError {
    return hasMarker(error, marker);
  }
}
