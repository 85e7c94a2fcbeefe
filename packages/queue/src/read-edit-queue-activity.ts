import type { Queue } from 'bullmq';
import type { EditQueueActivity } from './edit-queue-activity.ts';

/** Jobs read at most per state, so a look at a huge queue stays one cheap round trip. */
const SAMPLED_JOBS = 200;

/**
 * Reads a queue's {@link EditQueueActivity}: the workers, the counts, the delayed jobs' time left and
 * the active jobs' locks (up to a sample of each).
 */
export async function readEditQueueActivity(queue: Queue): Promise<EditQueueActivity> {
  const [workers, counts, delayedJobs, activeJobs] = await Promise.all([
    queue.getWorkersCount(),
    queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    queue.getDelayed(0, SAMPLED_JOBS - 1),
    queue.getActive(0, SAMPLED_JOBS - 1),
  ]);
  const now = Date.now();
  const lockTimes = await lockTimesOf({ queue, jobIds: activeJobs.map((job) => job.id!) });
  return {
    workers,
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
    active: counts.active ?? 0,
    delayed: delayedJobs
      .map((job) => ({ jobId: job.id!, remainingMs: Math.max(0, job.timestamp + (job.delay ?? 0) - now) }))
      .sort((left, right) => left.remainingMs - right.remainingMs),
    // PTTL answers -2 for a lock already gone: the job is back in the queue at the next stalled check.
    locks: activeJobs.map((job, index) => ({ jobId: job.id!, remainingMs: Math.max(0, lockTimes[index]!) })),
  };
}

/** The script reading every lock's time left in one round trip. */
const LOCK_TIMES_COMMAND = 'retouchLockTimes';
const LOCK_TIMES_SCRIPT = `local times = {}
for index, key in ipairs(ARGV) do times[index] = redis.call('PTTL', key) end
return times`;

/** The milliseconds each job's lock has left (-2 once it is gone), in the order of `jobIds`. */
async function lockTimesOf(options: { queue: Queue; jobIds: readonly string[] }): Promise<number[]> {
  if (options.jobIds.length === 0) return [];
  const client = await options.queue.getBackend().client;
  client.defineCommand(LOCK_TIMES_COMMAND, {
    numberOfKeys: 0,
    lua: LOCK_TIMES_SCRIPT,
    readOnly: true,
  });
  const keys = options.jobIds.map((jobId) => `${options.queue.toKey(jobId)}:lock`);
  return ((await client.runCommand(LOCK_TIMES_COMMAND, keys)) as unknown[]).map(Number);
}
