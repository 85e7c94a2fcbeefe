/**
 * The names everything of a deployment is kept under in Redis: queues, workers, shared limits and
 * budgets must agree on them to find one another.
 */

/** The queue's name when none is given. */
export const DEFAULT_QUEUE_NAME = 'retouch-edits';

/** The first part of every Redis key when none is given. */
export const DEFAULT_PREFIX = 'retouch';

/** BullMQ's key prefix under a Retouch prefix, apart from the shared limits' and budgets' keys. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:queue`;
}
