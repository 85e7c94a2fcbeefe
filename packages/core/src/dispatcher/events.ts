import type { EditResult } from '../edit-result.ts';
import type { EditJobStatus } from './edit-job.ts';

/** What happened to a job, in the order a job goes through them. */
export type ProgressEventType = 'queued' | 'started' | 'retrying' | 'status' | 'succeeded' | 'failed';

/**
 * One step in the life of an edit, delivered to `onProgress`, `retouch.subscribe`, `job.on` and
 * `editMany`'s `onProgress`. Every event carries the job, the model it concerns and its timings.
 *
 * - `queued`: the edit waits in its provider's lane (once per model tried).
 * - `started`: an attempt left the lane and is being sent; `attempt` counts from 1.
 * - `retrying`: an attempt failed and another follows after `delayMs`, or the next fallback model is
 *   tried; `reason` says why.
 * - `status`: the job's `status` changed, or the provider assigned a job id (`providerJobId`).
 * - `succeeded`: `result` holds the {@link EditResult}.
 * - `failed`: `error` holds the error; `status` is `cancelled` for an abort or a cancel.
 *
 * @example
 * const retouch = createRetouch({
 *   providers: [oxen],
 *   onProgress: (event) => console.log(`${event.elapsedMs} ms ${event.type} ${event.model} ${event.reason ?? ''}`),
 * });
 */
export interface ProgressEvent {
  /** What happened. */
  type: ProgressEventType;
  /** The client-side id of the job (`EditJob.id`). */
  jobId: string;
  /** The `provider:model` this event concerns (a fallback model once the primary failed). */
  model: string;
  /** The provider id of `model`. */
  provider: string;
  /** When it happened, in epoch milliseconds. */
  timestamp: number;
  /** Milliseconds since the job was created. */
  elapsedMs: number;
  /**
   * For `started`: the number of this attempt of the call, counting from 1. For `retrying`: the number
   * of the attempt that follows.
   */
  attempt?: number;
  /** For `retrying`: how long until the next attempt, in milliseconds. */
  delayMs?: number;
  /** For `retrying` and some `status` events: why, in words. */
  reason?: string;
  /** For `status` and `failed`: the job's status after the event. */
  status?: EditJobStatus;
  /** For `status`: the provider's job id, once the provider accepted the job. */
  providerJobId?: string;
  /** For `failed` (and the failed attempt of `retrying`): the error. */
  error?: unknown;
  /** For `succeeded`: the result. */
  result?: EditResult;
}

/**
 * Receives {@link ProgressEvent}s. A listener that throws does not disturb the dispatch: its error
 * is reported as an uncaught exception, as `EventTarget` does.
 *
 * @example
 * const unsubscribe = retouch.subscribe((event) => {
 *   if (event.type === 'retrying') console.warn(event.reason);
 * });
 */
export type ProgressListener = (event: ProgressEvent) => void;

/** Calls a listener without letting its error reach the dispatcher. */
export function deliver(options: { listener: ProgressListener; event: ProgressEvent }): void {
  try {
    options.listener(options.event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
