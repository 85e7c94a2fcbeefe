import type { QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';

/** Where a queued edit is: waiting (or delayed), taken by a worker, or done. */
export type QueuedEditStatus = 'waiting' | 'active' | 'completed' | 'failed' | 'unknown';

/** A queued edit's first billable send: when, by which worker, and what it asked for. */
export interface QueuedEditSend {
  /** When, in epoch milliseconds. */
  at: number;
  /** The worker's id. */
  worker: string;
  /** The model, as `provider:model`. */
  model: string;
  /** The prompt. */
  prompt: string;
}

/**
 * A handle on one queued edit. Any process can make one with {@link EditQueue.get}.
 *
 * @example
 * const edit = await queue.add(request);
 * console.log(await edit.status());
 * const result = await edit.result();
 */
export interface QueuedEdit {
  /** The job's id. */
  readonly id: string;
  /** Where it is now; `unknown` once removed from Redis. */
  status(): Promise<QueuedEditStatus>;
  /** The last progress its worker reported, if any. */
  progress(): Promise<QueuedEditProgress | undefined>;
  /**
   * When a worker first sent its billable request (from then on it may be billed), with the model and
   * prompt sent; `undefined` while unsent, or once the job is gone. `retouch ledger --redis` matches
   * it with the provider's records by these.
   */
  sent(): Promise<QueuedEditSend | undefined>;
  /**
   * Resolves with the result once a worker finished it; rejects with {@link QueuedEditError} when it
   * failed (or with a `TimeoutError`-like `RetouchError` after `timeoutMs`).
   */
  result(options?: {
    /** Give up waiting after this long (the job itself goes on). */
    timeoutMs?: number;
  }): Promise<QueuedEditResult>;
}
