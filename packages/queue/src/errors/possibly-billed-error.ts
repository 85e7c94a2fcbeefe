import { RetouchError } from '@retouch/core';

const marker = Symbol.for('retouch.error.PossiblyBilledError');

/** Options of a {@link PossiblyBilledError}. */
export interface PossiblyBilledErrorOptions {
  /** The queued job's id. */
  jobId: string;
  /** The model the edit was sent to. */
  model: string;
  /** When the billable request was sent (epoch milliseconds). */
  sentAt: number;
  /** Why the provider's records could not tell what became of it, when they were consulted. */
  reason?: string;
}

/**
 * A worker stopped (a crash, `kill -9`, a lost machine) after sending an edit's billable request and
 * before recording the provider's answer, so the edit may have been billed, and the provider's records
 * (where it keeps any: `retouch.findLostEdit`) cannot say where its result is (`reason` says why). It
 * is not sent again, so it cannot be paid for twice. Add it again under a new job id if it is still
 * wanted (accepting a possible second charge), or run workers with `resendPossiblyBilled: true`.
 *
 * @example
 * if (PossiblyBilledError.isInstance(error)) console.warn(`${error.jobId} may have been billed`);
 */
export class PossiblyBilledError extends RetouchError {
  /** The class name, `'PossiblyBilledError'`. */
  override name = 'PossiblyBilledError';
  /** The queued job's id. */
  readonly jobId: string;
  /** The model the edit was sent to. */
  readonly model: string;
  /** When the billable request was sent (epoch milliseconds). */
  readonly sentAt: number;
  /** Why the provider's records could not tell what became of it, when they were consulted. */
  readonly reason: string | undefined;

  constructor(options: PossiblyBilledErrorOptions) {
    super({
      message: `job ${options.jobId}: a worker stopped after sending the billable request for ${options.model} (at ${new Date(options.sentAt).toISOString()}) and before recording the provider's answer, so this edit may have been billed${options.reason ? ` (the provider's records cannot tell: ${options.reason})` : ''}; it is not sent again, so it cannot be paid for twice. Add it again under a new job id if you still need it (it may then be paid for twice), or run workers with resendPossiblyBilled: true`,
    });
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.jobId = options.jobId;
    this.model = options.model;
    this.sentAt = options.sentAt;
    this.reason = options.reason;
  }

  /** True for a `PossiblyBilledError` from any installed copy of `@retouch/queue`. */
  static override isInstance(error: unknown): error is PossiblyBilledError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
