import type { ProviderAdapter } from '../provider.ts';
import type { JobObserver } from '../telemetry/job-observer.ts';
import type { JobStage } from './deadline.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { DispatchJob } from './edit-job.ts';
import type { SendState } from './result-timings.ts';
import type { OperationKind } from './retry.ts';
import { retrying } from './retrying.ts';

/**
 * Runs one call of a job through the lane, retrying as `decideRetry` allows, and reports each attempt
 * and retry on the job: its status, its events and the stage its deadline names.
 */
export function withJobRetries<T>(options: {
  context: DispatchContext;
  job: DispatchJob;
  adapter: ProviderAdapter;
  operation: OperationKind;
  priority: number;
  state?: SendState;
  /** Reads of a job the provider accepted (and may bill): retried until it settles, never given up on a count. */
  acceptedJob?: { providerJobId: string; maxDelayMs: number };
  run: (signal: AbortSignal) => Promise<T>;
}): Promise<T> {
  const { context, job } = options;
  const control = job.control;
  const waitingStage: JobStage = options.operation === 'read' ? 'poll' : 'queue';
  const observer = job.observer;
  return retrying({
    retry: context.retry,
    lane: context.lane(options.adapter.id),
    operation: options.operation,
    priority: options.priority,
    signal: control.signal,
    deadline: control.deadline,
    paceCall: options.adapter.http === undefined,
    ...(options.acceptedJob ? { acceptedJob: options.acceptedJob } : {}),
    run: observer ? (signal) => observed({ observer, run: options.run, signal }) : options.run,
    onStart: (attempt) => {
      observer?.attemptStarted({ attempt, operation: options.operation });
      if (options.operation === 'read') return;
      // An adapter that sends through its own means is not seen by the gate: its call is the request.
      if (options.adapter.http === undefined) {
        control.stage = 'request';
        if (options.state) {
          options.state.sent = true;
          options.state.sentAt = Date.now();
        }
      }
      job.setStatus('running');
      job.emit('started', { attempt });
    },
    onRetry: ({ attempt, delayMs, reason, error }) => {
      control.stage = waitingStage;
      context.countRetry();
      observer?.retried({ attempt, delayMs, reason });
      job.emit('retrying', { attempt, delayMs, reason, error });
    },
  });
}

/** Runs one attempt and tells the observer how it ended. */
async function observed<T>(options: {
  observer: JobObserver;
  run: (signal: AbortSignal) => Promise<T>;
  signal: AbortSignal;
}): Promise<T> {
  try {
    const value = await options.run(options.signal);
    options.observer.attemptEnded({});
    return value;
  } catch (error) {
    options.observer.attemptEnded({ error });
    throw error;
  }
}
