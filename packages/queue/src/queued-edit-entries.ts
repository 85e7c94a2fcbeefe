import { type EditRequest, InvalidRequestError, RetouchError } from '@retouch/core';
import type { AddEditOptions } from './edit-queue-options.ts';
import { type QueuedEditData, toQueuedRequest } from './queued-edit.ts';

/** BullMQ's job name for every edit. */
const JOB_NAME = 'edit';
/** Retouch priorities run from -1,000,000 to 1,000,000 (higher first); BullMQ's from 1 (first) up. */
const PRIORITY_RANGE = 1_000_000;

/** One edit to add, as BullMQ's `add` and `addBulk` take it. */
export interface QueuedEditEntry {
  name: string;
  data: QueuedEditData;
  opts: Record<string, unknown>;
}

/**
 * Checks every entry (its request as `retouch.edit()` would, its priority and job id) and turns each
 * into a BullMQ job; the first problem is thrown, naming the entry's position when there are several,
 * so nothing is added when one entry is invalid.
 */
export async function toQueuedEditEntries(
  entries: readonly ({ request: EditRequest } & AddEditOptions)[],
  options: { maxInlineBytes: number; keepCompleted: number | undefined; keepFailed: number | undefined },
): Promise<QueuedEditEntry[]> {
  const prepared: QueuedEditEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = entries.length > 1 ? `entries[${index}]: ` : '';
    if (typeof entry !== 'object' || entry === null) {
      throw new RetouchError({ message: `${at}pass { request, jobId?, priority? }` });
    }
    const priority = entry.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > PRIORITY_RANGE) {
      throw new RetouchError({
        message: `${at}priority must be a whole number from -${PRIORITY_RANGE} to ${PRIORITY_RANGE} (higher goes first), got ${String(priority)}`,
      });
    }
    if (entry.jobId !== undefined) checkJobId({ jobId: entry.jobId, at });
    let request: QueuedEditData['request'];
    try {
      request = await toQueuedRequest(entry.request, { maxInlineBytes: options.maxInlineBytes });
    } catch (error) {
      if (InvalidRequestError.isInstance(error) && at) {
        throw new InvalidRequestError({
          issues: error.issues.map((issue) => ({
            ...issue,
            path: `entries.${index}.request${issue.path ? `.${issue.path}` : ''}`,
          })),
        });
      }
      throw error;
    }
    prepared.push({
      name: JOB_NAME,
      data: { type: 'retouch.queued-edit', version: 1, request, priority } satisfies QueuedEditData,
      opts: {
        jobId: entry.jobId ?? crypto.randomUUID(),
        // Lower is first in BullMQ, and a job without one would jump every job with one.
        priority: PRIORITY_RANGE + 1 - priority,
        // Retouch retries each call itself, knowing which resend could pay twice; BullMQ must not.
        attempts: 1,
        ...(options.keepCompleted !== undefined
          ? { removeOnComplete: { count: options.keepCompleted } }
          : {}),
        ...(options.keepFailed !== undefined ? { removeOnFail: { count: options.keepFailed } } : {}),
      },
    });
  }
  return prepared;
}

/** `at` names the entry in a bulk add. */
function checkJobId(options: { jobId: unknown; at: string }): void {
  const { jobId, at } = options;
  if (
    typeof jobId !== 'string' ||
    jobId.length === 0 ||
    jobId.length > 256 ||
    jobId.includes(':') ||
    /^\d+$/.test(jobId)
  ) {
    throw new RetouchError({
      message: `${at}jobId must be 1 to 256 characters, not only digits and without ":" (BullMQ's rule), got ${JSON.stringify(jobId)}`,
    });
  }
}
