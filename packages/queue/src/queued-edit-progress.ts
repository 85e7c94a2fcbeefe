import type { ProgressEvent } from '@retouch/core';
import type { QueuedEditProgress } from './queued-edit-result.ts';

/**
 * The part of a client progress event a queue reports, without its time; the outcome is the job's
 * own, reported by BullMQ.
 */
export function toQueuedEditProgress(event: ProgressEvent): Omit<QueuedEditProgress, 'at'> | undefined {
  switch (event.type) {
    case 'queued':
      return { type: 'queued', model: event.model };
    case 'started':
      return { type: 'started', model: event.model, attempt: event.attempt };
    case 'retrying':
      return {
        type: 'retrying',
        model: event.model,
        ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
        delayMs: event.delayMs,
        reason: event.reason,
      };
    case 'status':
      return {
        type: 'status',
        model: event.model,
        status: event.status,
        ...(event.providerJobId ? { providerJobId: event.providerJobId } : {}),
        ...(event.reason ? { reason: event.reason } : {}),
      };
    default:
      return undefined;
  }
}
