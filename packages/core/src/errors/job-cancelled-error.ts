import { redactOptional } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('JobCancelledError');

/** Options of a {@link JobCancelledError}. */
export interface JobCancelledErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** Provider id. */
  provider?: string;
  /** The provider's job id, when there is one. */
  jobId?: string;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/** The job was cancelled, by `job.cancel()`, by an abort signal, or on the provider's side. */
export class JobCancelledError extends RetouchError {
  /** The class name, `'JobCancelledError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'JobCancelledError';
  /** Provider id. */
  readonly provider: string | undefined;
  /** The provider's job id, when there is one. */
  readonly jobId: string | undefined;

  constructor(options: JobCancelledErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.jobId = redactOptional(options.jobId);
  }

  /** True for a `JobCancelledError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is JobCancelledError {
    return hasMarker(error, marker);
  }
}
