import { createRetouch, JobCancelledError, type Retouch, type RetouchStats } from '@retouch/core';
import { Job, WaitingError, Worker } from 'bullmq';
import {
  type EditWorkerOptions,
  type EditWorkerSettings,
  resolveEditWorkerSettings,
} from './edit-worker-options.ts';
import { EndedJobHolds } from './ended-job-holds.ts';
import { toJobError } from './job-failure.ts';
import type { QueuedEditResult } from './queued-edit-result.ts';
import { QueuedEditRun, type QueuedEditRunContext } from './queued-edit-run.ts';
import { bullPrefix } from './redis-keys.ts';
import { createRedisSharedLimits, type RedisSharedLimits } from './redis-shared-limits.ts';
import { createRedisSpendStore, type RedisSpendStore } from './redis-spend-store.ts';
import { ShutdownSignals } from './shutdown-signals.ts';
import { sleep } from './sleep.ts';

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
  const worker = new RedisEditWorker(resolveEditWorkerSettings(options));
  return {
    id: worker.id,
    ready: () => worker.ready(),
    stats: () => worker.stats(),
    close: () => worker.close(),
  };
}

/** How often a closing worker checks whether the edits it must finish are done. */
const FINISH_CHECK_MS = 100;

/** The worker behind {@link createEditWorker}: a BullMQ worker running each job as a {@link QueuedEditRun}. */
class RedisEditWorker implements EditWorker {
  readonly id: string;
  readonly #settings: EditWorkerSettings;
  readonly #sharedLimits: RedisSharedLimits;
  readonly #spendStore: RedisSpendStore | undefined;
  /** Returns the holds of jobs that end without running, when there is a budget. */
  readonly #endedJobHolds: EndedJobHolds | undefined;
  readonly #retouch: Retouch;
  readonly #worker: Worker;
  readonly #signals: ShutdownSignals;
  /** What each run uses of this worker. */
  readonly #runContext: QueuedEditRunContext;
  /** The jobs running here, by id. */
  readonly #runs = new Map<string, QueuedEditRun>();
  readonly #counts = { completed: 0, jobsFailed: 0, resumed: 0, handedBack: 0 };
  /** Set when the grace period ends: nothing more is sent, and the client may be closed. */
  #handingOver = false;
  /** Ids of the jobs it handed back to the queue on shutdown. */
  readonly #handedBackJobs = new Set<string>();
  #closing: Promise<void> | undefined;

  constructor(settings: EditWorkerSettings) {
    this.id = settings.id;
    this.#settings = settings;
    const { retouch: retouchOptions, budgetName } = settings;
    this.#sharedLimits = createRedisSharedLimits({
      connection: settings.connectionOption,
      account: settings.account,
      prefix: settings.prefix,
      leaseMs: settings.lockDurationMs,
      initialPauseMs: retouchOptions.retry?.initialDelayMs ?? 1_000,
      maxPauseMs: retouchOptions.retry?.maxDelayMs ?? 30_000,
    });
    this.#spendStore =
      budgetName !== undefined
        ? createRedisSpendStore({
            connection: settings.connectionOption,
            name: budgetName,
            prefix: settings.prefix,
          })
        : undefined;
    this.#retouch = this.#createClient();
    const bullOptions = {
      connection: { ...settings.connection.options, maxRetriesPerRequest: null },
      prefix: bullPrefix(settings.prefix),
    };
    this.#endedJobHolds = this.#spendStore
      ? new EndedJobHolds({
          queueName: settings.name,
          store: this.#spendStore,
          bullOptions,
          readJobData: async (jobId) => (await Job.fromId(this.#worker, jobId))?.data,
          readJobState: async (jobId) => {
            const job = await Job.fromId(this.#worker, jobId);
            return job ? await job.getState() : undefined;
          },
          onError: (error) => settings.onError(error),
        })
      : undefined;
    this.#runContext = {
      workerId: this.id,
      queueName: settings.name,
      retouch: this.#retouch,
      spendStore: this.#spendStore,
      output: settings.output,
      resendPossiblyBilled: settings.resendPossiblyBilled,
      fallbacks: retouchOptions.fallback?.length ?? 0,
      handingOver: () => this.#handingOver,
    };
    this.#worker = new Worker(settings.name, (job, token) => this.#processJob(job, token), {
      ...bullOptions,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      // A stalled job is safe to run again (it resumes, or refuses to resend); a job that keeps stalling
      // its workers is failed after three.
      maxStalledCount: 3,
      name: this.id,
    });
    this.#worker.on('error', (error) => {
      // A job handed back on shutdown is no longer this worker's: BullMQ's lock renewal may still try
      // it once before the processor returns, and fails as it should.
      const renewal = /^could not renew lock for job (.+)$/.exec(error.message);
      if (renewal && this.#handedBackJobs.has(renewal[1]!)) return;
      settings.onError(error);
    });
    // The failures are the jobs' own outcomes, reported through the queue.
    this.#worker.on('failed', () => {});
    this.#signals = new ShutdownSignals({ onShutdown: () => void this.close() });
    if (settings.handleSignals) this.#signals.listen();
  }

  async ready(): Promise<void> {
    await Promise.all([this.#worker.waitUntilReady(), this.#endedJobHolds?.ready()]);
  }

  stats(): EditWorkerStats {
    return { ...this.#retouch.stats(), active: this.#runs.size, ...this.#counts };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /** The Retouch client, its limits and budget kept in Redis; on a bad option, nothing stays open. */
  #createClient(): Retouch {
    const { budget, ...rest } = this.#settings.retouch;
    try {
      return createRetouch({
        ...rest,
        providers: this.#settings.providers,
        sharedLimits: this.#sharedLimits,
        ...(budget && this.#spendStore
          ? { budget: { ...withoutName(budget), store: this.#spendStore } }
          : {}),
      });
    } catch (error) {
      void this.#sharedLimits.close();
      void this.#spendStore?.close();
      throw error;
    }
  }

  /** BullMQ's processor: runs one job, and hands it back instead of failing it when shutdown stopped it. */
  async #processJob(job: Job, token: string | undefined): Promise<QueuedEditResult> {
    const run = new QueuedEditRun({ job, context: this.#runContext });
    this.#runs.set(run.jobId, run);
    try {
      if (run.resumes) this.#counts.resumed++;
      const result = await run.process();
      this.#counts.completed++;
      return result;
    } catch (error) {
      // On shutdown: a job the provider accepted (its snapshot is stored) or one never sent goes back
      // to the queue for another worker; the edit was stopped by the client's close, not failed.
      if (this.#handingOver && run.canHandBack && JobCancelledError.isInstance(error) && token) {
        this.#handedBackJobs.add(run.jobId);
        await run.handBack(token);
        this.#counts.handedBack++;
        throw new WaitingError();
      }
      this.#counts.jobsFailed++;
      // The budget's count of what the failure may have cost travels with it to the queue's handles.
      const possiblyBilledUsd = await run.possiblyBilledUsd().catch(() => undefined);
      throw toJobError(error, { possiblyBilledUsd });
    } finally {
      this.#runs.delete(run.jobId);
    }
  }

  async #shutDown(): Promise<void> {
    const stopped = this.#worker.close();
    stopped.catch(() => {});
    if (await this.#graceRunsOut(stopped)) {
      this.#handingOver = true;
      await this.#finishWhatCannotBeHandedBack(stopped);
      // Stops what is left: each such edit fails with JobCancelledError and goes back to the queue.
      await this.#retouch.close();
    }
    await stopped.catch(() => {});
    await this.#retouch.close();
    this.#signals.stop();
    await this.#endedJobHolds?.close().catch(() => {});
    await Promise.allSettled([this.#sharedLimits.close(), this.#spendStore?.close()]);
  }

  /** Resolves with true when jobs are still running once the grace period is over. */
  async #graceRunsOut(stopped: Promise<void>): Promise<boolean> {
    return Promise.race([
      stopped.then(() => false),
      sleep(this.#settings.shutdownGraceMs, { unref: true }).then(() => true),
    ]).catch(() => true);
  }

  /**
   * Jobs whose billable request is in flight without a stored snapshot cannot be handed over: they
   * finish here (each is bounded by its own timeout).
   */
  async #finishWhatCannotBeHandedBack(stopped: Promise<void>): Promise<void> {
    while ([...this.#runs.values()].some((run) => run.mustFinishHere)) {
      const finished = await Promise.race([
        stopped.then(
          () => true,
          () => true,
        ),
        sleep(FINISH_CHECK_MS, { unref: true }).then(() => false),
      ]);
      if (finished) return;
    }
  }
}

function withoutName<T extends { name?: string }>(value: T): Omit<T, 'name'> {
  const { name: _name, ...rest } = value;
  return rest;
}
