import type { PendingTimers } from './pending-timers.ts';
import type { RouteContext, RouteResult } from './route.ts';

/**
 * Accepts a request for paid work, the same way in every simulator: the request becomes billable, then
 * the `job-never-finishes` fault leaves it unanswered, the work takes `delayMs`, and the `job-fails` fault
 * answers with the provider's failure. Resolves to that answer, or `undefined` when the work goes on.
 */
export async function acceptPaidWork(options: {
  context: RouteContext;
  timers: PendingTimers;
  delayMs: number;
  /** The provider's answer to a failed job, given the fault's `message` when it set one. */
  failure: (message: string | undefined) => RouteResult;
}): Promise<RouteResult | undefined> {
  const { context } = options;
  context.markBillable();
  if (context.fault?.kind === 'job-never-finishes') return { hang: true };
  await options.timers.delay(options.delayMs);
  if (context.fault?.kind === 'job-fails') return options.failure(context.fault.message);
  return undefined;
}
