import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('InsufficientCreditsError');

/** Options of a {@link InsufficientCreditsError}. */
export interface InsufficientCreditsErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** Provider id. */
  provider: string;
  /** HTTP status, when the error came from a response. */
  statusCode?: number;
  /** Credits the provider said the call needs, when it says. */
  requiredCredits?: number;
  /** Credits the provider said are left, when it says. */
  availableCredits?: number;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * The provider account has not enough credits for this edit (Eden AI's 402, or an Oxen job that
 * failed with `Insufficient credits`). Top up the account; retrying will not help.
 */
export class InsufficientCreditsError extends RetouchError {
  /** The class name, `'InsufficientCreditsError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'InsufficientCreditsError';
  /** Provider id. */
  readonly provider: string;
  /** HTTP status, when the error came from a response. */
  readonly statusCode: number | undefined;
  /** Credits the provider said the call needs, when it says. */
  readonly requiredCredits: number | undefined;
  /** Credits the provider said are left, when it says. */
  readonly availableCredits: number | undefined;

  constructor(options: InsufficientCreditsErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.statusCode = options.statusCode;
    this.requiredCredits = options.requiredCredits;
    this.availableCredits = options.availableCredits;
  }

  /** True for a `InsufficientCreditsError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is InsufficientCreditsError {
    return hasMarker(error, marker);
  }
}
