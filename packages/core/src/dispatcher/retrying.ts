import { ApiCallError } from '../errors/api-call-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { delay } from './deadline.ts';
import { withNote } from './failure-rules.ts';
import type { Lane } from './lane.ts';
import { decideRetry, type OperationKind, type ResolvedRetryOptions } from './retry.ts';

/** The retry loop shared by job calls and provider cancels. */
export async function retrying<T>(options: {
  retry: ResolvedRetryOptions;
  lane: Lane;
  operation: OperationKind;
  priority: number;
  signal: AbortSignal;
  deadline?: number | undefined;
  /**
   * Set for reads of a job the provider accepted. Its result is paid for, so a failed read is never
   * the end: reads go on, backing off up to `maxDelayMs`, until the job settles, the deadline passes
   * or the job is cancelled. Only an answer that cannot change by asking again (a 404 on the job, a
   * refused key) fails it.
   */
  acceptedJob?: { providerJobId: string; maxDelayMs: number };
  /**
   * Counts the call itself as one request in the lane's window: for an adapter that reaches its
   * provider without core's HTTP client, whose requests the gate cannot see.
   */
  paceCall?: boolean;
  run: (signal: AbortSignal) => Promise<T>;
  onStart?: (attempt: number) => void;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string; error: unknown }) => void;
}): Promise<T> {
  const { lane, signal, acceptedJob } = options;
  const retry: ResolvedRetryOptions = acceptedJob
    ? {
        ...options.retry,
        maxRetries: Number.POSITIVE_INFINITY,
        maxRateLimitRetries: Number.POSITIVE_INFINITY,
        initialDelayMs: Math.min(options.retry.initialDelayMs, acceptedJob.maxDelayMs),
        maxDelayMs: Math.min(options.retry.maxDelayMs, acceptedJob.maxDelayMs),
      }
    : options.retry;
  let retries = 0;
  let rateLimitRetries = 0;
  let unusableAnswers = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const onStart = (): void => options.onStart?.(attempt);
      return await (options.paceCall
        ? lane.run((taskSignal) => paced(lane, { ...options, onStart }, taskSignal), {
            priority: options.priority,
            signal,
          })
        : lane.run(options.run, { priority: options.priority, signal, onStart }));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const rateLimited = RateLimitError.isInstance(error);
      // An answer that arrived but cannot be used (garbled, or pointing where it must not) is read
      // again within retry.maxRetries, even for an accepted job: the same answer tends to come back,
      // unlike an outage, which ends. Consecutive ones only: any other failure resets the count.
      const unusable = acceptedJob !== undefined && InvalidResponseError.isInstance(error);
      unusableAnswers = unusable ? unusableAnswers + 1 : 0;
      const decision = decideRetry({
        error,
        operation: options.operation,
        retriesSoFar: unusable ? unusableAnswers - 1 : retries,
        rateLimitRetriesSoFar: rateLimitRetries,
        options: unusable ? { ...retry, maxRetries: options.retry.maxRetries } : retry,
      });
      if (!decision.retry) {
        if (acceptedJob) {
          throw withNote(error, {
            note: acceptedJobGivenUp({ error, acceptedJob, reason: unusable ? decision.reason : '' }),
          });
        }
        throw decision.reason ? withNote(error, { note: decision.reason }) : error;
      }
      if (rateLimited) rateLimitRetries++;
      else retries++;
      // After a 429 the whole lane is paused: the retry waits in the lane, not in a timer of its own.
      let delayMs = rateLimited ? lane.pausedForMs() : decision.delayMs;
      let reason = decision.reason;
      if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) {
        if (!acceptedJob) {
          throw withNote(error, {
            note: `not retried: waiting ${delayMs} ms would pass the deadline set by timeoutMs`,
          });
        }
        // The job may be done: one more read before the deadline can still bring the result home.
        if (!rateLimited) delayMs = Math.max(10, Math.floor((options.deadline - Date.now()) / 2));
      }
      if (acceptedJob) {
        const failures = retries + rateLimitRetries;
        reason = `${reason}; job ${acceptedJob.providerJobId} was accepted and may be billed, so its status is read until it settles, ${
          options.deadline === undefined
            ? 'with no deadline (set timeoutMs to bound the wait),'
            : 'the deadline passes'
        } or it is cancelled (${failures} failed ${failures === 1 ? 'read' : 'reads'} in a row)`;
      }
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason, error });
      if (!rateLimited && delayMs > 0) await delay(delayMs, { signal });
    }
  }
}

/** Why the reads of an accepted job stop: the answer says the job is gone, or asking again cannot help. */
function acceptedJobGivenUp(options: {
  error: unknown;
  acceptedJob: { providerJobId: string };
  /** Why the retries of unusable answers stopped, when they did. */
  reason: string;
}): string {
  const { error, acceptedJob } = options;
  if (ApiCallError.isInstance(error) && error.statusCode === 404) {
    return `the provider no longer knows job ${acceptedJob.providerJobId}: its status answered 404 after the job was accepted, so its result cannot be read`;
  }
  const why = options.reason
    ? `its status answer stayed unusable (${options.reason})`
    : 'reading its status again cannot succeed';
  return `job ${acceptedJob.providerJobId} was accepted and may still finish, but ${why}; fix the cause and re-attach with retouch.resume(snapshot)`;
}

/** Runs a call as one request through the lane's window, and tells the lane how it went. */
async function paced<T>(
  lane: Lane,
  options: { priority: number; run: (signal: AbortSignal) => Promise<T>; onStart: () => void },
  signal: AbortSignal,
): Promise<T> {
  const settle = await lane.gate({ priority: options.priority }).admit({ method: 'CALL', url: '', signal });
  options.onStart();
  try {
    const value = await options.run(signal);
    settle({ status: 200 });
    return value;
  } catch (error) {
    settle({ error });
    throw error;
  }
}
