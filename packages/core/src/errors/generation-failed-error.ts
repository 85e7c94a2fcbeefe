import { redactOptional } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('GenerationFailedError');

/** Options of a {@link GenerationFailedError}. */
export interface GenerationFailedErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** Provider id. */
  provider: string;
  /** The provider's job id, when the edit ran as a job. */
  jobId?: string;
  /** The provider's reason, verbatim (secrets redacted). */
  providerMessage?: string;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * The provider accepted the edit, ran it, and reported failure (for example an Oxen job whose
 * status became `failed`). `providerMessage` is the provider's own reason.
 */
export class GenerationFailedError extends RetouchError {
  /** The class name, `'GenerationFailedError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'GenerationFailedError';
  /** Provider id. */
  readonly provider: string;
  /** The provider's job id, when the edit ran as a job. */
  readonly jobId: string | undefined;
  /** The provider's reason, verbatim (secrets redacted). */
  readonly providerMessage: string | undefined;

  constructor(options: GenerationFailedErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.jobId = redactOptional(options.jobId);
    this.providerMessage = redactOptional(options.providerMessage);
  }

  /** True for a `GenerationFailedError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is GenerationFailedError {
    return hasMarker(error, marker);
  }
}
