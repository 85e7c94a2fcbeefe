import { hasMarker, markerFor } from './marker.ts';
import { RetouchError } from './retouch-error.ts';

const marker = markerFor('BudgetExceededError');

/** Options of a {@link BudgetExceededError}. */
export interface BudgetExceededErrorOptions {
  /** What went wrong and the fix. */
  message: string;
  /** The configured budget. */
  maxUsd: number;
  /** Spent plus reserved for edits in flight, when the request was refused. */
  committedUsd: number;
  /** The estimated cost of the refused edit. */
  requestedUsd: number;
  /** The underlying error; it is kept with registered secrets redacted. */
  cause?: unknown;
}

/**
 * Dispatching this edit could cross the client's `budget.maxUsd`. Thrown before anything is sent.
 */
export class BudgetExceededError extends RetouchError {
  /** The class name, `'BudgetExceededError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'BudgetExceededError';
  /** The configured budget. */
  readonly maxUsd: number;
  /** Spent plus reserved for edits in flight, when the request was refused. */
  readonly committedUsd: number;
  /** The estimated cost of the refused edit. */
  readonly requestedUsd: number;

  constructor(options: BudgetExceededErrorOptions) {
    super({ message: options.message, cause: options.cause });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.maxUsd = options.maxUsd;
    this.committedUsd = options.committedUsd;
    this.requestedUsd = options.requestedUsd;
  }

  /** True for a `BudgetExceededError` from any installed copy of `@retouch/core`. */
  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, marker);
  }
}
