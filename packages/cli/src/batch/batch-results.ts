import { writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BatchInfo,
  type CompareResults,
  type CompareRun,
  formatDuration,
  formatUsd,
  type RowIdentity,
  resultsToCsv,
  resultsToJson,
  summarizeRuns,
  writeReport,
} from '@retouch/compare';
import { roundUsd } from '@retouch/core';
import { styles } from '../ansi.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { providerOf } from '../provider-ids.ts';
import { renderCompareTable } from '../table.ts';
import { invalidLineRun } from './invalid-lines.ts';
import type { BatchLineRun } from './journal.ts';
import { withLineInputs } from './line-inputs.ts';
import type { Manifest } from './manifest.ts';

/** What a batch produced. */
export interface BatchOutcome {
  /** Everything, in the comparison's format (one row per model, one run per line). */
  results: CompareResults;
  /** The files written. */
  files: { report: string; json: string; csv: string };
  /** Lines not settled because the batch was stopped (Ctrl-C): a new run picks them up. */
  pending: number;
}

/**
 * Folds the lines' runs, and the manifest's invalid lines as failed ones, into results (one row per
 * model, in order of first appearance; `repeat` is the line number) and writes `results.json`, `results.csv` and `report.html` into `outDir`.
 */
export async function writeBatchResults(options: {
  manifest: Manifest;
  runs: readonly BatchLineRun[];
  outDir: string;
  modes: (run: BatchLineRun) => string;
  batch: Omit<BatchInfo, 'manifest' | 'lines'>;
  simulated: boolean;
  budgetUsd?: number;
  /** The batch's ledger, over every run: settled, and the estimates of what may have been billed. */
  ledger?: { spentUsd: number; possiblyBilledUsd: number };
  createdAt: Date;
  wallTimeMs: number;
  pending: number;
}): Promise<BatchOutcome> {
  const identities: RowIdentity[] = [];
  const runs: CompareRun[] = [];
  const withInputs = await withLineInputs({
    runs: options.runs,
    manifest: options.manifest,
    outDir: options.outDir,
  });
  const every = [...withInputs, ...options.manifest.invalid.map(invalidLineRun)];
  for (const run of every.sort((left, right) => left.line - right.line)) {
    let entry = identities.findIndex((identity) => identity.model === run.model);
    if (entry === -1) {
      entry = identities.length;
      identities.push({
        label: run.model,
        model: run.model,
        provider: providerOf(run.model),
        mode: options.modes(run),
      });
    }
    const { line, resumed: _resumed, ...rest } = run;
    runs.push({ ...rest, entry, label: run.model, repeat: line });
  }
  const rows = summarizeRuns({ entries: identities, runs });
  const succeeded = runs.filter((run) => run.status === 'succeeded').length;
  const results: CompareResults = {
    schemaVersion: 1,
    createdAt: options.createdAt.toISOString(),
    prompt: basename(options.manifest.path),
    inputs: [],
    options: { repeat: 1, ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}) },
    simulated: options.simulated,
    summary: {
      models: rows.length,
      runs: runs.length,
      succeeded,
      failed: runs.length - succeeded,
      totalCostUsd:
        options.ledger?.spentUsd ??
        Math.round(rows.reduce((total, row) => total + (row.totalCostUsd ?? 0), 0) * 1e7) / 1e7,
      ...possiblyBilled({ ledger: options.ledger, runs }),
      wallTimeMs: options.wallTimeMs,
    },
    rows,
    runs,
    batch: {
      manifest: options.manifest.path,
      lines: options.manifest.lines.length + options.manifest.invalid.length,
      ...options.batch,
    },
  };
  const json = join(options.outDir, 'results.json');
  const csv = join(options.outDir, 'results.csv');
  await writeFile(json, resultsToJson(results));
  await writeFile(csv, resultsToCsv(results));
  const report = await writeReport({ results, outDir: options.outDir });
  return { results, files: { report, json, csv }, pending: options.pending };
}

/** The ledger's possibly billed total, else the sum of the runs' (as a queue's workers counted them). */
function possiblyBilled(options: {
  ledger: { possiblyBilledUsd: number } | undefined;
  runs: readonly CompareRun[];
}): { possiblyBilledUsd?: number } {
  if (options.ledger) return { possiblyBilledUsd: options.ledger.possiblyBilledUsd };
  const total = options.runs.reduce((sum, run) => sum + (run.possiblyBilledUsd ?? 0), 0);
  return total > 0 ? { possiblyBilledUsd: roundUsd(total) } : {};
}

/**
 * Prints a batch's outcome: the table per model, the errors, one summary line and the files (or the
 * results JSON with `json`). Returns the exit code: 0 when every line succeeded, 1 otherwise, 130
 * when the batch was stopped before every line settled.
 */
export function presentBatch(options: { context: CliContext; json: boolean; outcome: BatchOutcome }): number {
  const { context, outcome } = options;
  const { results, files } = outcome;
  const code = outcome.pending > 0 ? 130 : results.summary.failed > 0 ? 1 : 0;
  if (options.json) {
    context.stdout.write(resultsToJson(results));
    return code;
  }
  const color = wantsColor({ stream: context.stdout, env: context.env });
  const style = styles(color);
  const shown = (path: string) => {
    const relativePath = relative(context.cwd, path);
    return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
  };
  const lines: string[] = ['', renderCompareTable({ rows: results.rows, color })];
  const failed = results.runs.filter((run) => run.status === 'failed');
  if (failed.length > 0) {
    lines.push(style.bold('Failed lines'));
    for (const run of failed.slice(0, 20)) {
      lines.push(
        `  line ${run.repeat}: ${style.red(`${run.error?.name ?? 'Error'}: ${run.error?.message ?? ''}`)}`,
      );
    }
    if (failed.length > 20) lines.push(`  and ${failed.length - 20} more (see the report)`);
    lines.push('');
  }
  const { summary } = results;
  const batch = results.batch!;
  const estimated = results.rows.some((row) => row.costSource === 'estimated');
  const earlier = [
    batch.fromEarlierRuns > 0 ? `${batch.fromEarlierRuns} from an earlier run` : undefined,
    batch.resumed > 0 ? `${batch.resumed} resumed` : undefined,
  ].filter(Boolean);
  lines.push(
    `${batch.lines} line${batch.lines === 1 ? '' : 's'}: ${summary.succeeded} succeeded, ${summary.failed} failed` +
      (outcome.pending > 0 ? `, ${outcome.pending} not finished` : '') +
      (earlier.length > 0 ? ` (${earlier.join(', ')})` : '') +
      ` · spent ${formatUsd(summary.totalCostUsd)}${estimated ? ' (~ estimated from prices)' : ''}` +
      (summary.possiblyBilledUsd ? ` · ~${formatUsd(summary.possiblyBilledUsd)} possibly billed` : '') +
      ` · wall time ${formatDuration(summary.wallTimeMs)}` +
      (results.simulated ? ' · simulated' : ''),
  );
  if (outcome.pending > 0) {
    lines.push(
      style.yellow('Stopped before every line settled: run the same command again to finish the rest.'),
    );
  }
  lines.push(`Report:  ${style.cyan(shown(files.report))}  ${style.dim(pathToFileURL(files.report).href)}`);
  lines.push(`Results: ${shown(files.json)}, ${shown(files.csv)}`);
  context.stdout.write(`${lines.join('\n')}\n`);
  return code;
}
