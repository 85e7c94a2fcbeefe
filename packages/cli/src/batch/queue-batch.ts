import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { SavedImage } from '@retouch/compare';
import { imageSize } from '@retouch/core/provider-utils';
import type { QueuedEdit, QueuedEditResult } from '@retouch/queue';
import { inCliWords } from '../cli-words.ts';
import { describeError, type RunError } from '../describe-error.ts';
import { type BatchProgressEvent, settledEvent } from './batch-progress.ts';
import { type BatchOutcome, writeBatchResults } from './batch-results.ts';
import { BatchJournal, type BatchLineRun } from './journal.ts';
import { failedRun } from './line-runs.ts';
import type { Manifest, ManifestLine } from './manifest.ts';
import { watchQueueActivity } from './queue-activity-watch.ts';
import { queueLineJobs } from './queue-line-jobs.ts';
import { JOURNAL_FILE } from './run-batch.ts';

/** Options of {@link runQueuedBatch}. */
export interface QueuedBatchOptions {
  /** The Redis URL the workers use. */
  redis: string;
  /** The queue's name. @default the queue's default, `retouch-edits` */
  queue?: string;
  /** The checked manifest. */
  manifest: Manifest;
  /** The report, results and copies of the outputs go here. */
  outDir: string;
  /** Add a new job for each line whose job failed. */
  retryFailed?: boolean;
  /** Add a new job for each line whose job failed as possibly billed (it may then be paid twice). */
  resendPossiblyBilled?: boolean;
  /** Hears each line's progress. */
  onProgress?: (event: BatchProgressEvent) => void;
  /** Stops following (the jobs stay queued for the workers). */
  signal?: AbortSignal;
}

/**
 * Adds a manifest's edits to a `@retouch/queue` queue and follows them until every line settled. Each
 * line's job id is made from the manifest's path and the line's content, so running the same command
 * again adds nothing new and follows the same jobs, a changed line is a new job, and failed lines get
 * new jobs with `retryFailed` (or `resendPossiblyBilled`), as a batch run here does. Outputs the workers wrote to paths this
 * machine can read are copied into `outDir/outputs/` for the report.
 *
 * @example
 * const outcome = await runQueuedBatch({ redis: 'redis://127.0.0.1:6379', manifest, outDir: 'out' });
 */
export async function runQueuedBatch(options: QueuedBatchOptions): Promise<BatchOutcome> {
  const { createEditQueue } = await import('@retouch/queue');
  const { manifest, outDir } = options;
  const createdAt = new Date();
  await mkdir(outDir, { recursive: true });
  const journal = await BatchJournal.open({ path: join(outDir, JOURNAL_FILE), manifest: manifest.path });
  const queue = createEditQueue({
    connection: options.redis,
    ...(options.queue ? { name: options.queue } : {}),
  });
  let lastShownMs = performance.now();
  const emit = (event: BatchProgressEvent): void => {
    lastShownMs = performance.now();
    options.onProgress?.(event);
  };
  try {
    const batchId = createHash('sha256').update(manifest.path).digest('hex').slice(0, 10);
    const { jobIds, earlier } = await queueLineJobs({
      queue,
      journal,
      lines: manifest.lines,
      batchId,
      retryFailed: options.retryFailed ?? false,
      resendPossiblyBilled: options.resendPossiblyBilled ?? false,
    });
    for (const run of earlier) emit(settledEvent({ line: run.line, run }));
    const followed = manifest.lines.filter((line) => jobIds.has(line.key));
    const lineOf = new Map(followed.map((line) => [jobIds.get(line.key)!, line]));
    const handles: QueuedEdit[] = [];
    for (const line of followed) handles.push((await queue.get(jobIds.get(line.key)!))!);

    const following = new AbortController();
    const stop = (): void => following.abort();
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    const watchingActivity = watchQueueActivity({
      queue,
      workerCommand: `retouch worker --redis ${redactedUrl(options.redis)}${options.queue ? ` --queue ${options.queue}` : ''}`,
      quietSinceMs: () => lastShownMs,
      say: (message) => emit({ type: 'waiting', line: 0, model: '', message }),
      signal: following.signal,
    });
    const watching = (async () => {
      for await (const event of queue.events({ signal: following.signal })) {
        const line = lineOf.get(event.jobId);
        if (!line) continue;
        const model = String(line.request.model);
        if (event.type === 'active') emit({ type: 'started', line: line.line, model });
        if (event.type === 'progress' && event.progress.type === 'retrying') {
          emit({
            type: 'retrying',
            line: line.line,
            model,
            ...(event.progress.reason ? { message: event.progress.reason } : {}),
          });
        }
        if (event.type === 'progress' && event.progress.type === 'resumed')
          emit({ type: 'resumed', line: line.line, model });
      }
    })();

    let fromEarlierRuns = earlier.length;
    const runs: BatchLineRun[] = [...earlier];
    const stopped = new Promise<void>((resolve) =>
      following.signal.addEventListener('abort', () => resolve()),
    );
    await Promise.race([
      Promise.all(
        handles.map(async (handle) => {
          const line = lineOf.get(handle.id)!;
          const status = await handle.status();
          if (status === 'completed' || status === 'failed') fromEarlierRuns++;
          let run: BatchLineRun;
          try {
            const result = await Promise.race([handle.result(), stopped.then(() => undefined)]);
            if (result === undefined) return;
            run = await succeededRun({ line, result, outDir });
          } catch (error) {
            run = failedQueuedRun({ line, error });
          }
          if (following.signal.aborted) return;
          await journal.append({ type: 'done', key: line.key, line: line.line, run, at: Date.now() });
          runs.push(run);
          emit(settledEvent({ line: line.line, run }));
        }),
      ),
      stopped,
    ]);
    options.signal?.removeEventListener('abort', stop);
    following.abort();
    await watching;
    await watchingActivity;

    const settled = new Set(runs.map((run) => run.line));
    return await writeBatchResults({
      manifest,
      runs,
      outDir,
      modes: () => 'queue',
      batch: { fromEarlierRuns, resumed: runs.filter((run) => run.resumed).length, ranIn: 'queue' },
      simulated: false,
      createdAt,
      wallTimeMs: Math.round(journal.runs.activeMs(Date.now())),
      pending: manifest.lines.filter((line) => !settled.has(line.line)).length,
    });
  } finally {
    await queue.close();
    await journal.close();
  }
}

async function succeededRun(options: {
  line: ManifestLine;
  result: QueuedEditResult;
  outDir: string;
}): Promise<BatchLineRun> {
  const { line, result } = options;
  const images: SavedImage[] = [];
  const warnings = result.warnings.map((warning) => warning.message);
  for (const [index, image] of result.images.entries()) {
    if ('url' in image) {
      warnings.push(`output ${index + 1} is stored at ${image.url}`);
      continue;
    }
    const file = `outputs/line-${line.line}-${index + 1}${extname(image.path) || '.png'}`;
    try {
      await mkdir(join(options.outDir, 'outputs'), { recursive: true });
      await copyFile(image.path, join(options.outDir, ...file.split('/')));
      const saved: SavedImage = { file, mediaType: image.mediaType, bytes: image.bytes };
      const size = imageSize(new Uint8Array(await readFile(join(options.outDir, ...file.split('/')))));
      if (size) Object.assign(saved, size);
      images.push(saved);
    } catch {
      warnings.push(`output ${index + 1} is at ${image.path}, which this machine cannot read`);
    }
  }
  return {
    line: line.line,
    prompt: String(line.request.prompt),
    model: result.model,
    status: 'succeeded',
    latencyMs: Math.round(result.timings.totalMs),
    queuedMs: Math.round(result.timings.queuedMs),
    runningMs: Math.round(result.timings.runningMs),
    images,
    warnings,
    retries: 0,
    ...(result.cost ? { costUsd: result.cost.usd, costSource: result.cost.source } : {}),
    ...(result.providerJobId ? { jobId: result.providerJobId } : {}),
    ...(result.upstreamProvider ? { upstreamProvider: result.upstreamProvider } : {}),
    ...(result.resumed ? { resumed: true } : {}),
  };
}

function failedQueuedRun(options: { line: ManifestLine; error: unknown }): BatchLineRun {
  const { error } = options;
  const described: RunError =
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { errorName?: unknown }).errorName === 'string'
      ? {
          name: (error as { errorName: string }).errorName,
          message: inCliWords((error as Error).message.replace(/^[A-Za-z]+Error: /, '')),
        }
      : describeError(error);
  // What the workers' budget counts of the line as possibly billed, when the queue says.
  const possiblyBilledUsd = (error as { possiblyBilledUsd?: unknown } | undefined)?.possiblyBilledUsd;
  return failedRun({
    line: options.line,
    error: described,
    ...(typeof possiblyBilledUsd === 'number' && possiblyBilledUsd > 0 ? { possiblyBilledUsd } : {}),
  });
}

/** A Redis URL fit to print: a password in it is replaced by `***`. */
function redactedUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
