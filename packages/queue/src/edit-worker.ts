import { hostname } from 'node:os';
import {
  type BudgetOptions,
  createRetouch,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  JobCancelledError,
  type ProgressEvent,
  type ProgressListener,
  type ProviderAdapter,
  type Retouch,
  RetouchError,
  type RetouchOptions,
  type RetouchStats,
  redact,
} from '@retouch/core';
import { type Job, WaitingError, Worker } from 'bullmq';
import { PossiblyBilledError } from './errors/possibly-billed-error.ts';
import { toJobError } from './job-failure.ts';
import { checkMs, checkName } from './option-checks.ts';
import { directoryOutput, type OutputSink, outputFileName } from './output-sink.ts';
import { queuedEditDataSchema } from './queued-edit.ts';
import type { QueuedEditImage, QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';
import { createRedisBudgetStore, type RedisBudgetStore } from './redis-budget-store.ts';
import { type RedisConnection, resolveRedisConnection } from './redis-connection.ts';
import { bullPrefix, DEFAULT_QUEUE_NAME } from './redis-keys.ts';
import { createRedisSharedLimits } from './redis-shared-limits.ts';

/** Where outputs go when a worker is given no `output`: a directory under the working directory. */
export const DEFAULT_OUTPUT_DIRECTORY = '.retouch-out/queue';

/**
 * The Retouch client options of a worker: those of `createRetouch()`, except that the shared limits
 * and the budget's store are the worker's (kept in Redis), and the budget can be named.
 */
export interface EditWorkerRetouchOptions
  extends Pick<RetouchOptions, 'limits' | 'retry' | 'fallback' | 'strict' | 'onProgress'> {
  /**
   * A spending cap shared by every worker of the account (kept atomically in Redis): an edit that could
   * take spent plus reserved past `maxUsd` fails with `BudgetExceededError` before anything is sent.
   */
  budget?: Omit<BudgetOptions, 'store'> & {
    /** The budget's name in Redis; workers with the same name share it. @default the account */
    name?: string;
  };
}

/**
 * Options of {@link createEditWorker}.
 *
 * @example
 * const options: EditWorkerOptions = {
 *   connection: 'redis://127.0.0.1:6379',
 *   providers: [createEdenAI()],
 *   retouch: { limits: { edenai: { requestsPerSecond: 10, concurrency: 8 } }, budget: { maxUsd: 100 } },
 *   concurrency: 8,
 *   output: '/mnt/shared/edits',
 * };
 */
export interface EditWorkerOptions {
  /** The Redis of the queue. */
  connection: RedisConnection;
  /** The queue to serve. @default 'retouch-edits' */
  name?: string;
  /** The first part of every Redis key; the same as the queue's. @default 'retouch' */
  prefix?: string;
  /** The provider adapters edits run on. */
  providers: readonly ProviderAdapter[];
  /**
   * Limits, retries, fallbacks, strict mode and a budget, as for `createRetouch()`. `limits` are the
   * account's: every worker of the account should be given the same.
   */
  retouch?: EditWorkerRetouchOptions;
  /**
   * The name the providers' limits (and, by default, the budget) are shared under: workers with the
   * same account share one request window, one concurrency and one budget per provider account,
   * whatever queue they serve.
   * @default the queue's name
   */
  account?: string;
  /** Jobs this worker runs at once. @default 4 */
  concurrency?: number;
  /**
   * Where output images go: a directory (every file written whole, named `<jobId>-<n>.<ext>`), or a
   * function that stores one image and returns its path or URL (an object store: providers' URLs expire).
   * @default '.retouch-out/queue' under the working directory
   */
  output?: string | OutputSink;
  /**
   * Send again an edit whose earlier worker stopped after sending its billable request and before
   * recording the provider's answer. It may then be paid for twice. Without it such a job fails with
   * {@link PossiblyBilledError}.
   * @default false
   */
  resendPossiblyBilled?: boolean;
  /**
   * On `close()` (and SIGTERM), how long jobs in flight may take to finish before the worker stops
   * waiting for those it can hand over: a job the provider accepted (its snapshot is in the queue) or
   * one not yet sent goes back to the queue, and another worker resumes it. An edit whose billable
   * request is in flight is always waited for.
   * @default 25000
   */
  shutdownGraceMs?: number;
  /** Close gracefully on SIGTERM and SIGINT (a second signal exits at once). @default true */
  handleSignals?: boolean;
  /**
   * How long a job stays with a worker that stopped answering (a crash) before another worker takes
   * it over; also how long a stopped worker's call slots and budget reservations keep counting.
   * @default 30000
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker stopped. @default 30000 */
  stalledIntervalMs?: number;
  /** Hears errors of the worker's connection to Redis. @default a line on stderr */
  onError?: (error: Error) => void;
}

/** What a worker has done, with its Retouch client's counts. */
export interface EditWorkerStats extends RetouchStats {
  /** Jobs running now. */
  active: number;
  /** Jobs it finished. */
  completed: number;
  /** Jobs that failed in it. */
  jobsFailed: number;
  /** Jobs it re-attached to after another worker stopped. */
  resumed: number;
  /** Jobs it handed back to the queue on shutdown. */
  handedBack: number;
}

/**
 * A worker taking edits from a queue. See {@link createEditWorker}.
 */
export interface EditWorker {
  /** This worker's id: host, process and a random part. */
  readonly id: string;
  /**
   * Resolves once the worker is connected to Redis and taking jobs.
   *
   * @example
   * await worker.ready();
   */
  ready(): Promise<void>;
  /**
   * Its counts so far.
   *
   * @example
   * console.log(worker.stats().completed);
   */
  stats(): EditWorkerStats;
  /**
   * Stops taking jobs and lets those in flight finish; after `shutdownGraceMs`, hands back the ones it
   * can (see the option) and waits for the rest. Then closes its connections. Calling it again returns
   * the same promise.
   *
   * @example
   * await worker.close();
   */
  close(): Promise<void>;
}

/** One job in this worker. */
interface ActiveJob {
  /** The billable request went out in this worker. */
  sent: boolean;
  /** The provider job's snapshot is stored in the queue: the job can be resumed elsewhere. */
  snapshot: boolean;
  /** This worker resumed the job rather than starting it. */
  resumed: boolean;
}

/**
 * Starts a worker that runs a queue's edits through a Retouch client: each provider's request window,
 * concurrency and 429 pauses, and the budget, are shared through Redis with every worker of the
 * account. It never pays twice across crashes: it writes to the job that the edit may be billed before
 * sending it, and the provider's job snapshot once accepted, so a job taken over from a stopped worker
 * is resumed, not sent again (or fails with {@link PossiblyBilledError} when there is no snapshot).
 * Options are checked before anything connects.
 *
 * @example
 * import { createEditWorker } from '@retouch/queue';
 * import { createEdenAI } from '@retouch/provider-edenai';
 *
 * const worker = createEditWorker({
 *   connection: process.env.REDIS_URL!,
 *   providers: [createEdenAI()],
 *   retouch: { limits: { edenai: { requestsPerSecond: 10 } }, budget: { maxUsd: 100 } },
 *   output: '/mnt/shared/edits',
 * });
 * await worker.ready(); // SIGTERM closes it gracefully
 */
export function createEditWorker(options: EditWorkerOptions): EditWorker {
  const where = 'createEditWorker:';
  if (typeof options !== 'object' || options === null) {
    throw new RetouchError({ message: `${where} pass an options object { connection, providers, ... }` });
  }
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? DEFAULT_QUEUE_NAME, `${where} name`);
  const prefix = checkName(options.prefix ?? 'retouch', `${where} prefix`);
  const account = checkName(options.account ?? name, `${where} account`);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1_000) {
    throw new RetouchError({
      message: `${where} concurrency must be a whole number of jobs from 1 to 1000, got ${String(concurrency)}`,
    });
  }
  const shutdownGraceMs = checkMs(options.shutdownGraceMs ?? 25_000, `${where} shutdownGraceMs`, 0);
  const lockDurationMs = checkMs(options.lockDurationMs ?? 30_000, `${where} lockDurationMs`, 1_000);
  const stalledIntervalMs = checkMs(options.stalledIntervalMs ?? 30_000, `${where} stalledIntervalMs`, 100);
  const output = resolveOutput(options.output, where);
  const retouchOptions = options.retouch ?? {};
  if (typeof retouchOptions !== 'object') {
    throw new RetouchError({ message: `${where} retouch must be an object of createRetouch() options` });
  }
  for (const key of Object.keys(retouchOptions)) {
    if (['providers', 'sharedLimits'].includes(key)) {
      throw new RetouchError({
        message: `${where} retouch.${key} is set by the worker; pass providers at the top level`,
      });
    }
  }
  const budget = retouchOptions.budget;
  const budgetName = budget ? checkName(budget.name ?? account, `${where} retouch.budget.name`) : undefined;
  const onError =
    options.onError ??
    ((error: Error) => {
      process.stderr.write(`@retouch/queue worker ${name}: ${redact(error.message)}\n`);
    });
  const id = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;

  const sharedLimits = createRedisSharedLimits({
    connection: options.connection,
    account,
    prefix,
    leaseMs: lockDurationMs,
    initialPauseMs: retouchOptions.retry?.initialDelayMs ?? 1_000,
    maxPauseMs: retouchOptions.retry?.maxDelayMs ?? 30_000,
  });
  const budgetStore: RedisBudgetStore | undefined = budget
    ? createRedisBudgetStore({
        connection: options.connection,
        name: budgetName,
        prefix,
        leaseMs: lockDurationMs,
      })
    : undefined;
  let retouch: Retouch;
  try {
    const { budget: _budget, ...rest } = retouchOptions;
    retouch = createRetouch({
      ...rest,
      providers: options.providers,
      sharedLimits,
      ...(budget ? { budget: { ...withoutName(budget), store: budgetStore! } } : {}),
    });
  } catch (error) {
    void sharedLimits.close();
    void budgetStore?.close();
    throw error;
  }

  const active = new Map<string, ActiveJob>();
  const counts = { completed: 0, jobsFailed: 0, resumed: 0, handedBack: 0 };
  /** Set when the grace period ends: nothing more is sent, and the client may be closed. */
  let handingOver = false;

  const run = async (job: Job, token: string | undefined): Promise<QueuedEditResult> => {
    const jobId = job.id!;
    const parsed = queuedEditDataSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new InvalidRequestError({
        issues: [
          {
            path: `job ${jobId}`,
            message: `holds no Retouch edit (${parsed.error.issues[0]?.message ?? 'invalid data'}); add jobs with createEditQueue().add()`,
          },
        ],
      });
    }
    let data = parsed.data;
    const state: ActiveJob = { sent: false, snapshot: data.snapshot !== undefined, resumed: false };
    active.set(jobId, state);
    const report = (progress: Omit<QueuedEditProgress, 'at'>): void => {
      void job.updateProgress({ ...progress, at: Date.now() }).catch(() => {});
    };
    const onProgress: ProgressListener = (event) => {
      const progress = progressOf(event);
      if (progress) report(progress);
    };
    try {
      let result: EditResult;
      if (data.snapshot) {
        state.resumed = true;
        counts.resumed++;
        report({
          type: 'resumed',
          model: data.snapshot.model,
          ...(data.snapshot.providerJobId ? { providerJobId: data.snapshot.providerJobId } : {}),
        });
        const resumed = await retouch.resume(data.snapshot, { priority: data.priority });
        resumed.on(onProgress);
        result = await resumed.result();
      } else if (data.sent && !options.resendPossiblyBilled) {
        await countPossiblyBilled({ request: data.request as EditRequest });
        throw new PossiblyBilledError({ jobId, model: String(data.request.model), sentAt: data.sent.at });
      } else {
        result = await retouch.edit(data.request as EditRequest, {
          priority: data.priority,
          onProgress,
          beforeSend: async () => {
            if (handingOver) {
              throw new JobCancelledError({
                message: `worker ${id} is shutting down; job ${jobId} goes back to the queue`,
              });
            }
            // From here the edit may be billed: a worker that takes this job over must know.
            const { snapshot: _stale, ...rest } = data;
            data = { ...rest, sent: { at: Date.now(), worker: id } };
            await job.updateData(data);
            state.sent = true;
            state.snapshot = false;
          },
          onProviderJob: async (snapshot) => {
            data = { ...data, snapshot };
            await job.updateData(data);
            state.snapshot = true;
          },
        });
      }
      report({ type: 'saving', model: result.model });
      const images = await store({ jobId, result });
      counts.completed++;
      return {
        jobId,
        images,
        provider: result.provider,
        model: result.model,
        ...(result.cost ? { cost: result.cost } : {}),
        warnings: result.warnings,
        timings: result.timings,
        ...(result.jobId !== undefined ? { providerJobId: result.jobId } : {}),
        ...(result.upstreamProvider !== undefined ? { upstreamProvider: result.upstreamProvider } : {}),
        ...(result.attempts !== undefined && result.attempts.length > 0 ? { attempts: result.attempts } : {}),
        resumed: state.resumed,
        worker: id,
      };
    } catch (error) {
      // On shutdown: a job the provider accepted (its snapshot is stored) or one never sent goes back
      // to the queue for another worker; the edit was stopped by the client's close, not failed.
      if (handingOver && (state.snapshot || !state.sent) && JobCancelledError.isInstance(error) && token) {
        if (state.snapshot && !state.resumed && data.snapshot?.estimatedCost) {
          // The client counted the estimate as spent when it let the job go; the worker that resumes it
          // counts what it really cost.
          await budgetStore
            ?.settle({ reservedUsd: 0, spentUsd: -data.snapshot.estimatedCost.usd })
            .catch(() => {});
        }
        await job.moveToWait(token);
        counts.handedBack++;
        throw new WaitingError();
      }
      counts.jobsFailed++;
      throw toJobError(error);
    } finally {
      active.delete(jobId);
    }
  };

  /** The estimate of an edit that may have been billed counts as spent, as a sent edit that failed would. */
  const countPossiblyBilled = async (context: { request: EditRequest }): Promise<void> => {
    if (!budgetStore) return;
    const estimate = await retouch.estimate(context.request).catch(() => undefined);
    if (estimate) await budgetStore.settle({ reservedUsd: 0, spentUsd: estimate.usd });
  };

  const store = async (context: { jobId: string; result: EditResult }): Promise<QueuedEditImage[]> => {
    const images: QueuedEditImage[] = [];
    for (const [index, image] of context.result.images.entries()) {
      let bytes: Uint8Array;
      try {
        bytes = await image.bytes();
      } catch (error) {
        throw new RetouchError({
          message: `the edit succeeded (and was paid for) but output ${index + 1} could not be read: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
      const location = await output({
        jobId: context.jobId,
        index,
        bytes,
        mediaType: image.mediaType,
        fileName: outputFileName({ jobId: context.jobId, index, mediaType: image.mediaType }),
      });
      images.push({ ...location, mediaType: image.mediaType, bytes: bytes.byteLength });
    }
    return images;
  };

  const worker = new Worker(name, run, {
    connection: { ...connection.options, maxRetriesPerRequest: null },
    prefix: bullPrefix(prefix),
    concurrency,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    // A stalled job is safe to run again (it resumes, or refuses to resend); a job that keeps stalling
    // its workers is failed after three.
    maxStalledCount: 3,
    name: id,
  });
  worker.on('error', (error) => onError(error));
  // The failures are the jobs' own outcomes, reported through the queue.
  worker.on('failed', () => {});

  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      // A second signal: stop now, as the process would have without this worker.
      for (const each of signals) process.off(each, onSignal);
      process.kill(process.pid, signal);
      return;
    }
    signalled = true;
    void close();
  };
  if (options.handleSignals ?? true) for (const signal of signals) process.on(signal, onSignal);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = worker.close();
      stopped.catch(() => {});
      const graceOver = await Promise.race([
        stopped.then(() => false),
        delay(shutdownGraceMs).then(() => true),
      ]).catch(() => true);
      if (graceOver) {
        handingOver = true;
        // Jobs whose billable request is in flight without a stored snapshot cannot be handed over:
        // they finish here (each is bounded by its own timeout).
        while ([...active.values()].some((job) => job.sent && !job.snapshot)) {
          const finished = await Promise.race([
            stopped.then(
              () => true,
              () => true,
            ),
            delay(100).then(() => false),
          ]);
          if (finished) break;
        }
        await retouch.close();
      }
      await stopped.catch(() => {});
      await retouch.close();
      for (const signal of signals) process.off(signal, onSignal);
      await Promise.allSettled([sharedLimits.close(), budgetStore?.close()]);
    })();
    return closing;
  };

  return {
    id,
    async ready() {
      await worker.waitUntilReady();
    },
    stats() {
      return { ...retouch.stats(), active: active.size, ...counts };
    },
    close,
  };
}

function resolveOutput(output: EditWorkerOptions['output'], where: string): OutputSink {
  if (output === undefined) return directoryOutput(DEFAULT_OUTPUT_DIRECTORY);
  if (typeof output === 'function') return output;
  if (typeof output === 'string' && output.trim() !== '') return directoryOutput(output);
  throw new RetouchError({
    message: `${where} output must be a directory path or a function ({ bytes, fileName, ... }) => Promise<{ path } | { url }>`,
  });
}

function withoutName<T extends { name?: string }>(value: T): Omit<T, 'name'> {
  const { name: _name, ...rest } = value;
  return rest;
}

/** The part of a client progress event a queue reports; the outcome is the job's own. */
function progressOf(event: ProgressEvent): Omit<QueuedEditProgress, 'at'> | undefined {
  switch (event.type) {
    case 'queued':
      return { type: 'queued', model: event.model };
    case 'started':
      return { type: 'started', model: event.model, attempt: event.attempt };
    case 'retrying':
      return {
        type: 'retrying',
        model: event.model,
        ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
        delayMs: event.delayMs,
        reason: event.reason,
      };
    case 'status':
      return {
        type: 'status',
        model: event.model,
        status: event.status,
        ...(event.providerJobId ? { providerJobId: event.providerJobId } : {}),
        ...(event.reason ? { reason: event.reason } : {}),
      };
    default:
      return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
