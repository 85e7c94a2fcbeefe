import { RetouchError } from '@retouch/core';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { describeError } from './error-message.ts';
import { failureOf } from './job-failure.ts';
import { queuedEditDataSchema } from './queued-edit.ts';
import {
  type QueuedEditProgress,
  type QueuedEditResult,
  readQueuedEditResult,
} from './queued-edit-result.ts';
import type { QueuedEdit, QueuedEditStatus } from './queued-edit-status.ts';

/** What a handle reads its job through: the queue's BullMQ connections, opened on first use. */
export interface QueuedEditSource {
  /** The queue's name, for messages. */
  readonly queueName: string;
  /** BullMQ's queue; throws once the edit queue is closed. */
  queue(): Queue;
  /** BullMQ's event reader, once it reads. */
  queueEvents(): Promise<QueueEvents>;
}

/** The handle of the job `jobId`; it reads Redis on each call, so it works from any process. */
export function createQueuedEditHandle(options: { jobId: string; source: QueuedEditSource }): QueuedEdit {
  const { jobId, source } = options;
  return {
    id: jobId,
    async status() {
      return statusOf(await source.queue().getJobState(jobId));
    },
    async progress() {
      const job = await source.queue().getJob(jobId);
      const progress = job?.progress;
      return typeof progress === 'object' && progress !== null
        ? (progress as unknown as QueuedEditProgress)
        : undefined;
    },
    async sent() {
      const parsed = queuedEditDataSchema.safeParse((await source.queue().getJob(jobId))?.data);
      const sent = parsed.success ? parsed.data.sent : undefined;
      if (!parsed.success || !sent) return undefined;
      const { model, prompt } = parsed.data.request;
      return { at: sent.at, worker: sent.worker, model: String(model), prompt: String(prompt) };
    },
    async result(resultOptions = {}) {
      const job = await source.queue().getJob(jobId);
      if (!job) {
        throw new RetouchError({
          message: `the edit queue "${source.queueName}" holds no job ${jobId} (never added, or removed)`,
        });
      }
      return waitForResult({
        job,
        queueEvents: await source.queueEvents(),
        timeoutMs: resultOptions.timeoutMs,
      });
    },
  };
}

function statusOf(state: string): QueuedEditStatus {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'delayed':
    case 'waiting-children':
      return 'waiting';
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    default:
      return 'unknown';
  }
}

async function waitForResult(options: {
  job: Job;
  queueEvents: QueueEvents;
  timeoutMs: number | undefined;
}): Promise<QueuedEditResult> {
  const { job } = options;
  try {
    return readQueuedEditResult(await job.waitUntilFinished(options.queueEvents, options.timeoutMs));
  } catch (error) {
    const message = describeError(error);
    if (/timed out before finishing/i.test(message)) {
      throw new RetouchError({
        message: `job ${job.id} did not finish within ${options.timeoutMs} ms; it goes on, call result() again to keep waiting`,
      });
    }
    throw failureOf({ jobId: job.id!, failedReason: message });
  }
}
