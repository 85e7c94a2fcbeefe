import { join } from 'node:path';
import {
  type EditRequest,
  type EditResult,
  type ProgressEvent,
  type Retouch,
  RetouchError,
} from '@retouch/core';
import { describeError, errorLine, type RunError } from './describe-error.ts';
import { slugify } from './format.ts';
import type { OutputJudge } from './judge/output-judge.ts';
import type { OutputMeasurer } from './measures/output-measurer.ts';
import type { RunProgressEvent } from './progress-event.ts';
import type { CompareRun, RowIdentity } from './results.ts';
import { saveImages } from './save-images.ts';

/**
 * Runs one edit of a comparison and saves its outputs under `outDir/outputs/<label>/`. It goes through
 * `editMany` with a single request so that its progress listener hears this edit's events only, while
 * sharing the client's lanes with every other run. A failure is recorded in the run, never thrown.
 */
export async function runCompareEdit(context: {
  /** The client every run of the comparison shares. */
  retouch: Retouch;
  request: EditRequest;
  /** The model's position in the comparison. */
  entry: number;
  /** The run of that model, from 1. */
  repeat: number;
  identity: RowIdentity;
  outDir: string;
  /** Measures the saved outputs against the input, when the comparison measures. */
  measurer?: OutputMeasurer;
  /** Describes a failed run; the library's wording by default. */
  describeError?: (error: unknown) => RunError;
  /** Asks the comparison's judge about the saved outputs. */
  judge?: OutputJudge;
  onProgress?: (event: RunProgressEvent) => void;
}): Promise<CompareRun> {
  const { retouch, request, entry, repeat, identity } = context;
  const emit = (event: RunProgressEvent) => context.onProgress?.(event);
  let retries = 0;
  const listen = (event: ProgressEvent) => {
    switch (event.type) {
      case 'queued':
        emit({ type: 'queued', row: entry, repeat });
        break;
      case 'started':
        emit({ type: 'started', row: entry, repeat });
        break;
      case 'retrying':
        retries += 1;
        emit({
          type: 'retrying',
          row: entry,
          repeat,
          ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
          ...(event.delayMs !== undefined ? { delayMs: event.delayMs } : {}),
          ...(event.reason ? { reason: event.reason } : {}),
        });
        break;
      case 'status':
        // A provider-side queue is worth showing; "running" is already what the line says.
        if (event.status) {
          emit({
            type: 'status',
            row: entry,
            repeat,
            status: event.status === 'queued' ? 'in provider queue' : '',
          });
        }
        break;
      default:
        break;
    }
  };
  const base = { entry, label: identity.label, model: identity.model, repeat, images: [], warnings: [] };
  let outcome: { ok: true; result: EditResult } | { ok: false; error: unknown } | undefined;
  try {
    for await (const settled of retouch.editMany([request], { onProgress: listen })) {
      outcome = settled.ok ? { ok: true, result: settled.result } : { ok: false, error: settled.error };
    }
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (!outcome) outcome = { ok: false, error: new RetouchError({ message: 'the edit produced no outcome' }) };

  if (!outcome.ok) {
    const error = (context.describeError ?? describeError)(outcome.error);
    emit({ type: 'failed', row: entry, repeat, message: errorLine(error) });
    return { ...base, status: 'failed', retries, error };
  }
  const result = outcome.result;
  try {
    const saved = await saveImages({
      images: result.images,
      root: context.outDir,
      directory: join(context.outDir, 'outputs', slugify(identity.label)),
      baseName: `run-${repeat}`,
    });
    const measured = context.measurer
      ? await context.measurer.measure(saved)
      : { images: saved, warnings: [] };
    const judged = context.judge
      ? await context.judge(measured.images)
      : { images: measured.images, warnings: [] };
    const images = judged.images;
    const run: CompareRun = {
      ...base,
      status: 'succeeded',
      latencyMs: Math.round(result.timings.totalMs),
      queuedMs: Math.round(result.timings.queuedMs),
      runningMs: Math.round(result.timings.runningMs),
      images,
      warnings: [
        ...result.warnings.map((warning) => warning.message),
        ...measured.warnings,
        ...judged.warnings,
      ],
      retries,
      ...(result.cost ? { costUsd: result.cost.usd, costSource: result.cost.source } : {}),
      ...(result.jobId ? { jobId: result.jobId } : {}),
      ...(result.upstreamProvider ? { upstreamProvider: result.upstreamProvider } : {}),
    };
    emit({
      type: 'succeeded',
      row: entry,
      repeat,
      latencyMs: run.latencyMs!,
      ...(run.costUsd !== undefined ? { costUsd: run.costUsd } : {}),
      images: images.length,
    });
    return run;
  } catch (caught) {
    // The edit succeeded (and was paid for) but its images could not be fetched or saved.
    const error = (context.describeError ?? describeError)(caught);
    emit({ type: 'failed', row: entry, repeat, message: errorLine(error) });
    return {
      ...base,
      status: 'failed',
      retries,
      latencyMs: Math.round(result.timings.totalMs),
      ...(result.cost ? { costUsd: result.cost.usd, costSource: result.cost.source } : {}),
      error,
    };
  }
}
