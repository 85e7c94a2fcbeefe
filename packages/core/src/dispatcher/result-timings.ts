import type { Cost } from '../cost.ts';
import type { EditResult, EditWarning, FailedAttempt } from '../edit-result.ts';
import type { ProviderEditOutput } from '../provider.ts';
import { redactValue } from '../secrets.ts';
import type { DispatchJob } from './edit-job.ts';

/** What the client saw of one attempt on a model: what was sent, and when each step happened. */
export interface SendState {
  /** Whether a billable attempt left the lane (and so may have been billed). */
  sent: boolean;
  /** When the latest billable attempt left the lane: the work cannot have started earlier. */
  sentAt: number | undefined;
  /** When the provider accepted the job (its submission returned), for edits run as provider jobs. */
  acceptedAt: number | undefined;
  /** When the client first saw the provider report the job as running: it had started by then. */
  seenRunningAt: number | undefined;
}

/** The result of a settled edit, with its timings split into waiting and running. */
export function buildResult(options: {
  job: DispatchJob;
  output: ProviderEditOutput;
  warnings: readonly EditWarning[];
  attempts: readonly FailedAttempt[];
  estimate: Cost | undefined;
  state: SendState;
  providerJobId: string | undefined;
}): EditResult {
  const { job, output } = options;
  const now = Date.now();
  const totalMs = now - job.createdAt;
  const startedAt = workStartedAt({ output, state: options.state, now, createdAt: job.createdAt });
  const runningMs = Math.max(0, Math.min(totalMs, now - startedAt));
  const jobId = output.jobId ?? options.providerJobId;
  const cost =
    output.cost ??
    (options.estimate ? { usd: options.estimate.usd, source: 'estimated' as const } : undefined);
  // Assigned field by field (in the order users see): each conditional spread allocates an object.
  const result = {
    images: output.images,
    provider: job.provider,
    model: job.model,
  } as { -readonly [Key in keyof EditResult]: EditResult[Key] };
  if (cost) result.cost = cost;
  result.warnings = dedupeWarnings(
    output.warnings.length === 0 ? options.warnings : [...options.warnings, ...output.warnings],
  );
  result.timings = { queuedMs: totalMs - runningMs, runningMs, totalMs };
  if (jobId !== undefined) result.jobId = jobId;
  if (output.upstreamProvider !== undefined) result.upstreamProvider = output.upstreamProvider;
  if (output.usage !== undefined) result.usage = output.usage;
  if (options.attempts.length > 0) result.attempts = [...options.attempts];
  result.raw = redactValue(output.raw);
  return result;
}

/**
 * When the work behind a result started, on this client's clock. The provider's own `startedAt`
 * comes first, kept between the moment the request was sent (nothing starts before) and the moment
 * the job was seen running or the result arrived, which bounds a coarse (whole seconds) or skewed
 * provider clock. Without it: when the job was first seen running, else when the provider accepted
 * the job (its time in the provider's queue then counts as running: nothing tells them apart), else
 * when the request was sent (a one-shot edit, which waits in no provider queue the client can see).
 */
function workStartedAt(options: {
  output: ProviderEditOutput;
  state: SendState;
  now: number;
  createdAt: number;
}): number {
  const { output, state, now } = options;
  const reported = output.startedAt;
  const consistent =
    typeof reported === 'number' &&
    Number.isFinite(reported) &&
    !(typeof output.completedAt === 'number' && output.completedAt < reported);
  if (consistent) {
    const earliest = state.sentAt ?? options.createdAt;
    const latest = Math.min(now, state.seenRunningAt ?? now);
    return Math.min(latest, Math.max(earliest, reported));
  }
  return state.seenRunningAt ?? state.acceptedAt ?? state.sentAt ?? now;
}

/** Drops repeated warnings (the same type, option and message). */
export function dedupeWarnings(warnings: readonly EditWarning[]): EditWarning[] {
  if (warnings.length < 2) return warnings.slice();
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = `${warning.type}:${'option' in warning ? warning.option : ''}:${warning.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
