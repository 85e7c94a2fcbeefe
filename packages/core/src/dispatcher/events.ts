import type { EditJobStatus } from '../edit-job-snapshot.ts';
import type { EditResult } from '../edit-result.ts';

/** What happened to a job, in the order a job goes through them. */
export type ProgressEventType = 'queued' | 'started' | 'retrying' | 'status' | 'succeeded' | 'failed';

/** What every {@link ProgressEvent} carries. */
export interface ProgressEventBase {
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
}

/** The edit waits in its provider's lane (once per model tried). */
export interface QueuedEvent extends ProgressEventBase {
  /** What happened. */
  type: 'queued';
}

/** An attempt left the lane and is being sent. */
export interface StartedEvent extends ProgressEventBase {
  /** What happened. */
  type: 'started';
  /** The number of this attempt of the call, counting from 1. */
  attempt: number;
}

/** An attempt failed and another follows after `delayMs`, or the next fallback model is tried. */
export interface RetryingEvent extends ProgressEventBase {
  /** What happened. */
  type: 'retrying';
  /** The number of the attempt that follows, when the same call is tried again. */
  attempt?: number;
  /** How long until the next attempt, in milliseconds. */
  delayMs: number;
  /** Why, in words. */
  reason: string;
  /** The error of the failed attempt. */
  error: unknown;
}

/** The job's `status` changed, or the provider assigned a job id. */
export interface StatusEvent extends ProgressEventBase {
  /** What happened. */
  type: 'status';
  /** The job's status after the event. */
  status: EditJobStatus;
  /** Why, in words, when there is more to say than the status. */
  reason?: string;
  /** The provider's job id, once the provider accepted the job. */
  providerJobId?: string;
}

/** The edit succeeded. */
export interface SucceededEvent extends ProgressEventBase {
  /** What happened. */
  type: 'succeeded';
  /** The job's status after the event. */
  status: 'succeeded';
  /** The result. */
  result: EditResult;
}

/** The edit failed, or was cancelled (an abort or a cancel). */
export interface FailedEvent extends ProgressEventBase {
  /** What happened. */
  type: 'failed';
  /** `failed`, or `cancelled` for an abort or a cancel. */
  status: EditJobStatus;
  /** The error. */
  error: unknown;
}

/**
 * One step in the life of an edit, delivered to `onProgress`, `retouch.subscribe`, `job.on` and
 * `editMany`'s `onProgress`: a union discriminated on `type`, so a `switch (event.type)` narrows it to
 * the fields that event carries. Every event carries the job, the model it concerns and its timings.
 *
 * @example
 * const retouch = createRetouch({
 *   providers: [oxen],
 *   onProgress: (event) => {
 *     if (event.type === 'retrying') console.warn(`${event.model}: ${event.reason}`);
 *   },
 * });
 */
export type ProgressEvent =
  | QueuedEvent
  | StartedEvent
  | RetryingEvent
  | StatusEvent
  | SucceededEvent
  | FailedEvent;

/** The fields an event of type `T` carries besides the common ones. */
export type ProgressEventFields<T extends ProgressEventType> = Omit<
  Extract<ProgressEvent, { type: T }>,
  keyof ProgressEventBase | 'type'
>;

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
