import { redact, redactOptional, redactValue } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('ApiCallError');

/** Options of an {@link ApiCallError}. */
export interface ApiCallErrorOptions {
  /** What went wrong and, where there is one, the fix. */
  message: string;
  /** Provider id, e.g. `oxen`. */
  provider: string;
  /** The URL called (secrets redacted). */
  url: string;
  /** HTTP method. */
  method: string;
  /** HTTP status, absent when no response arrived. */
  statusCode?: number;
  /** Whether trying again later may succeed. */
  isRetryable?: boolean;
  /**
   * True only when the provider provably did not accept the request (429, 503, or a connection
   * refused before anything was sent), so a billable submission may be sent again without paying twice.
   */
  provablyNotProcessed?: boolean;
  /** How long the provider asked us to wait, in milliseconds. */
  retryAfterMs?: number;
  /** The provider's request id, from its response headers, when it sends one. */
  requestId?: string;
  /** The parsed or raw response body, secrets redacted and truncated. */
  responseBody?: unknown;
  /** The provider's error code or type, e.g. `invalid_params` or `RATE_LIMITED`. */
  code?: string;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * A call to a provider's HTTP API failed: a status other than 2xx, or no response at all.
 *
 * @example
 * catch (error) {
 *   if (ApiCallError.isInstance(error) && error.isRetryable) scheduleLater(error.retryAfterMs);
 * }
 */
export class ApiCallError extends RetouchError {
  /** The class name, `'ApiCallError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'ApiCallError';
  /** Provider id, e.g. `oxen`. */
  readonly provider: string;
  /** The URL called, secrets redacted. */
  readonly url: string;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** HTTP status, `undefined` when no response arrived. */
  readonly statusCode: number | undefined;
  /** Whether trying again later may succeed: a rate limit, a 408, 409 or 5xx status, a network failure. */
  readonly isRetryable: boolean;
  /**
   * True only when the provider provably did not accept the request (429, 503, or a connection
   * refused before anything was sent): a billable submission may then be sent again without paying twice.
   */
  readonly provablyNotProcessed: boolean;
  /** How long the provider asked to wait before trying again, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The provider's request id from its response headers, for support requests. */
  readonly requestId: string | undefined;
  /** The parsed or raw response body, secrets redacted and truncated. */
  readonly responseBody: unknown;
  /** The provider's error code or type, e.g. `invalid_params` or `RATE_LIMITED`. */
  readonly code: string | undefined;

  constructor(options: ApiCallErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.url = redact(options.url);
    this.method = options.method;
    this.statusCode = options.statusCode;
    this.isRetryable = options.isRetryable ?? false;
    this.provablyNotProcessed = options.provablyNotProcessed ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = redactOptional(options.requestId);
    this.responseBody = redactValue(options.responseBody);
    this.code = redactOptional(options.code);
  }

  /** True for an `ApiCallError` (or subclass) from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is ApiCallError {
    return hasMarker(error, marker);
  }
}
