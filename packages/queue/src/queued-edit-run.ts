import {
  type EditJobSnapshot,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  JobCancelledError,
  type ProgressListener,
  type Retouch,
  roundUsd,
  runInTrace,
} from '@retouch/core';
import type { Job } from 'bullmq';
import { PossiblyBilledError } from './errors/possibly-billed-error.ts';
import type { OutputSink } from './output-sink.ts';
import { storeOutputs } from './output-storage.ts';
import { type QueuedEditData, queuedEditDataSchema } from './queued-edit.ts';
import { queuedEditBillingKey } from './queued-edit-billing-key.ts';
import { toQueuedEditProgress } from './queued-edit-progress.ts';
import type { QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';
import type { RedisSpendStore } from './redis-spend-store.ts';
import { takeOverSent } from './take-over-sent.ts';

/** What a run uses of its worker. */
export interface QueuedEditRunContext {
  /** The worker's id, written to the job before its billable request leaves. */
  readonly workerId: string;
  /** The queue's name: with the job's id, the edit's billing key. */
  readonly queueName: string;
  readonly retouch: Retouch;
  /** The shared budget's ledger, when the worker has a budget. */
  readonly spendStore: RedisSpendStore | undefined;
  readonly output: OutputSink;
  readonly resendPossiblyBilled: boolean;
  /** How many fallback models the client has: each attempt on one has a billing key of its own. */
  readonly fallbacks: number;
  /** True once the worker's grace period on shutdown ended: nothing more is sent. */
  handingOver(): boolean;
}

/**
 * One queued edit in a worker. It never pays twice across crashes: it writes to the job that the
 * edit may be billed before sending it, and the provider's job snapshot once accepted, so a worker
 * that takes the job over resumes it, or refuses to send it again when there is no snapshot.
 */
export class QueuedEditRun {
  /** The queued job's id. */
  readonly jobId: string;
  readonly #job: Job;
  readonly #context: QueuedEditRunContext;
  /** The job's data as last written to the queue. */
  #data: QueuedEditData;
  /** The billable request went out in this worker. */
  #sent = false;
  /** The provider job's snapshot is stored in the queue: the job can be resumed elsewhere. */
  #snapshot: boolean;
  /** This worker resumed the job rather than starting it. */
  #resumed = false;
  /** The billing key this run's edit was sent under, once it ran one. */
  #sentUnder: string | undefined;
  /** Reports the client's progress on the job, where every process can read it. */
  readonly #onProgress: ProgressListener = (event) => {
    const progress = toQueuedEditProgress(event);
    if (progress) this.#report(progress);
  };

  /** Reads the job's data; a job that holds no Retouch edit is refused with an {@link InvalidRequestError}. */
  constructor(options: { job: Job; context: QueuedEditRunContext }) {
    const { job } = options;
    this.jobId = job.id!;
    this.#job = job;
    this.#context = options.context;
    const parsed = queuedEditDataSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new InvalidRequestError({
        issues: [
          {
            path: `job ${this.jobId}`,
            message: `holds no Retouch edit (${parsed.error.issues[0]?.message ?? 'invalid data'}); add jobs with createEditQueue().add()`,
          },
        ],
      });
    }
    this.#data = parsed.data;
    this.#snapshot = parsed.data.snapshot !== undefined;
  }

  /** The job carries a provider job's snapshot: this run re-attaches to it rather than sending. */
  get resumes(): boolean {
    return this.#data.snapshot !== undefined;
  }

  /** On shutdown, it can go back to the queue: another worker can resume it, or it was never sent. */
  get canHandBack(): boolean {
    return this.#snapshot || !this.#sent;
  }

  /** Its billable request is in flight and nothing stored says where its result will be: it finishes here. */
  get mustFinishHere(): boolean {
    return this.#sent && !this.#snapshot;
  }

  /**
   * Runs the edit (or resumes it) and stores its outputs, in a span that continues the trace of the
   * process that queued it; a resumed job's span links to the worker that started it.
   */
  process(): Promise<QueuedEditResult> {
    const { trace } = this.#data;
    return runInTrace({
      name: 'retouch.queue.process',
      kind: 'consumer',
      parent: trace?.producer,
      links: this.resumes && trace?.worker ? [trace.worker] : [],
      run: (own) => {
        // Written with the job's next update, before anything is sent: a worker resuming it links here.
        if (own && !this.resumes) this.#data = { ...this.#data, trace: { ...trace, worker: own } };
        return this.#process();
      },
    });
  }

  async #process(): Promise<QueuedEditResult> {
    const { snapshot, sent } = this.#data;
    let result: EditResult;
    if (snapshot) result = await this.#resume(snapshot);
    else if (sent && !this.#context.resendPossiblyBilled) result = await this.#takeOverSent(sent);
    else result = await this.#edit();
    this.#report({ type: 'saving', model: result.model });
    const images = await storeOutputs({ jobId: this.jobId, result, output: this.#context.output });
    return {
      jobId: this.jobId,
      images,
      provider: result.provider,
      model: result.model,
      ...(result.cost ? { cost: result.cost } : {}),
      warnings: result.warnings,
      timings: result.timings,
      ...(result.jobId !== undefined ? { providerJobId: result.jobId } : {}),
      ...(result.upstreamProvider !== undefined ? { upstreamProvider: result.upstreamProvider } : {}),
      ...(result.attempts !== undefined && result.attempts.length > 0 ? { attempts: result.attempts } : {}),
      resumed: this.#resumed,
      worker: this.#context.workerId,
    };
  }

  /**
   * Puts the job back in the queue for another worker, when the client's close stopped it on
   * shutdown; `token` is the worker's lock on the job. Its entry in the ledger stays as it is: the
   * worker that takes it over inherits it.
   */
  async handBack(token: string): Promise<void> {
    await this.#job.moveToWait(token);
  }

  async #resume(snapshot: EditJobSnapshot): Promise<EditResult> {
    this.#resumed = true;
    this.#report({
      type: 'resumed',
      model: snapshot.model,
      ...(snapshot.providerJobId ? { providerJobId: snapshot.providerJobId } : {}),
    });
    const resumed = await this.#context.retouch.resume(snapshot, { priority: this.#data.priority });
    resumed.on(this.#onProgress);
    return resumed.result();
  }

  /**
   * An earlier worker stopped after sending and before recording the provider's answer: the
   * provider's records say what became of the edit (see `takeOverSent`).
   */
  async #takeOverSent(sent: NonNullable<QueuedEditData['sent']>): Promise<EditResult> {
    const lost = await takeOverSent({
      retouch: this.#context.retouch,
      request: this.#data.request as EditRequest,
      sentAt: sent.at,
      billingKey: this.#billingKey(),
      fallbacks: this.#context.fallbacks,
    });
    if (lost.state === 'found') {
      await this.#recordSnapshot(lost.snapshot);
      return this.#resume(lost.snapshot);
    }
    if (lost.state === 'unknown') return this.#refusePossiblyBilled({ sent, reason: lost.reason });
    // Never received, so never billed: its entry is returned, and the edit sent as the job's first.
    await this.#context.spendStore?.release({ key: this.#billingKey() });
    const { sent: _never, ...unsent } = this.#data;
    this.#data = unsent;
    return this.#edit();
  }

  /** An earlier worker stopped after sending: sending again could pay twice. */
  async #refusePossiblyBilled(options: {
    sent: NonNullable<QueuedEditData['sent']>;
    reason: string;
  }): Promise<never> {
    await this.#keepCountedAsPossiblyBilled();
    throw new PossiblyBilledError({
      jobId: this.jobId,
      model: String(this.#data.request.model),
      sentAt: options.sent.at,
      reason: options.reason,
    });
  }

  /**
   * The worker that sent the edit marked its entry possibly billed before sending it, so the budget
   * already counts it; an entry missing (its budget was reset, say) is charged the estimate, as a sent
   * edit that failed would be.
   */
  async #keepCountedAsPossiblyBilled(): Promise<void> {
    const { spendStore, retouch } = this.#context;
    if (!spendStore) return;
    const key = this.#billingKey();
    const entry = await spendStore.entry(key);
    if (entry?.state === 'possibly-billed' || entry?.state === 'settled') return;
    if (entry?.state === 'reserved') return spendStore.markPossiblyBilled({ key });
    const estimate = await retouch.estimate(this.#data.request as EditRequest).catch(() => undefined);
    await spendStore.settle({
      key,
      model: String(this.#data.request.model),
      ...(estimate ? { estimateUsd: estimate.usd } : {}),
    });
  }

  /** The edit's billing key; a resend of an edit that may have been billed is a new billing. */
  #billingKey(options?: { resend: boolean }): string {
    const { sent } = this.#data;
    return queuedEditBillingKey({
      queueName: this.#context.queueName,
      jobId: this.jobId,
      ...(options?.resend && sent ? { resendOf: sent.at } : {}),
    });
  }

  /**
   * What the budget counts as possibly billed for this job once it failed: the estimates of its
   * entries (the requested model's, and each fallback's) that may have been billed. Undefined without
   * a budget, or when nothing is.
   */
  async possiblyBilledUsd(): Promise<number | undefined> {
    const store = this.#context.spendStore;
    if (!store) return undefined;
    const key = this.#sentUnder ?? this.#billingKey();
    const keys = [
      key,
      ...Array.from({ length: this.#context.fallbacks }, (_, index) => `${key}#${index + 1}`),
    ];
    const entries = await Promise.all(keys.map((each) => store.entry(each)));
    const usd = entries.reduce(
      (total, entry) => total + (entry?.state === 'possibly-billed' ? entry.estimateUsd : 0),
      0,
    );
    return usd > 0 ? roundUsd(usd) : undefined;
  }

  #edit(): Promise<EditResult> {
    this.#sentUnder = this.#billingKey({ resend: this.#data.sent !== undefined });
    return this.#context.retouch.edit(this.#data.request as EditRequest, {
      priority: this.#data.priority,
      billingKey: this.#sentUnder,
      onProgress: this.#onProgress,
      beforeSend: () => this.#recordSending(),
      onProviderJob: (snapshot) => this.#recordSnapshot(snapshot),
    });
  }

  /** From here the edit may be billed: a worker that takes this job over must know. */
  async #recordSending(): Promise<void> {
    const { workerId } = this.#context;
    if (this.#context.handingOver()) {
      throw new JobCancelledError({
        message: `worker ${workerId} is shutting down; job ${this.jobId} goes back to the queue`,
      });
    }
    const { snapshot: _stale, ...rest } = this.#data;
    this.#data = { ...rest, sent: { at: Date.now(), worker: workerId } };
    await this.#job.updateData(this.#data);
    this.#sent = true;
    this.#snapshot = false;
  }

  /** The provider accepted the edit as a job: from here another worker can resume it. */
  async #recordSnapshot(snapshot: EditJobSnapshot): Promise<void> {
    this.#data = { ...this.#data, snapshot };
    await this.#job.updateData(this.#data);
    this.#snapshot = true;
  }

  #report(progress: Omit<QueuedEditProgress, 'at'>): void {
    void this.#job.updateProgress({ ...progress, at: Date.now() }).catch(() => {});
  }
}
