/**
 * How a failure crosses from a worker to the queue's handles: errors do not travel between processes
 * as objects, so BullMQ records the worker's error as `Name: message` (secrets redacted), and the queue
 * reads the class name back from it.
 */
import { redact } from '@retouch/core/provider-utils';
import { WaitingError } from 'bullmq';
import { describeError } from './error-message.ts';
import { QueuedEditError } from './errors/queued-edit-error.ts';

/** An error class name as it is written in a recorded failure. */
const ERROR_NAME = '[A-Z][A-Za-z]*Error';
const WHOLE_ERROR_NAME = new RegExp(`^${ERROR_NAME}$`);
const FAILED_REASON = new RegExp(`^(${ERROR_NAME}): ([\\s\\S]*)$`);

/** How a recorded failure ends when the budget counts the edit as possibly billed. */
const POSSIBLY_BILLED = / \(the budget counts ~\$(\d+(?:\.\d+)?(?:e-\d+)?) of it as possibly billed\)$/;

/**
 * The error a worker throws for BullMQ to record, saying what the budget counts of it as possibly
 * billed, if anything; BullMQ's own signal that a job went back to waiting passes through.
 */
export function toJobError(error: unknown, options?: { possiblyBilledUsd?: number | undefined }): Error {
  if (error instanceof WaitingError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const possiblyBilledUsd = options?.possiblyBilledUsd;
  const suffix =
    possiblyBilledUsd !== undefined
      ? ` (the budget counts ~$${possiblyBilledUsd} of it as possibly billed)`
      : '';
  const wrapped = new Error(
    `${redact(`${WHOLE_ERROR_NAME.test(name) ? name : 'Error'}: ${describeError(error)}`)}${suffix}`,
  );
  wrapped.name = 'RetouchJobError';
  return wrapped;
}

/** The {@link QueuedEditError} of a job BullMQ recorded as failed with `failedReason`. */
export function failureOf(options: { jobId: string; failedReason: string | undefined }): QueuedEditError {
  const reason = options.failedReason ?? 'the job failed';
  const match = FAILED_REASON.exec(reason);
  const possiblyBilled = POSSIBLY_BILLED.exec(reason);
  return new QueuedEditError({
    jobId: options.jobId,
    errorName: match?.[1] ?? 'Error',
    message: match?.[2] ?? reason,
    ...(possiblyBilled ? { possiblyBilledUsd: Number(possiblyBilled[1]) } : {}),
  });
}
