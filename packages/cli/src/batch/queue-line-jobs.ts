import type { EditQueue } from '@retouch/queue';
import type { BatchJournal, BatchLineRun } from './journal.ts';
import { unknownOutcome } from './line-plan.ts';
import type { ManifestLine } from './manifest.ts';

/** Jobs added to Redis in one round trip. */
const ADD_CHUNK = 500;

/**
 * Gives each line its queue job and adds the jobs Redis does not hold yet. A line's job id is made
 * from the batch and the line's content, so the same command adds nothing new and follows the same
 * jobs, and a changed line is a new job. A line whose job failed gets a new job (`~2`, `~3`, ...) with
 * `retryFailed`, or with `resendPossiblyBilled` when it failed as possibly billed: the journal in the
 * output directory remembers which job is the line's now.
 */
export async function queueLineJobs(options: {
  queue: EditQueue;
  journal: BatchJournal;
  lines: readonly ManifestLine[];
  batchId: string;
  retryFailed: boolean;
  resendPossiblyBilled: boolean;
}): Promise<{ jobIds: Map<string, string>; earlier: BatchLineRun[] }> {
  const { queue, journal } = options;
  const jobIds = new Map<string, string>();
  const earlier: BatchLineRun[] = [];
  const lines: ManifestLine[] = [];
  for (const line of options.lines) {
    const state = journal.lines.get(line.key);
    if (state?.status === 'done' && state.run.status === 'succeeded') {
      earlier.push({ ...state.run, line: line.line });
      continue;
    }
    lines.push(line);
    let jobId = journal.lines.get(line.key)?.jobId ?? `batch-${options.batchId}-${line.key}`;
    if (options.retryFailed || options.resendPossiblyBilled) {
      const handle = await queue.get(jobId);
      if (handle && (await handle.status()) === 'failed') {
        const failure = await handle.result().then(
          () => undefined,
          (error: unknown) => error as { errorName?: string; possiblyBilledUsd?: number },
        );
        const outcomeUnknown = unknownOutcome({
          errorName: failure?.errorName,
          possiblyBilled: (failure?.possiblyBilledUsd ?? 0) > 0,
        });
        // Sent again only when asked: --retry-failed never pays twice for one result.
        if (outcomeUnknown ? options.resendPossiblyBilled : options.retryFailed) {
          jobId = nextJobId(jobId);
        }
      }
    }
    jobIds.set(line.key, jobId);
  }
  for (let start = 0; start < lines.length; start += ADD_CHUNK) {
    const chunk = lines.slice(start, start + ADD_CHUNK);
    // A job Redis already holds is not added again.
    await queue.addBulk(chunk.map((line) => ({ request: line.request, jobId: jobIds.get(line.key)! })));
  }
  for (const line of lines) {
    const jobId = jobIds.get(line.key)!;
    if (journal.lines.get(line.key)?.jobId !== jobId) {
      await journal.append({ type: 'queued', key: line.key, line: line.line, jobId, at: Date.now() });
    }
  }
  return { jobIds, earlier };
}

/** The id of a line's next job: `<id>~2`, then `~3`, ... */
function nextJobId(jobId: string): string {
  const match = /~(\d+)$/.exec(jobId);
  return match ? `${jobId.slice(0, match.index)}~${Number(match[1]) + 1}` : `${jobId}~2`;
}
