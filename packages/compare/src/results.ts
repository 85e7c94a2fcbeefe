import { errorLine, type RunError } from './describe-error.ts';
import type { JudgeVerdict } from './judge/compare-judge.ts';
import type { OutputMeasures } from './measures/output-measures.ts';
import { type RowMeasures, summarizeMeasures } from './measures/row-measures.ts';
import { spreadOf } from './statistics.ts';

/** One output image of a run, saved in the output directory. */
export interface SavedImage {
  /** Path relative to the output directory, with `/` separators, e.g. `outputs/oxen-qwen-image-edit/run-1-1.png`. */
  file: string;
  /** `image/png`, `image/jpeg`, `image/webp` or `image/gif`. */
  mediaType: string;
  /** Width in pixels, when the header could be read. */
  width?: number;
  /** Height in pixels, when the header could be read. */
  height?: number;
  /** File size in bytes. */
  bytes: number;
  /** What the output changed against the first input; absent when it could not be measured. */
  measures?: OutputMeasures;
  /** The diff overlay's file, relative to the output directory like `file`. */
  overlay?: string;
  /** The judge's answer, when the comparison has a judge. */
  judge?: JudgeVerdict;
}

/** One edit of one model (one repeat). */
export interface CompareRun {
  /** Index of the model in {@link CompareResults.rows}. */
  entry: number;
  /** The model's name in the table and the report. */
  label: string;
  /** `provider:model`. */
  model: string;
  /** 1-based repeat number. */
  repeat: number;
  /** Whether the edit produced its images. */
  status: 'succeeded' | 'failed';
  /** From the call to the settled result. */
  latencyMs?: number;
  /** Of `latencyMs`: waiting in the client's lane and the provider's queue. */
  queuedMs?: number;
  /** Of `latencyMs`: the provider working. */
  runningMs?: number;
  /** What the edit cost, in US dollars, when known. */
  costUsd?: number;
  /** `reported` by the provider, or `estimated` from its published prices. */
  costSource?: 'reported' | 'estimated';
  /**
   * For a failed edit whose request left, so the provider may have billed it: its estimate, which a
   * budget counts as spent until the provider's records say otherwise.
   */
  possiblyBilledUsd?: number;
  /** The saved output images. */
  images: SavedImage[];
  /** Warning messages: options dropped or adjusted. */
  warnings: string[];
  /** Attempts retried by the dispatcher (rate limits, transient errors). */
  retries: number;
  /** The provider's job id, when the edit ran as a job. */
  jobId?: string;
  /** For aggregators: who ran the model upstream. */
  upstreamProvider?: string;
  /** Why the run failed. */
  error?: RunError;
  /** In a batch: the line's prompt (each line has its own). */
  prompt?: string;
  /** In a batch: the line's input picture, copied into the output directory, for its thumbnail. */
  input?: {
    /** Path relative to the output directory, with `/` separators. */
    file: string;
    /** Its media type, e.g. `image/png`. */
    mediaType?: string;
  };
}

/** The summary of all runs of one model: one line of the table. */
export interface CompareRow {
  /** The model's name in the table and the report. */
  label: string;
  /** `provider:model`. */
  model: string;
  /** The provider id, e.g. `oxen`. */
  provider: string;
  /** How the edit travelled: `sync`, `queue`, `sse`, `json`, `multipart`, ... */
  mode: string;
  /** `succeeded`: every run did; `partial`: some did; `failed`: none did. */
  status: 'succeeded' | 'partial' | 'failed';
  /** Runs of this model. */
  runs: number;
  /** Runs that succeeded. */
  succeeded: number;
  /** Runs that failed. */
  failed: number;
  /** Latency over the successful runs, in milliseconds. */
  latency?: LatencySpread;
  /** Mean cost of a successful edit, over runs with a known cost. */
  costPerEditUsd?: number;
  /** Total cost divided by the images produced. */
  costPerImageUsd?: number;
  /** What all runs of this model cost. */
  totalCostUsd?: number;
  /** `estimated` when any run's cost was estimated rather than reported. */
  costSource?: 'reported' | 'estimated';
  /** Images produced over all runs. */
  images: number;
  /** Distinct warning messages. */
  warnings: string[];
  /** Retries over all runs. */
  retries: number;
  /** Distinct error lines, `Name: message`. */
  errors: string[];
  /** What the model's outputs changed: medians over the measured outputs. */
  measures?: RowMeasures;
  /** The judge's view of the model's outputs, when the comparison has a judge. */
  judge?: RowJudgement;
}

/** The judge's answers over a model's outputs. */
export interface RowJudgement {
  /** Median prompt-adherence score, 1 to 10. */
  score: number;
  /** Outputs judged. */
  outputs: number;
  /** The judge's reason about the model's first judged output. */
  reason: string;
  /** What the answers cost, when the judge has prices. */
  costUsd?: number;
}

/** Median and spread of a model's latency over its successful runs, in milliseconds. */
export interface LatencySpread {
  /** The middle run. */
  medianMs: number;
  /** The fastest run. */
  minMs: number;
  /** The slowest run. */
  maxMs: number;
  /** First quartile. */
  p25Ms: number;
  /** Third quartile. */
  p75Ms: number;
}

/** An input picture as the report shows it. */
export interface CompareInput {
  /** What the user passed: a path or a URL. */
  source: string;
  /** The copy in the output directory, relative to it, for local inputs. */
  file?: string;
  /** The media type, for local inputs. */
  mediaType?: string;
  /** Width in pixels, when known. */
  width?: number;
  /** Height in pixels, when known. */
  height?: number;
  /** File size in bytes, for local inputs. */
  bytes?: number;
}

/** Everything a comparison produced: what `results.json` holds and the report renders. */
export interface CompareResults {
  /** The version of this format; it changes only when a field changes meaning. */
  schemaVersion: 1;
  /** ISO time the comparison started. */
  createdAt: string;
  /** The edit instruction every model received. */
  prompt: string;
  /** The input pictures. */
  inputs: CompareInput[];
  /** The settings of the comparison. */
  options: CompareSettings;
  /** True when the run used in-process simulators instead of the real providers. */
  simulated: boolean;
  /** Totals over every run. */
  summary: CompareSummary;
  /** One summary per model, in the order the models were given. */
  rows: CompareRow[];
  /** Every run, by model then repeat. */
  runs: CompareRun[];
  /**
   * Set for the results of `retouch batch`: each run is one manifest line (its `repeat` is the line
   * number), each row one model of the manifest.
   */
  batch?: BatchInfo;
}

/** What the results of a `retouch batch` say about the batch. */
export interface BatchInfo {
  /** The manifest's path. */
  manifest: string;
  /** Edits in the manifest. */
  lines: number;
  /** Lines finished by an earlier run of the same batch (from its journal, or the queue). */
  fromEarlierRuns: number;
  /** Lines collected from provider jobs an earlier run had started, instead of being sent again. */
  resumed: number;
  /** `here` (this process, with a journal) or `queue` (Redis workers). */
  ranIn: 'here' | 'queue';
}

/** The settings of a comparison, as recorded in its results. */
export interface CompareSettings {
  /** Runs per model. */
  repeat: number;
  /** The spending cap, in US dollars, when one was set. */
  budgetUsd?: number;
  /** The neutral `size` sent. */
  size?: string;
  /** The neutral `aspectRatio` sent. */
  aspectRatio?: string;
  /** The neutral `quality` sent. */
  quality?: string;
  /** Outputs asked per edit. */
  n?: number;
  /** The mask, as given. */
  mask?: string;
}

/** Totals of a comparison. */
export interface CompareSummary {
  /** Models compared. */
  models: number;
  /** Edits sent (models × repeats). */
  runs: number;
  /** Edits that succeeded. */
  succeeded: number;
  /** Edits that failed. */
  failed: number;
  /**
   * What every edit cost together, in US dollars (reported, else estimated). For a batch run here: what
   * its ledger settled over every run, lines since changed included.
   */
  totalCostUsd: number;
  /**
   * The estimates of edits that may have been billed and are not settled (sent, then the answer was
   * lost), in US dollars, apart from `totalCostUsd`. Set by a batch that keeps a ledger.
   */
  possiblyBilledUsd?: number;
  /** From the first submission to the last settled edit; for a batch, over every run, downtime left out. */
  wallTimeMs: number;
  /** What the judge's answers cost, apart from `totalCostUsd`, when there was a priced judge. */
  judgeCostUsd?: number;
}

/** A model entry of a comparison, as {@link summarizeRuns} needs it. */
export interface RowIdentity {
  /** The model's name in the table and the report. */
  label: string;
  /** `provider:model`. */
  model: string;
  /** The provider id. */
  provider: string;
  /** How the edit travels, e.g. `sync` or `multipart`. */
  mode: string;
}

/**
 * Folds the runs into one row per model: status, latency median and spread, cost per edit and per
 * image, distinct warnings and errors.
 *
 * @example
 * const rows = summarizeRuns({ entries: [{ label: 'qwen', model: 'oxen:qwen-image-edit', provider: 'oxen', mode: 'sync' }], runs });
 */
export function summarizeRuns(options: {
  entries: readonly RowIdentity[];
  runs: readonly CompareRun[];
}): CompareRow[] {
  return options.entries.map((entry, index) => {
    const runs = options.runs.filter((run) => run.entry === index);
    const succeeded = runs.filter((run) => run.status === 'succeeded');
    const spread = spreadOf(succeeded.flatMap((run) => (run.latencyMs === undefined ? [] : [run.latencyMs])));
    const costed = runs.filter((run) => run.costUsd !== undefined);
    const totalCostUsd = costed.length === 0 ? undefined : roundUsd(sum(costed.map((run) => run.costUsd!)));
    const costedSucceeded = succeeded.filter((run) => run.costUsd !== undefined);
    const costedImages = sum(costedSucceeded.map((run) => run.images.length));
    const succeededCost = sum(costedSucceeded.map((run) => run.costUsd!));
    const row: CompareRow = {
      ...entry,
      status:
        succeeded.length === runs.length && runs.length > 0
          ? 'succeeded'
          : succeeded.length > 0
            ? 'partial'
            : 'failed',
      runs: runs.length,
      succeeded: succeeded.length,
      failed: runs.length - succeeded.length,
      images: sum(runs.map((run) => run.images.length)),
      warnings: distinct(runs.flatMap((run) => run.warnings)),
      retries: sum(runs.map((run) => run.retries)),
      errors: distinct(runs.flatMap((run) => (run.error ? [errorLine(run.error)] : []))),
    };
    if (spread) {
      row.latency = {
        medianMs: Math.round(spread.median),
        minMs: Math.round(spread.min),
        maxMs: Math.round(spread.max),
        p25Ms: Math.round(spread.p25),
        p75Ms: Math.round(spread.p75),
      };
    }
    const measures = summarizeMeasures(
      runs.flatMap((run) => run.images.flatMap((image) => (image.measures ? [image.measures] : []))),
    );
    if (measures) row.measures = measures;
    const verdicts = runs.flatMap((run) => run.images.flatMap((image) => (image.judge ? [image.judge] : [])));
    const scores = spreadOf(verdicts.map((verdict) => verdict.score));
    if (scores) {
      const priced = verdicts.filter((verdict) => verdict.costUsd !== undefined);
      row.judge = {
        score: scores.median,
        outputs: verdicts.length,
        reason: verdicts[0]!.reason,
        ...(priced.length > 0 ? { costUsd: roundUsd(sum(priced.map((verdict) => verdict.costUsd!))) } : {}),
      };
    }
    if (costedSucceeded.length > 0) row.costPerEditUsd = roundUsd(succeededCost / costedSucceeded.length);
    if (costedImages > 0) row.costPerImageUsd = roundUsd(succeededCost / costedImages);
    if (totalCostUsd !== undefined) {
      row.totalCostUsd = totalCostUsd;
      row.costSource = costed.every((run) => run.costSource === 'reported') ? 'reported' : 'estimated';
    }
    return row;
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e7) / 1e7;
}

/** `results.json`: the whole comparison, pretty-printed, ending with a newline. */
export function resultsToJson(results: CompareResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
