import { formatDuration } from '@retouch/compare';
import type { EditQueueActivity } from '@retouch/queue';

/** How long the batch may go without a line saying what it waits on. */
export const QUIET_LIMIT_MS = 5_000;
/** How often the queue is looked at while the batch waits. */
const LOOK_EVERY_MS = 1_000;
/**
 * A lock with less time left than this is not being renewed: workers hold locks of 30 s (their
 * default) and renew them halfway, so a live worker's lock never falls much below 15 s.
 */
const UNRENEWED_LOCK_MS = 13_000;

/** What {@link watchQueueActivity} needs of the queue. */
export interface ActivitySource {
  activity(): Promise<EditQueueActivity>;
}

/**
 * Looks at the queue while a batch follows it and says, through `say`, what the batch waits on: at
 * once when no worker serves the queue, when the number of workers changes, and whenever `quietSinceMs`
 * says nothing was shown for {@link QUIET_LIMIT_MS} (each retry delay and each lock a stopped worker
 * left, with its time left). Returns when `signal` aborts.
 */
export async function watchQueueActivity(options: {
  queue: ActivitySource;
  /** How to start a worker for this queue, for the "no worker" line. */
  workerCommand: string;
  /** The last time anything was shown, `performance.now()` milliseconds. */
  quietSinceMs: () => number;
  say: (text: string) => void;
  signal: AbortSignal;
}): Promise<void> {
  let workers: number | undefined;
  let lastSaid = performance.now();
  while (!options.signal.aborted) {
    let activity: EditQueueActivity | undefined;
    try {
      activity = await options.queue.activity();
    } catch {
      // Redis is unreachable for a moment: the queue's own error handling reports it.
    }
    if (options.signal.aborted) return;
    if (activity) {
      const quietFor = performance.now() - Math.max(options.quietSinceMs(), lastSaid);
      const changed = activity.workers !== workers;
      if (changed || quietFor >= QUIET_LIMIT_MS) {
        options.say(
          activityText({ activity, workerCommand: options.workerCommand, first: workers === undefined }),
        );
        lastSaid = performance.now();
      }
      workers = activity.workers;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, LOOK_EVERY_MS);
      options.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/**
 * One line on what the queue's work waits on.
 *
 * @example
 * activityText({ activity, workerCommand: 'retouch worker --redis redis://127.0.0.1:6379', first: true });
 * // 'No worker is serving the queue: start one with retouch worker --redis redis://127.0.0.1:6379 (20 edits wait in Redis)'
 */
export function activityText(options: {
  activity: EditQueueActivity;
  workerCommand: string;
  first: boolean;
}): string {
  const { activity } = options;
  const pending = activity.waiting + activity.active;
  if (activity.workers === 0) {
    return `No worker is serving the queue: start one with ${options.workerCommand} (${pending} edit${pending === 1 ? '' : 's'} wait in Redis)`;
  }
  const parts = [
    `${activity.workers} worker${activity.workers === 1 ? '' : 's'} on the queue`,
    `${activity.active} running`,
    `${activity.waiting} waiting`,
  ];
  const next = activity.delayed[0];
  if (next) {
    parts.push(
      `${activity.delayed.length} waiting to be retried, the next in ${formatDuration(next.remainingMs)}`,
    );
  }
  const held = activity.locks.filter((lock) => lock.remainingMs < UNRENEWED_LOCK_MS);
  if (held.length > 0) {
    const longest = Math.max(...held.map((lock) => lock.remainingMs));
    parts.push(
      `${held.length} held by a worker that stopped, back in the queue once ${held.length === 1 ? 'its lock expires' : 'their locks expire'} (in ${formatDuration(longest)}) and a worker checks for stalled jobs`,
    );
  }
  return parts.join(' · ');
}
