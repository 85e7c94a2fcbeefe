import { RetouchError } from '@retouch/core';

const marker = Symbol.for('retouch.error.QueuedEditError');

/** Options of a {@link QueuedEditError}. */
export interface QueuedEditErrorOptions {
  /** The queued job's id. */
  jobId: string;
  /** The class name of the error the worker saw, e.g. `GenerationFailedError`. */
  errorName: string;
  /** Its message (secrets were redacted by the worker). */
  message: string;
  /** What the shared budget counts of the failed edit as possibly billed, in US dollars. */
  possiblyBilledUsd?: number;
}

/**
 * A queued edit failed in a worker. Errors do not cross processes as objects: this one carries the
 * worker's error's class name (`errorName`, e.g. `BudgetExceededError` or `PossiblyBilledError`) and
 * message.
 *
 * @example
 * try {
 *   await edit.result();
 * } catch (error) {
 *   if (QueuedEditError.isInstance(error) && error.errorName === 'BudgetExceededError') console.log('over budget');
 * }
 */
export class QueuedEditError extends RetouchError {
  /** The class name, `'QueuedEditError'`. */
  override name = 'QueuedEditError';
  /** The queued job's id. */
  readonly jobId: string;
  /** The class name of the error in the worker. */
  readonly errorName: string;
  /**
   * What the shared budget counts of the failed edit as possibly billed (its estimate), in US dollars:
   * the request may have been billed, and the provider's records would tell. Undefined when the
   * worker has no budget, or nothing may have been billed.
   */
  readonly possiblyBilledUsd: number | undefined;

  constructor(options: QueuedEditErrorOptions) {
    super({ message: `${options.errorName}: ${options.message}` });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.jobId = options.jobId;
    this.errorName = options.errorName;
    this.possiblyBilledUsd = options.possiblyBilledUsd;
  }

  /** True for a `QueuedEditError` from any installed copy of `@retouch/queue`. */
  static override isInstance(error: unknown): error is QueuedEditError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
