import { redact } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('InvalidRequestError');

/** One problem found in a request: where it is and how to fix it. */
export interface RequestIssue {
  /** Dotted path of the offending field, e.g. `images.2` or `providerOptions.oxen`. */
  path: string;
  /** What is wrong and the fix. */
  message: string;
}

/**
 * The request is invalid. Thrown before anything is sent; retrying the same request cannot help.
 * The message lists every issue with its field path and the fix.
 *
 * @example
 * catch (error) {
 *   if (InvalidRequestError.isInstance(error)) for (const issue of error.issues) console.log(issue.path, issue.message);
 * }
 */
export class InvalidRequestError extends RetouchError {
  /** The class name, `'InvalidRequestError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'InvalidRequestError';
  /** Every problem found, each with its field path. */
  readonly issues: RequestIssue[];

  constructor(options: { issues: RequestIssue[]; cause?: unknown }) {
    super({
      message: `Invalid edit request: ${options.issues.map((issue) => `${issue.path || '(request)'}: ${issue.message}`).join('; ')}`,
      cause: options.cause,
    });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    // An issue may quote the value it rejects (a URL with credentials, a path): redact it too.
    this.issues = options.issues.map((issue) => ({
      path: redact(issue.path),
      message: redact(issue.message),
    }));
  }

  /** True for an `InvalidRequestError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is InvalidRequestError {
    return hasMarker(error, marker);
  }
}
