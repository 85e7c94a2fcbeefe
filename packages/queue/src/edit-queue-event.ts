import type { QueuedEditError } from './errors/queued-edit-error.ts';
import type { QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';

/** Something that happened to a job of the queue, from BullMQ's events stream. */
export type EditQueueEvent =
  | {
      /** The job is waiting for a worker (added, or handed back by a worker that shut down). */
      type: 'waiting';
      /** The job's id. */
      jobId: string;
    }
  | {
      /** A worker took the job. */
      type: 'active';
      /** The job's id. */
      jobId: string;
    }
  | {
      /** The job's worker reported progress. */
      type: 'progress';
      /** The job's id. */
      jobId: string;
      /** What it reported. */
      progress: QueuedEditProgress;
    }
  | {
      /** The job succeeded. */
      type: 'completed';
      /** The job's id. */
      jobId: string;
      /** Its result. */
      result: QueuedEditResult;
    }
  | {
      /** The job failed. */
      type: 'failed';
      /** The job's id. */
      jobId: string;
      /** Why. */
      error: QueuedEditError;
    }
  | {
      /** The job's worker stopped answering (a crash); it goes back to waiting and resumes elsewhere. */
      type: 'stalled';
      /** The job's id. */
      jobId: string;
    };
