import type { QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';

/** Where a queued edit is: waiting (or delayed), taken by a worker, or done. */
export type QueuedEditStatus = 'waiting' | 'active' | 'completed' | 'failed' | 'unknown';

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
   * Resolves with the result once a worker finished it; rejects with {@link QueuedEditError} when it
   * failed (or with a `TimeoutError`-like `RetouchError` after `timeoutMs`).
   */
  result(options?: {
    /** Give up waiting after this long (the job itself goes on). */
    timeoutMs?: number;
  }): Promise<QueuedEditResult>;
}
