import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('UnsupportedFeatureError');

/** Options of a {@link UnsupportedFeatureError}. */
export interface UnsupportedFeatureErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** Provider id. */
  provider: string;
  /** The provider's model id. */
  model: string;
  /** The request field or capability that is not supported, e.g. `mask` or `aspectRatio`. */
  feature: string;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * The model cannot do what the request asks (an option it lacks, too many input images, a mask...).
 * By default such options become warnings; with `strict: true` they throw this before any call.
 */
export class UnsupportedFeatureError extends RetouchError {
  /** The class name, `'UnsupportedFeatureError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'UnsupportedFeatureError';
  /** Provider id. */
  readonly provider: string;
  /** The provider's model id. */
  readonly model: string;
  /** The request field or capability that is not supported, e.g. `mask` or `aspectRatio`. */
  readonly feature: string;

  constructor(options: UnsupportedFeatureErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.provider = options.provider;
    this.model = options.model;
    this.feature = options.feature;
  }

  /** True for a `UnsupportedFeatureError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is UnsupportedFeatureError {
    return hasMarker(error, marker);
  }
}
