import type { EditJobStatus } from '../edit-job-snapshot.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { HttpClient } from '../http/http-client.ts';
import { JobControl } from './deadline.ts';
import { checkPriority } from './dispatch-checks.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { DispatchJob } from './edit-job.ts';
import { JobRunner } from './job-runner.ts';
import { deserializeResult } from './result-serialization.ts';
import { readSnapshot, restoredError, restoredFailure } from './resume-snapshot.ts';
import type { ResumeOptions } from './retouch.ts';

/** What a job re-created from its snapshot starts with. */
export interface ResumedJobSettings {
  origin: 'resume';
  requestedModel: string;
  model: string;
  provider: string;
  control: JobControl;
  id: string;
  billingKey: string | undefined;
  createdAt: number;
  status: EditJobStatus;
  providerJobId: string | undefined;
}

/**
 * `retouch.resume()`: re-creates a job from its snapshot. A job that had settled, or that never
 * reached the provider, settles at once from what the snapshot holds; a job the provider still holds
 * is followed again, its stored result kept for when the provider can no longer be read.
 */
export async function resumeJob(options: {
  snapshot: unknown;
  resume: ResumeOptions;
  context: DispatchContext;
  /** The registered provider ids, for messages. */
  registered: string;
  createJob: (settings: ResumedJobSettings) => DispatchJob;
  /** Follows the job's runner until it settles, so closing the client can wait for it. */
  track: (runner: Promise<void>, job: DispatchJob) => void;
  /** The keyless client that downloads a stored result's images. */
  downloader: () => HttpClient;
}): Promise<DispatchJob> {
  const { resume } = options;
  const { saved, adapter, settled } = await readSnapshot({
    snapshot: options.snapshot,
    adapters: options.context.adapters,
    registered: options.registered,
  });
  const priority = checkPriority(resume.priority);
  if (
    resume.timeoutMs !== undefined &&
    !(Number.isInteger(resume.timeoutMs) && resume.timeoutMs > 0 && resume.timeoutMs <= 2_147_483_647)
  ) {
    throw new RetouchError({
      message: `resume: timeoutMs must be a whole number of milliseconds > 0, got ${String(resume.timeoutMs)}`,
    });
  }
  const control = new JobControl({ timeoutMs: resume.timeoutMs, signals: [resume.signal] });
  const job = options.createJob({
    origin: 'resume',
    requestedModel: saved.requestedModel,
    model: saved.model,
    provider: saved.provider,
    control,
    id: saved.id,
    billingKey: saved.billingKey,
    createdAt: saved.createdAt,
    status: settled ? 'queued' : saved.status,
    providerJobId: saved.providerJobId,
  });
  job.warnings = saved.warnings;
  job.attempts = saved.attempts;
  job.estimatedCost = saved.estimatedCost;
  const stored = saved.result ? deserializeResult(saved.result, { http: options.downloader }) : undefined;

  if (saved.status === 'cancelled' || saved.status === 'failed') {
    job.restore({ error: restoredFailure(saved) });
    return job;
  }
  if (saved.providerJobId === undefined) {
    if (stored) job.restore({ result: stored });
    else job.restore({ error: restoredError(saved.error) });
    return job;
  }
  options.track(
    new JobRunner({ context: options.context, job }).resume({
      adapter,
      providerJobId: saved.providerJobId,
      priority,
      ...(stored ? { stored } : {}),
    }),
    job,
  );
  return job;
}
