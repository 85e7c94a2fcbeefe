import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createMemorySpendStore,
  createRetouch,
  type EditRequest,
  type ImagePathInput,
  type LaneLimits,
  type ProviderAdapter,
  RetouchError,
  type RetryOptions,
} from '@retouch/core';
import type { RunError } from './describe-error.ts';
import { type NeutralEditOptions, pickEditOptions } from './edit-options.ts';
import type { CompareJudge } from './judge/compare-judge.ts';
import { createOutputJudge } from './judge/output-judge.ts';
import { createOutputMeasurer } from './measures/output-measurer.ts';
import { providerOf } from './model-id.ts';
import type { RunProgressEvent } from './progress-event.ts';
import { readImage } from './read-image.ts';
import { type CompareImage, recordInputs } from './record-inputs.ts';
import { writeReport } from './report/report-html.ts';
import {
  type CompareResults,
  type CompareRun,
  type RowIdentity,
  resultsToJson,
  summarizeRuns,
} from './results.ts';
import { resultsToCsv } from './results-csv.ts';
import { runCompareEdit } from './run-compare-edit.ts';

/** One model of a comparison. */
export interface CompareModel {
  /** `provider:model`, e.g. `oxen:qwen-image-edit`. */
  model: string;
  /** The name in the table and the report. @default the model id */
  label?: string;
  /**
   * Options for this model's provider, e.g. `{ oxen: { guidance: 3 } }`. They also choose how the
   * edit travels, so one provider instance serves every variant: `{ oxen: { mode: 'sync' } }`,
   * `{ edenai: { transport: 'json', upload: 'always' } }`.
   */
  providerOptions?: Record<string, Record<string, unknown>>;
  /**
   * The name of how the edit travels, for the `mode` column (`sync`, `sse`, `json + upload`, ...).
   * @default the `mode` or `transport` in this model's provider options, else the provider's mode
   */
  mode?: string;
}

/** The neutral options sent with every request of a comparison. */
export interface CompareEditOptions extends NeutralEditOptions {
  /** Deadline of each edit, in milliseconds. */
  timeoutMs?: number;
}

/** Options of {@link runCompare}. */
export interface RunCompareOptions {
  /** One adapter per provider: the models are routed by the prefix of their id. */
  providers: readonly ProviderAdapter[];
  /** The models to compare. */
  models: readonly CompareModel[];
  /** The edit instruction. */
  prompt: string;
  /** The input pictures: URLs, `data:` URLs or `{ path }` files. */
  images: readonly (string | ImagePathInput)[];
  /** A mask (white = edit), sent to every model; models without masks warn. */
  mask?: string | ImagePathInput;
  /** Neutral options for every request. */
  editOptions?: CompareEditOptions;
  /** Runs per model. @default 1 */
  repeat?: number;
  /**
   * Measure what each output changed against the first input (changed share, mask coverage and leak,
   * kept-region similarity, size) and write its diff overlay beside it. Needs the first input and the
   * mask as files or `data:` URLs; remote ones are not downloaded to be measured.
   * @default true
   */
  measure?: boolean;
  /**
   * A vision language model that scores each output's adherence to the prompt from 1 to 10 with a
   * sentence of reason. Its cost is reported apart from the edits' and counted in `budgetUsd`.
   */
  judge?: CompareJudge;
  /** Refuse edits that could take the total past this many US dollars. */
  budgetUsd?: number;
  /** Under `budgetUsd`, whether edits whose cost cannot be estimated are refused or sent. @default 'refuse' */
  unknownCost?: 'refuse' | 'allow';
  /**
   * How a failed run is described in the results and the progress events. By default its class and
   * message as the library words them; a command line passes one that names its own flags.
   * @default describeError
   */
  describeError?: (error: unknown) => RunError;
  /** Lane limits per provider id. */
  limits?: Readonly<Record<string, LaneLimits>>;
  /** Retry policy of the dispatcher. */
  retry?: RetryOptions;
  /** Where outputs, `report.html`, `results.json` and `results.csv` are written. */
  outDir: string;
  /** Marks the results as coming from simulators. @default false */
  simulated?: boolean;
  /** Mode labels per provider id for models without their own `mode`. */
  modes?: Readonly<Record<string, string>>;
  /** Receives per-run progress, e.g. for the CLI's `createProgressDisplay`. */
  onProgress?: (event: RunProgressEvent) => void;
  /** Cancels the edits still running. */
  signal?: AbortSignal;
  /** Clock for `createdAt`. @default () => new Date() */
  now?: () => Date;
}

/** What {@link runCompare} produced. */
export interface CompareOutcome {
  /** Everything the comparison measured, as written to `results.json`. */
  results: CompareResults;
  /** Paths of the written files. */
  files: CompareFiles;
}

/** The files a comparison writes. */
export interface CompareFiles {
  /** `report.html`. */
  report: string;
  /** `results.json`. */
  json: string;
  /** `results.csv`. */
  csv: string;
}

/**
 * Sends one edit to several models through one Retouch client (per-provider lanes, retries and an
 * optional budget), `repeat` times each, saves every output under `outDir/outputs/`, and writes
 * `report.html`, `results.json` and `results.csv`. Failed edits are recorded with their error; they
 * do not stop the comparison.
 *
 * @example
 * const { results, files } = await runCompare({
 *   providers: [createOxen(), createEdenAI()],
 *   models: [{ model: 'oxen:qwen-image-edit' }, { model: 'edenai:openai/gpt-image-2' }],
 *   prompt: 'Replace the sky with a sunset',
 *   images: [{ path: 'photo.png' }],
 *   repeat: 3,
 *   outDir: 'comparison',
 * });
 * console.log(files.report);
 */
export async function runCompare(options: RunCompareOptions): Promise<CompareOutcome> {
  const repeat = options.repeat ?? 1;
  if (!Number.isSafeInteger(repeat) || repeat < 1) {
    throw new RetouchError({
      message: `runCompare: repeat must be a whole number ≥ 1, got ${String(repeat)}`,
    });
  }
  if (options.models.length === 0) throw new RetouchError({ message: 'runCompare: pass at least one model' });
  const createdAt = (options.now ?? (() => new Date()))();
  await mkdir(options.outDir, { recursive: true });

  const identities: RowIdentity[] = options.models.map((entry) => {
    const provider = providerOf(entry.model);
    return {
      label: entry.label ?? entry.model,
      model: entry.model,
      provider,
      mode: entry.mode ?? options.modes?.[provider] ?? modeOf({ entry, providers: options.providers }),
    };
  });
  uniqueLabels(identities);

  const images = options.images.map((image) => describe(image));
  const inputs = await recordInputs({ images, outDir: options.outDir });
  // One purse for the edits and the judge, so the budget holds for both together.
  const budget =
    options.budgetUsd === undefined
      ? undefined
      : { store: createMemorySpendStore(), maxUsd: options.budgetUsd };
  const judge = options.judge
    ? createOutputJudge({
        judge: options.judge,
        prompt: options.prompt,
        readInput: () => readImage(options.images[0]!),
        outDir: options.outDir,
        ...(budget ? { budget } : {}),
      })
    : undefined;
  const retouch = createRetouch({
    providers: options.providers,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(budget
      ? { budget: { ...budget, ...(options.unknownCost ? { unknownCost: options.unknownCost } : {}) } }
      : {}),
  });

  const measurer =
    options.measure === false
      ? undefined
      : createOutputMeasurer({
          images: options.images,
          ...(options.mask ? { mask: options.mask } : {}),
          ...(options.editOptions?.size ? { size: options.editOptions.size } : {}),
          ...(options.editOptions?.aspectRatio ? { aspectRatio: options.editOptions.aspectRatio } : {}),
          outDir: options.outDir,
        });

  const runs: CompareRun[] = [];
  const started = performance.now();
  try {
    const tasks: Promise<void>[] = [];
    // Interleaved (every model's first run, then every model's second...), so each model starts early.
    for (let attempt = 1; attempt <= repeat; attempt += 1) {
      for (const [entry, model] of options.models.entries()) {
        const request = buildRequest({ options, entry: model });
        tasks.push(
          runCompareEdit({
            retouch,
            request,
            entry,
            repeat: attempt,
            identity: identities[entry]!,
            outDir: options.outDir,
            ...(measurer ? { measurer } : {}),
            ...(judge ? { judge } : {}),
            ...(options.describeError ? { describeError: options.describeError } : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          }).then((run) => {
            runs.push(run);
          }),
        );
      }
    }
    await Promise.all(tasks);
  } finally {
    await Promise.all([retouch.close(), measurer?.close()]);
  }
  const wallTimeMs = Math.round(performance.now() - started);
  runs.sort((left, right) => left.entry - right.entry || left.repeat - right.repeat);

  const rows = summarizeRuns({ entries: identities, runs });
  const succeeded = runs.filter((run) => run.status === 'succeeded').length;
  const results: CompareResults = {
    schemaVersion: 1,
    createdAt: createdAt.toISOString(),
    prompt: options.prompt,
    inputs,
    options: {
      repeat,
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      ...(options.editOptions?.size ? { size: options.editOptions.size } : {}),
      ...(options.editOptions?.aspectRatio ? { aspectRatio: options.editOptions.aspectRatio } : {}),
      ...(options.editOptions?.quality ? { quality: options.editOptions.quality } : {}),
      ...(options.editOptions?.n ? { n: options.editOptions.n } : {}),
      ...(options.mask ? { mask: typeof options.mask === 'string' ? options.mask : options.mask.path } : {}),
    },
    simulated: options.simulated ?? false,
    summary: {
      models: rows.length,
      runs: runs.length,
      succeeded,
      failed: runs.length - succeeded,
      totalCostUsd: Math.round(rows.reduce((total, row) => total + (row.totalCostUsd ?? 0), 0) * 1e7) / 1e7,
      wallTimeMs,
      ...(rows.some((row) => row.judge?.costUsd !== undefined)
        ? {
            judgeCostUsd:
              Math.round(rows.reduce((total, row) => total + (row.judge?.costUsd ?? 0), 0) * 1e7) / 1e7,
          }
        : {}),
    },
    rows,
    runs,
  };
  const json = join(options.outDir, 'results.json');
  const csv = join(options.outDir, 'results.csv');
  await writeFile(json, resultsToJson(results));
  await writeFile(csv, resultsToCsv(results));
  const report = await writeReport({ results, outDir: options.outDir });
  return { results, files: { report, json, csv } };
}

function describe(image: string | ImagePathInput): CompareImage {
  return typeof image === 'string'
    ? { input: image, source: image }
    : { input: image, source: image.path, path: image.path };
}

/** Makes labels unique (`label (2)`), since rows, files and chart points are named by them. */
function uniqueLabels(identities: RowIdentity[]): void {
  const seen = new Map<string, number>();
  for (const identity of identities) {
    const count = (seen.get(identity.label) ?? 0) + 1;
    seen.set(identity.label, count);
    if (count > 1) identity.label = `${identity.label} (${count})`;
  }
}

/**
 * The `mode` column of a model that names none: the `mode` (Oxen) or `transport` (Eden AI) of
 * its provider options, else the mode its provider's adapter runs in, when the adapter names one.
 */
function modeOf(context: { entry: CompareModel; providers: readonly ProviderAdapter[] }): string {
  const provider = providerOf(context.entry.model);
  const own = context.entry.providerOptions?.[provider];
  for (const key of ['mode', 'transport']) {
    if (typeof own?.[key] === 'string') return own[key] as string;
  }
  const adapter = context.providers.find((candidate) => candidate.id === provider);
  const mode = (adapter as { mode?: unknown } | undefined)?.mode;
  return typeof mode === 'string' ? mode : 'default';
}

function buildRequest(context: { options: RunCompareOptions; entry: CompareModel }): EditRequest {
  const { options, entry } = context;
  const edit = options.editOptions ?? {};
  const provider = providerOf(entry.model);
  const providerOptions = entry.providerOptions?.[provider];
  return {
    model: entry.model,
    prompt: options.prompt,
    images: [...options.images],
    ...(options.mask ? { mask: options.mask } : {}),
    ...pickEditOptions([edit]),
    ...(edit.timeoutMs !== undefined ? { timeoutMs: edit.timeoutMs } : {}),
    ...(providerOptions ? { providerOptions: { [provider]: providerOptions } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
