import { redactOptional } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('InvalidResponseError');

/** Options of a {@link InvalidResponseError}. */
export interface InvalidResponseErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** Provider id. */
  provider: string;
  /** The URL that answered. */
  url?: string;
  /** The path in the payload that failed validation. */
  path?: string;
  /** A short, redacted excerpt of the payload. */
  excerpt?: string;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * The provider answered 2xx with a payload that does not match its documented schema (or is not
 * JSON, or an image that is not an image). `path` is where it failed; `excerpt` a short redacted sample.
 */
export class InvalidResponseError extends RetouchError {
  /** The class name, `'InvalidResponseError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'InvalidResponseError';
  /** Provider id. */
  readonly provider: string;
  /** The URL that answered. */
  readonly url: string | undefined;
  /** The path in the payload that failed validation. */
  readonly path: string | undefined;
  /** A short, redacted excerpt of the payload. */
  readonly excerpt: string | undefined;

  constructor(options: InvalidResponseErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.url = redactOptional(options.url);
    this.path = redactOptional(options.path);
    this.excerpt = redactOptional(options.excerpt);
  }

  /** True for a `InvalidResponseError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is InvalidResponseError {
    return hasMarker(error, marker);
  }
}
