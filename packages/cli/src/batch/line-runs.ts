import { join } from 'node:path';
import { saveImages } from '@retouch/compare';
import type { EditResult } from '@retouch/core';
import { describeError, type RunError } from '../describe-error.ts';
import type { BatchLineRun } from './journal.ts';
import type { ManifestLine } from './manifest.ts';

/** A line's run from its edit's result, its images saved under `outDir/outputs/`. */
export async function succeededRun(options: {
  line: ManifestLine;
  result: EditResult;
  outDir: string;
  retries: number;
  resumed: boolean;
  /** Downtime of the batch while the edit ran, left out of its latency. */
  downtimeMs?: number;
}): Promise<BatchLineRun> {
  const { line, result } = options;
  const downtimeMs = options.downtimeMs ?? 0;
  const latencyMs = Math.max(0, result.timings.totalMs - downtimeMs);
  const runningMs = Math.min(result.timings.runningMs, latencyMs);
  const base = {
    line: line.line,
    prompt: String(line.request.prompt),
    model: result.model,
    latencyMs: Math.round(latencyMs),
    queuedMs: Math.round(latencyMs - runningMs),
    runningMs: Math.round(runningMs),
    warnings: result.warnings.map((warning) => warning.message),
    retries: options.retries,
    ...(result.cost ? { costUsd: result.cost.usd, costSource: result.cost.source } : {}),
    ...(result.jobId ? { jobId: result.jobId } : {}),
    ...(result.upstreamProvider ? { upstreamProvider: result.upstreamProvider } : {}),
    ...(options.resumed ? { resumed: true } : {}),
  };
  try {
    const images = await saveImages({
      images: result.images,
      root: options.outDir,
      directory: join(options.outDir, 'outputs'),
      baseName: `line-${line.line}`,
    });
    return { ...base, status: 'succeeded', images };
  } catch (error) {
    // The edit succeeded (and was paid for) but its images could not be fetched or saved.
    return { ...base, status: 'failed', images: [], error: describeError(error) };
  }
}

/** A failed line's run. */
export function failedRun(options: {
  line: ManifestLine;
  error: RunError;
  retries?: number;
  /** The estimate the ledger counts as possibly billed for it. */
  possiblyBilledUsd?: number;
}): BatchLineRun {
  return {
    line: options.line.line,
    prompt: String(options.line.request.prompt),
    model: String(options.line.request.model),
    status: 'failed',
    images: [],
    warnings: [],
    retries: options.retries ?? 0,
    ...(options.possiblyBilledUsd !== undefined ? { possiblyBilledUsd: options.possiblyBilledUsd } : {}),
    error: options.error,
  };
}

/** The error of a line an earlier run sent without recording the provider's answer. */
export function possiblyBilledError(options: { line: number; at: number }): RunError {
  return {
    name: 'PossiblyBilledError',
    message: `an earlier run stopped after sending line ${options.line} (at ${new Date(options.at).toISOString()}) and before recording the provider's answer, so it may have been billed; it is not sent again. Run the batch again with --resend-possibly-billed to send it anyway (it may then be paid twice)`,
  };
}
