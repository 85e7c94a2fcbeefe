import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createRetouch,
  type EditResult,
  type LaneLimits,
  type ProgressListener,
  type ProviderAdapter,
} from '@retouch/core';
import { describeError } from '../describe-error.ts';
import { providerOf } from '../provider-ids.ts';
import { type BatchProgressEvent, settledEvent } from './batch-progress.ts';
import { type BatchOutcome, writeBatchResults } from './batch-results.ts';
import { BatchJournal, type BatchLineRun } from './journal.ts';
import { planLines } from './line-plan.ts';
import { failedRun, possiblyBilledError, succeededRun } from './line-runs.ts';
import type { Manifest, ManifestLine } from './manifest.ts';
import { type OxenRecordsReader, reconcileSends } from './reconcile-sends.ts';

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
  /**
   * Reads Oxen's records (its generation history), to settle the lines an earlier run sent and
   * stopped before recording the answer: without it they stay possibly billed.
   */
  readOxenRecords?: OxenRecordsReader;
  /** Hears what the batch found before running anything, one sentence at a time. */
  onNotice?: (message: string) => void;
  /** Called once the journal is read, with the number of lines already settled. */
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
 * appended and flushed to disk before the batch goes on, and the journal keeps the batch's spend
 * ledger, so `budgetUsd` counts every run. Lines are known by their content: a new run skips the
 * unchanged lines already done, runs changed and added ones, resumes the accepted ones from their
 * snapshots, and never sends a line twice: one that was sent without its answer being recorded is
 * looked up in Oxen's records first (`readOxenRecords`): delivered or followed when Oxen took it, run
 * when it never arrived; otherwise it fails as possibly billed unless `resendPossiblyBilled` (a
 * resend is a new billing, under a new key).
 *
 * @example
 * const manifest = await loadManifest({ path: 'catalogue.jsonl', cwd: process.cwd() });
 * const { results, files } = await runBatch({ providers: [createOxen()], manifest, outDir: 'out' });
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchOutcome> {
  const { manifest, outDir } = options;
  const createdAt = new Date();
  await mkdir(outDir, { recursive: true });
  const legacy = new Map(manifest.lines.map((line) => [`${line.line}:${line.hash}`, line.key]));
  const journal = await BatchJournal.open({
    path: join(outDir, JOURNAL_FILE),
    manifest: manifest.path,
    legacyKey: ({ line, hash }) => legacy.get(`${line}:${hash}`),
  });
  try {
    // Holds a stopped run left were never sent: an entry is possibly billed on disk before it leaves.
    await journal.spend.releaseUnsent();
    await reconcileSends({
      journal,
      outDir,
      readOxenRecords: options.readOxenRecords,
      notify: (message) => options.onNotice?.(message),
      signal: options.signal,
    });
    const byLine = new Map(manifest.lines.map((line) => [line.line, line]));
    const plans = planLines({
      journal,
      lines: manifest.lines,
      retryFailed: options.retryFailed ?? false,
      resendPossiblyBilled: options.resendPossiblyBilled ?? false,
    });
    const earlier: BatchLineRun[] = [];
    const possiblyBilled: BatchLineRun[] = [];
    for (const plan of plans) {
      if (plan.kind === 'earlier') earlier.push(plan.run);
      if (plan.kind === 'possibly-billed') {
        const run = failedRun({
          line: plan.line,
          error: possiblyBilledError({ line: plan.line.line, at: plan.sentAt }),
          ...possiblyBilledOf({ journal, billingKey: plan.billingKey }),
        });
        await journal.append({ type: 'done', key: plan.line.key, line: plan.line.line, run, at: Date.now() });
        possiblyBilled.push(run);
      }
    }

    options.onStart?.({ settled: earlier.length + possiblyBilled.length });
    const retouch = createRetouch({
      providers: options.providers,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.maxRetries !== undefined ? { retry: { maxRetries: options.maxRetries } } : {}),
      // The ledger is kept in the journal with or without a cap, so a capped rerun counts every run.
      budget: {
        ...(options.budgetUsd !== undefined ? { maxUsd: options.budgetUsd } : {}),
        ...(options.unknownCost ? { unknownCost: options.unknownCost } : {}),
        store: journal.spend,
      },
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
      billingKey: string | undefined;
    }): Promise<void> => {
      const { line } = context;
      let run: BatchLineRun;
      try {
        const result = await context.outcome;
        const createdAt = Date.now() - result.timings.totalMs;
        run = await succeededRun({
          line,
          result,
          outDir,
          retries: context.retries(),
          resumed: context.resumed,
          downtimeMs: journal.runs.downtimeBetween(createdAt, Date.now()),
        });
      } catch (error) {
        if (stopping && (!context.state.sent || context.state.accepted)) return; // left for the next run
        run = failedRun({
          line,
          error: describeError(error),
          retries: context.retries(),
          ...possiblyBilledOf({ journal, billingKey: context.billingKey }),
        });
      }
      await journal.append({ type: 'done', key: line.key, line: line.line, run, at: Date.now() });
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

    const tasks: (() => Promise<void>)[] = plans.flatMap((plan) => {
      const { line } = plan;
      if (plan.kind === 'resume') {
        const { snapshot } = plan;
        return [
          async () => {
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
            await settle({
              line,
              outcome,
              state,
              retries: () => counter.retries,
              resumed: true,
              billingKey: snapshot.billingKey ?? snapshot.id,
            });
            inFlight.delete(line.line);
          },
        ];
      }
      if (plan.kind !== 'run') return [];
      const { billingKey } = plan;
      return [
        async () => {
          const state = { sent: false, accepted: false };
          inFlight.set(line.line, state);
          const counter = { retries: 0 };
          emit({ type: 'started', line: line.line, model: String(line.request.model) });
          const outcome = retouch.edit(line.request, {
            billingKey,
            onProgress: listenerFor(line, counter),
            beforeSend: async () => {
              if (stopping) throw new Stopped('the batch is stopping');
              await journal.append({
                type: 'sent',
                key: line.key,
                line: line.line,
                billingKey,
                model: String(line.request.model),
                prompt: String(line.request.prompt),
                at: Date.now(),
              });
              state.sent = true;
            },
            onProviderJob: async (snapshot) => {
              await journal.append({
                type: 'accepted',
                key: line.key,
                line: line.line,
                snapshot,
                at: Date.now(),
              });
              state.accepted = true;
            },
          });
          await settle({ line, outcome, state, retries: () => counter.retries, resumed: false, billingKey });
          inFlight.delete(line.line);
        },
      ];
    });
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

    const all = [...earlier, ...possiblyBilled, ...runs];
    const settledLines = new Set(all.map((run) => run.line));
    const modeOf = (run: BatchLineRun): string => {
      const request = byLine.get(run.line)?.request;
      const provider = providerOf(run.model);
      const own = request?.providerOptions?.[provider];
      for (const key of ['mode', 'transport']) if (typeof own?.[key] === 'string') return own[key] as string;
      return options.modes?.[provider] ?? 'default';
    };
    const totals = await journal.spend.totals();
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
      ledger: { spentUsd: totals.settledUsd, possiblyBilledUsd: totals.possiblyBilledUsd },
      simulated: options.simulated ?? false,
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      createdAt,
      wallTimeMs: Math.round(journal.runs.activeMs(Date.now())),
      pending: manifest.lines.filter((line) => !settledLines.has(line.line)).length,
    });
  } finally {
    await journal.close();
  }
}

/** The estimate a line's ledger entry counts as possibly billed, when it is. */
function possiblyBilledOf(options: { journal: BatchJournal; billingKey: string | undefined }): {
  possiblyBilledUsd?: number;
} {
  if (options.billingKey === undefined) return {};
  const entry = options.journal.spend.entry(options.billingKey);
  return entry?.state === 'possibly-billed' ? { possiblyBilledUsd: entry.estimateUsd } : {};
}
