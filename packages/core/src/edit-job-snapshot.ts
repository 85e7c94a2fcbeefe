import type { Cost } from './cost.ts';
import type { EditWarning, FailedAttempt } from './edit-result.ts';
import type { SerializedEditResult } from './schemas/edit-result-schema.ts';

/**
 * Where a job is: `queued` (waiting in the client's lane or in the provider's queue), `running`,
 * or settled as `succeeded`, `failed` (including a missed deadline) or `cancelled` (by `cancel()`,
 * an abort signal, the provider, or the client closing).
 *
 * @example
 * if (job.status === 'queued' || job.status === 'running') await job.cancel();
 */
export type EditJobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * A job as plain JSON: ids, models, timestamps and, once settled, the result or the error. It never
 * holds the API key or image bytes (inline output images keep only their media type; save the images
 * when the job succeeds), so it can be written to a database or a file and resumed by another process.
 *
 * @example
 * await writeFile('job.json', JSON.stringify(job));
 * const again = retouch.resume(JSON.parse(await readFile('job.json', 'utf8')));
 */
export interface EditJobSnapshot {
  /** Marks the object as a Retouch job snapshot. */
  type: 'retouch.edit-job';
  /** The snapshot format; a version this library cannot read is refused clearly. */
  version: 1;
  /** The client-side job id. */
  id: string;
  /**
   * The key the budget's store counts the job's money under (the job id unless the caller gave one), so
   * that the process resuming it charges the same entry. Fallback models add `#1`, `#2`, ...
   */
  billingKey?: string;
  /** The job's status when the snapshot was taken. */
  status: EditJobStatus;
  /** The `provider:model` the request asked for. */
  requestedModel: string;
  /** The `provider:model` of the current attempt, or the one that served. */
  model: string;
  /** The provider id of `model`. */
  provider: string;
  /** The provider's job id, which is what a later process re-attaches to. */
  providerJobId?: string;
  /** When the job was created, in epoch milliseconds. */
  createdAt: number;
  /** When the job last changed, in epoch milliseconds. */
  updatedAt: number;
  /** When the job settled, in epoch milliseconds. */
  settledAt?: number;
  /** The cost estimated before dispatch, when the provider publishes prices. */
  estimatedCost?: Cost;
  /** Warnings gathered so far. */
  warnings: EditWarning[];
  /** Models that failed before the current one (fallbacks). */
  attempts: FailedAttempt[];
  /** The result, once the job succeeded (image URLs and media types, no bytes). */
  result?: SerializedEditResult;
  /** The error's name and message, once the job failed or was cancelled. */
  error?: {
    /** The error class, e.g. `GenerationFailedError`. */
    name: string;
    /** The error message, secrets redacted. */
    message: string;
  };
}
