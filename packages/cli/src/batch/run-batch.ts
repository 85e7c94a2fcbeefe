import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BudgetStore,
  createRetouch,
  type EditJobSnapshot,
  type EditResult,
  type LaneLimits,
  type ProgressListener,
  type ProviderAdapter,
} from '@retouch/core';
import { describeError, type RunError } from '../describe-error.ts';
import { saveImages } from '../outputs.ts';
import { providerOf } from '../provider-ids.ts';
import { UsageError } from '../usage-error.ts';
import { type BatchProgressEvent, settledEvent } from './batch-progress.ts';
import { type BatchOutcome, writeBatchResults } from './batch-results.ts';
import { BatchJournal, type BatchLineRun } from './journal.ts';
import type { Manifest, ManifestLine } from './manifest.ts';

/** Lines in flight at once when `concurrency` is not given. */
export const DEFAULT_BATCH_CONCURRENCY = 8;
/** The journal's name in the output directory. */
export const JOURNAL_FILE = 'journal.jsonl';

/** Options of {@link runBatch}. */
export interface RunBatchOptions {
  /** One adapter per provider the manifest uses. */
  providers: readonly ProviderAdapter[];
  /** The checked manifest. */
  manifest: Manifest;
  /** Outputs, journal, report and results go here. */
  outDir: string;
  /** Lines in flight at once. @default 8 */
  concurrency?: number;
  /** Refuse edits that could take the batch's total (earlier runs included) past this. */
  budgetUsd?: number;
  /** Under `budgetUsd`, whether edits whose cost cannot be estimated are refused or sent. @default 'refuse' */
  unknownCost?: 'refuse' | 'allow';
  /** How many times a failed request is tried again before its line fails. */
  maxRetries?: number;
  /** Lane limits per provider id. */
  limits?: Readonly<Record<string, LaneLimits>>;
  /** Run again the lines that failed in an earlier run. */
  retryFailed?: boolean;
  /** Send again lines an earlier run sent without recording the answer (they may be paid twice). */
  resendPossiblyBilled?: boolean;
  /** Marks the results as simulated. */
  simulated?: boolean;
  /** The mode label of each provider, for the table. */
  modes?: Readonly<Record<string, string>>;
  /** Called once the journal is read, with the number of lines an earlier run settled. */
  onStart?: (state: { settled: number }) => void;
  /** Hears each line's progress. */
  onProgress?: (event: BatchProgressEvent) => void;
  /**
   * Stops the batch: no line starts after it aborts; lines whose request is in flight finish; lines
   * the provider accepted as jobs are left running (a new run resumes them). Their lines stay pending.
   */
  signal?: AbortSignal;
}

/** How a line's run ended when the batch was stopped before it settled. */
class Stopped extends Error {
  override name = 'Stopped';
}

/**
 * Runs a manifest's edits in this process, with a journal in `outDir` that makes the batch resumable
 * after a crash or Ctrl-C: each line's "may be billed" moment and its provider job's snapshot are
 * appended and flushed to disk before the batch goes on. A new run skips the lines already done,
 * resumes the accepted ones from their snapshots, and never sends a line twice: one that was sent
 * without its answer being recorded fails as possibly billed unless `resendPossiblyBilled`.
 *
 * @example
 * const manifest = await loadManifest({ path: 'catalogue.jsonl', cwd: process.cwd() });
 * const { results, files } = await runBatch({ providers: [createOxen()], manifest, outDir: 'out' });
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchOutcome> {
  const { manifest, outDir } = options;
  const createdAt = new Date();
  const started = performance.now();
  await mkdir(outDir, { recursive: true });
  const journal = await BatchJournal.open({ path: join(outDir, JOURNAL_FILE), manifest: manifest.path });
  try {
    checkJournal({ journal, manifest });
    const byLine = new Map(manifest.lines.map((line) => [line.line, line]));
    const earlier: BatchLineRun[] = [];
    const toResume: { line: ManifestLine; snapshot: EditJobSnapshot }[] = [];
    const toRun: ManifestLine[] = [];
    for (const line of manifest.lines) {
      const state = journal.lines.get(line.line);
      if (state?.status === 'done' && !(options.retryFailed && state.run.status === 'failed')) {
        earlier.push(state.run);
      } else if (state?.status === 'accepted') {
        toResume.push({ line, snapshot: state.snapshot });
      } else if (state?.status === 'sent' && !options.resendPossiblyBilled) {
        const run = failedRun({
          line,
          error: {
            name: 'PossiblyBilledError',
            message: `an earlier run stopped after sending line ${line.line} (at ${new Date(state.at).toISOString()}) and before recording the provider's answer, so it may have been billed; it is not sent again. Run with --resend-possibly-billed to send it anyway (it may then be paid twice)`,
          },
        });
        await journal.append({ type: 'done', line: line.line, hash: line.hash, run });
        earlier.push(run);
      } else {
        toRun.push(line);
      }
    }

    options.onStart?.({ settled: earlier.length });
    const retouch = createRetouch({
      providers: options.providers,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.maxRetries !== undefined ? { retry: { maxRetries: options.maxRetries } } : {}),
      ...(options.budgetUsd !== undefined
        ? {
            budget: {
              maxUsd: options.budgetUsd,
              ...(options.unknownCost ? { unknownCost: options.unknownCost } : {}),
              store: memoryBudget(sum(earlier.map((run) => run.costUsd ?? 0))),
            },
          }
        : {}),
    });
    const runs: BatchLineRun[] = [];
    const inFlight = new Map<number, { sent: boolean; accepted: boolean }>();
    let stopping = false;
    let closing: Promise<void> | undefined;
    const onStop = (): void => {
      stopping = true;
      closing ??= (async () => {
        // Requests in flight without a recorded provider job are waited for: stopping them could pay
        // for edits whose results are lost. The others are stopped (accepted jobs left running).
        while ([...inFlight.values()].some((state) => state.sent && !state.accepted)) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await retouch.close();
      })();
    };
    if (options.signal?.aborted) onStop();
    else options.signal?.addEventListener('abort', onStop, { once: true });

    const emit = (event: BatchProgressEvent): void => options.onProgress?.(event);
    const settle = async (context: {
      line: ManifestLine;
      outcome: Promise<EditResult>;
      state: { sent: boolean; accepted: boolean };
      retries: () => number;
      resumed: boolean;
    }): Promise<void> => {
      const { line } = context;
      let run: BatchLineRun;
      try {
        const result = await context.outcome;
        run = await succeededRun({
          line,
          result,
          outDir,
          retries: context.retries(),
          resumed: context.resumed,
        });
      } catch (error) {
        if (stopping && (!context.state.sent || context.state.accepted)) return; // left for the next run
        run = failedRun({ line, error: describeError(error), retries: context.retries() });
      }
      await journal.append({ type: 'done', line: line.line, hash: line.hash, run });
      runs.push(run);
      emit(settledEvent({ line: line.line, run }));
    };

    const listenerFor =
      (line: ManifestLine, counter: { retries: number }): ProgressListener =>
      (event) => {
        if (event.type === 'retrying') {
          counter.retries++;
          emit({
            type: 'retrying',
            line: line.line,
            model: event.model,
            message: event.reason,
            delayMs: event.delayMs,
          });
        }
      };

    const tasks: (() => Promise<void>)[] = [
      ...toResume.map(({ line, snapshot }) => async () => {
        const state = { sent: true, accepted: true };
        inFlight.set(line.line, state);
        const counter = { retries: 0 };
        emit({ type: 'resumed', line: line.line, model: snapshot.model });
        let outcome: Promise<EditResult>;
        try {
          const job = await retouch.resume(snapshot);
          job.on(listenerFor(line, counter));
          outcome = job.result();
        } catch (error) {
          outcome = Promise.reject(error);
        }
        await settle({ line, outcome, state, retries: () => counter.retries, resumed: true });
        inFlight.delete(line.line);
      }),
      ...toRun.map((line) => async () => {
        const state = { sent: false, accepted: false };
        inFlight.set(line.line, state);
        const counter = { retries: 0 };
        emit({ type: 'started', line: line.line, model: String(line.request.model) });
        const outcome = retouch.edit(line.request, {
          onProgress: listenerFor(line, counter),
          beforeSend: async () => {
            if (stopping) throw new Stopped('the batch is stopping');
            await journal.append({ type: 'sent', line: line.line, hash: line.hash, at: Date.now() });
            state.sent = true;
          },
          onProviderJob: async (snapshot) => {
            await journal.append({ type: 'accepted', line: line.line, hash: line.hash, snapshot });
            state.accepted = true;
          },
        });
        await settle({ line, outcome, state, retries: () => counter.retries, resumed: false });
        inFlight.delete(line.line);
      }),
    ];
    const concurrency = options.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
        while (next < tasks.length && !stopping) {
          const task = tasks[next++]!;
          await task();
        }
      }),
    );
    options.signal?.removeEventListener('abort', onStop);
    await closing;
    await retouch.close();

    const all = [...earlier, ...runs];
    const settledLines = new Set(all.map((run) => run.line));
    const modeOf = (run: BatchLineRun): string => {
      const request = byLine.get(run.line)?.request;
      const provider = providerOf(run.model);
      const own = request?.providerOptions?.[provider];
      for (const key of ['mode', 'transport']) if (typeof own?.[key] === 'string') return own[key] as string;
      return options.modes?.[provider] ?? 'default';
    };
    return await writeBatchResults({
      manifest,
      runs: all,
      outDir,
      modes: modeOf,
      batch: {
        fromEarlierRuns: earlier.length,
        resumed: runs.filter((run) => run.resumed).length,
        ranIn: 'here',
      },
      simulated: options.simulated ?? false,
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      createdAt,
      wallTimeMs: Math.round(performance.now() - started),
      pending: manifest.lines.filter((line) => !settledLines.has(line.line)).length,
    });
  } finally {
    await journal.close();
  }
}

/** The journal must describe this manifest: a line edited since the batch started cannot be trusted. */
function checkJournal(options: { journal: BatchJournal; manifest: Manifest }): void {
  const hashes = new Map(options.manifest.lines.map((line) => [line.line, line.hash]));
  for (const [line, state] of options.journal.lines) {
    if (hashes.get(line) !== state.hash) {
      throw new UsageError({
        command: 'batch',
        message: `line ${line} of ${options.manifest.path} is not the line this batch ran (the manifest changed since, see ${options.journal.path}); restore the manifest, or pick another --out to start a new batch`,
      });
    }
  }
}

async function succeededRun(options: {
  line: ManifestLine;
  result: EditResult;
  outDir: string;
  retries: number;
  resumed: boolean;
}): Promise<BatchLineRun> {
  const { line, result } = options;
  const base = {
    line: line.line,
    prompt: String(line.request.prompt),
    model: result.model,
    latencyMs: Math.round(result.timings.totalMs),
    queuedMs: Math.round(result.timings.queuedMs),
    runningMs: Math.round(result.timings.runningMs),
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

function failedRun(options: { line: ManifestLine; error: RunError; retries?: number }): BatchLineRun {
  return {
    line: options.line.line,
    prompt: String(options.line.request.prompt),
    model: String(options.line.request.model),
    status: 'failed',
    images: [],
    warnings: [],
    retries: options.retries ?? 0,
    error: options.error,
  };
}

/** A budget that starts with what earlier runs of the batch spent. */
function memoryBudget(spentBefore: number): BudgetStore {
  let spent = spentBefore;
  let reserved = 0;
  return {
    async reserve({ usd, maxUsd }) {
      const committedUsd = spent + reserved;
      if (committedUsd + usd > maxUsd + 1e-9 || (usd === 0 && committedUsd >= maxUsd)) {
        return { ok: false, committedUsd };
      }
      reserved += usd;
      return { ok: true, committedUsd };
    },
    async settle({ reservedUsd, spentUsd }) {
      reserved -= reservedUsd;
      spent += spentUsd;
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
