import type { NormalizedEditRequest } from '../edit-request.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { ProviderAdapter, ProviderContext, ProviderEditOutput, ProviderJobStatus } from '../provider.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { DispatchJob } from './edit-job.ts';
import { withJobRetries } from './job-retries.ts';
import type { SendState } from './result-timings.ts';
import { resolvePolling, waitForJob, withReadTimeout } from './wait-for-job.ts';

/** The longest wait between failed reads of an accepted job when the adapter polls faster than this. */
const MAX_READ_BACKOFF_MS = 5_000;

/**
 * Waits for a provider job to reach a terminal state: core's one wait loop, woken by the adapter's
 * watch, with each status read retried through the lane and the job's status kept in step.
 */
export async function followProviderJob(options: {
  context: DispatchContext;
  job: DispatchJob;
  adapter: ProviderAdapter;
  providerJobId: string;
  priority: number;
  checkFirst: boolean;
  state: SendState;
  /** The request that started the job; absent when resuming, since a snapshot keeps none. */
  request?: NormalizedEditRequest;
}): Promise<ProviderJobStatus> {
  const { context, job, adapter, providerJobId } = options;
  const signal = job.control.signal;
  const status = adapter.status?.bind(adapter);
  if (!status) {
    throw new RetouchError({
      message: `the ${adapter.id} adapter has jobs but no status(); it cannot be waited on`,
    });
  }
  const polling = resolvePolling(adapter.polling);
  const deadline = job.control.deadline;
  // Polls yield to submissions: a late poll costs a little latency, a late submission a whole edit.
  const http = context.transport({ adapter, priority: options.priority - 1, observer: job.observer });
  const read = (): Promise<ProviderJobStatus> =>
    withJobRetries({
      context,
      job,
      adapter,
      operation: 'read',
      priority: options.priority - 1,
      acceptedJob: { providerJobId, maxDelayMs: Math.max(polling.intervalMs, MAX_READ_BACKOFF_MS) },
      run: (attemptSignal) =>
        withReadTimeout({
          signal: attemptSignal,
          deadline,
          what: `${adapter.id}: reading the status of job ${providerJobId}`,
          // An adapter without its own client was let through the window before its call began.
          armed: adapter.http === undefined,
          run: (readSignal, arm) =>
            status(providerJobId, {
              http: context.transport({
                adapter,
                priority: options.priority - 1,
                onAdmit: arm,
                observer: job.observer,
              }),
              signal: readSignal,
            } satisfies ProviderContext),
        }),
    });
  return waitForJob({
    adapter,
    providerJobId,
    http,
    signal,
    checkFirst: options.checkFirst,
    request: options.request,
    read,
    observe: (current) => {
      if (current.state === 'running') {
        options.state.seenRunningAt ??= Date.now();
        job.setStatus('running', { reason: 'the provider is running the job' });
      } else if (current.state === 'queued') {
        job.setStatus('queued', { reason: 'waiting in the provider queue' });
      }
    },
    onWatchFailed: (error) =>
      job.emit('retrying', {
        reason: `the completion signal could not be started (${error instanceof Error ? error.message : String(error)}); polling the job instead`,
        delayMs: 0,
        error,
      }),
  });
}

/** The output of a provider job that reached a terminal state; a failure or a cancel is thrown. */
export function outputOfProviderJob(options: {
  final: ProviderJobStatus;
  providerJobId: string;
  provider: string;
}): ProviderEditOutput {
  const { final, providerJobId, provider } = options;
  if (final.state === 'succeeded') return final.output;
  if (final.state === 'failed') throw final.error;
  if (final.state === 'cancelled') {
    throw new JobCancelledError({
      message: `${provider} reports job ${providerJobId} as cancelled`,
      provider,
      jobId: providerJobId,
    });
  }
  throw new RetouchError({ message: `${provider} job ${providerJobId} is still ${final.state}` });
}
