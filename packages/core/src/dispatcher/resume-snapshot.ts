import type { EditJobSnapshot } from '../edit-job-snapshot.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { ProviderAdapter } from '../provider.ts';
import { loadSchemas } from '../schemas/load-schemas.ts';

/**
 * Reads a snapshot handed to `retouch.resume()`: checks its shape, that its provider is registered, and
 * that an unfinished job can be re-attached to. Every refusal is an `InvalidRequestError` naming the
 * snapshot's field and the fix.
 */
export async function readSnapshot(options: {
  snapshot: unknown;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  /** The registered provider ids, for messages. */
  registered: string;
}): Promise<{ saved: EditJobSnapshot; adapter: ProviderAdapter; settled: boolean }> {
  const { snapshot } = options;
  const { editJobSnapshotSchema, toRequestIssues } = await loadSchemas();
  const parsed = editJobSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) {
    throw new InvalidRequestError({
      issues: toRequestIssues(parsed.error.issues).map((issue) => ({
        path: issue.path ? `snapshot.${issue.path}` : 'snapshot',
        message: `${issue.message} (pass the object job.toJSON() returned, after JSON.parse if it was stored as text)`,
      })),
    });
  }
  const saved = parsed.data;
  const adapter = options.adapters.get(saved.provider);
  if (!adapter) {
    throw new InvalidRequestError({
      issues: [
        {
          path: 'snapshot.provider',
          message: `the job ran on "${saved.provider}", which is not registered with this client (registered: ${options.registered}); pass its adapter in createRetouch({ providers })`,
        },
      ],
    });
  }
  const settled = saved.status === 'succeeded' || saved.status === 'failed' || saved.status === 'cancelled';
  if (!settled && saved.providerJobId === undefined) {
    throw new InvalidRequestError({
      issues: [
        {
          path: 'snapshot.providerJobId',
          message: `job ${saved.id} ran inside the process that submitted it (${saved.provider} has no provider-side jobs) and had not finished, so there is nothing to re-attach to; it may have been billed. Submit the request again if you still need it`,
        },
      ],
    });
  }
  return { saved, adapter, settled };
}

/** The error a snapshot of a failed or cancelled job settles with in the new process. */
export function restoredFailure(saved: EditJobSnapshot): RetouchError {
  return saved.status === 'cancelled'
    ? new JobCancelledError({
        message: saved.error?.message ?? `job ${saved.id} was cancelled`,
        provider: saved.provider,
        ...(saved.providerJobId ? { jobId: saved.providerJobId } : {}),
      })
    : restoredError(saved.error);
}

/** A failure recorded in a snapshot, as an error of this process. */
export function restoredError(summary: { name: string; message: string } | undefined): RetouchError {
  const error = new RetouchError({ message: summary?.message ?? 'the job failed in an earlier process' });
  if (summary?.name) error.name = summary.name;
  return error;
}
