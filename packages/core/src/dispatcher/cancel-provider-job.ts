import { TimeoutError } from '../errors/timeout-error.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { DispatchJob } from './edit-job.ts';
import { retrying } from './retrying.ts';

/** How long cancelling a job on the provider may take before it is given up. */
export const CANCEL_TIMEOUT_MS = 10_000;

/**
 * Cancels a provider job after its local job stopped; retried like a read, bounded in time. The job's
 * own deadline cannot bound it (the job has settled, often because that deadline passed), so the
 * cancel has a timer of its own. The cancel stays in `background` until it settles, so closing the
 * client can wait for it.
 */
export function cancelProviderJob(options: {
  context: DispatchContext;
  job: DispatchJob;
  providerJobId: string;
  background: Set<Promise<void>>;
}): Promise<void> {
  const { context, job, providerJobId, background } = options;
  const adapter = context.adapters.get(job.provider);
  const cancel = adapter?.cancel?.bind(adapter);
  if (!cancel) return Promise.resolve();
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new TimeoutError({
        message: `${job.provider}: cancelling job ${providerJobId} got no answer within ${CANCEL_TIMEOUT_MS} ms; the job may still run`,
        timeoutMs: CANCEL_TIMEOUT_MS,
        stage: 'request',
      }),
    );
  }, CANCEL_TIMEOUT_MS);
  const cancelling = retrying({
    retry: context.retry,
    lane: context.lane(job.provider),
    operation: 'read',
    // Cancelling stops billing: it goes before anything else waiting in the lane.
    priority: Number.POSITIVE_INFINITY,
    signal: controller.signal,
    run: (signal) =>
      cancel(providerJobId, {
        http: context.transport({ adapter: adapter!, priority: Number.POSITIVE_INFINITY }),
        signal,
      }),
  }).finally(() => {
    clearTimeout(timer);
    background.delete(cancelling);
  });
  background.add(cancelling);
  cancelling.catch(() => {});
  return cancelling;
}
