import type { Cost } from '../cost.ts';
import type { EditJobSnapshot, EditJobStatus } from '../edit-job-snapshot.ts';
import type { EditResult, EditWarning, FailedAttempt } from '../edit-result.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { redactValue } from '../secrets.ts';
import type { JobObserver } from '../telemetry/job-observer.ts';
import type { JobControl } from './deadline.ts';
import {
  deliver,
  type ProgressEvent,
  type ProgressEventFields,
  type ProgressEventType,
  type ProgressListener,
} from './events.ts';
import { serializeResult, summarizeError } from './result-serialization.ts';

/**
 * An edit submitted with `retouch.submit()` or re-attached with `retouch.resume()`: its status, its
 * events, its result, and a way to cancel it or save it for another process.
 *
 * @example
 * const job = await retouch.submit(request);
 * await saveSomewhere(job.toJSON()); // survives a restart: retouch.resume(snapshot)
 * const stop = job.on((event) => console.log(event.type, event.status));
 * const result = await job.result();
 * stop();
 */
export interface EditJob {
  /** The client-side id, stable across `toJSON()` and `resume()`. */
  readonly id: string;
  /** Where the job is now. */
  readonly status: EditJobStatus;
  /** The `provider:model` of the current attempt (a fallback model after the primary failed). */
  readonly model: string;
  /** The provider id of `model`. */
  readonly provider: string;
  /** The provider's job id once the provider accepted the job; `undefined` for providers without jobs. */
  readonly providerJobId: string | undefined;
  /**
   * Listens to this job's {@link ProgressEvent}s; returns the function that stops listening.
   *
   * @example
   * const stop = job.on((event) => { if (event.type === 'status') console.log(event.status); });
   */
  on(listener: ProgressListener): () => void;
  /**
   * The result: resolves when the job succeeds, rejects with its error when it fails or is cancelled
   * (an abort rejects with the signal's own reason). Every call returns the same promise.
   *
   * @example
   * const result = await job.result();
   */
  result(): Promise<EditResult>;
  /**
   * Cancels the job: it settles at once as `cancelled` (`result()` rejects with `JobCancelledError`),
   * and the provider's job is cancelled where the provider allows it. Resolves when the provider has
   * answered; rejects if that cancel failed (the provider's job may then still run). No effect on a
   * settled job.
   *
   * @example
   * await job.cancel();
   */
  cancel(): Promise<void>;
  /**
   * The job as a versioned plain object, for `JSON.stringify` and `retouch.resume()`. A job that
   * `close()` detached from its still-running provider job keeps its last status here, so the snapshot
   * can be taken after closing and still be resumed.
   *
   * @example
   * const snapshot = job.toJSON();
   */
  toJSON(): EditJobSnapshot;
}

/** Why the client created a job, which decides what closing the client does to it. */
export type JobOrigin = 'edit' | 'submit' | 'resume';

/** The client's side of a job: status, events, settlement and provider cancellation. */
export class DispatchJob implements EditJob {
  readonly id: string;
  /** The key its money is counted under in the budget's store. */
  readonly billingKey: string;
  readonly origin: JobOrigin;
  readonly requestedModel: string;
  readonly createdAt: number;
  readonly control: JobControl;
  warnings: EditWarning[] = [];
  attempts: FailedAttempt[] = [];
  estimatedCost: Cost | undefined;
  /** Set once the caller stored the job's snapshot (`onProviderJob`): closing the client then leaves it running. */
  persisted = false;
  /** Follows the job for OpenTelemetry and the logger, when anyone listens. */
  observer: JobObserver | undefined;
  readonly #listeners = new Set<ProgressListener>();
  readonly #sink: ProgressListener;
  readonly #sinkListening: () => boolean;
  readonly #cancelProviderJob: (target: { job: DispatchJob; providerJobId: string }) => Promise<void>;
  readonly #onSettled: (job: DispatchJob) => void;
  readonly #done: Promise<EditResult>;
  #resolve!: (result: EditResult) => void;
  #reject!: (error: unknown) => void;
  #status: EditJobStatus;
  #model: string;
  #provider: string;
  #providerJobId: string | undefined;
  #updatedAt: number;
  #settledAt: number | undefined;
  #result: EditResult | undefined;
  #error: unknown;
  #providerCancel: Promise<void> | undefined;
  /** The status before the client detached from the running provider job, for the snapshot. */
  #detachedFrom: EditJobStatus | undefined;

  constructor(options: {
    id: string;
    billingKey?: string | undefined;
    origin: JobOrigin;
    requestedModel: string;
    model: string;
    provider: string;
    control: JobControl;
    status?: EditJobStatus;
    providerJobId?: string | undefined;
    createdAt?: number;
    listeners?: readonly ProgressListener[];
    sink: ProgressListener;
    /** Whether anyone listens at the sink: events nobody hears are not built. */
    sinkListening?: () => boolean;
    cancelProviderJob: (target: { job: DispatchJob; providerJobId: string }) => Promise<void>;
    onSettled: (job: DispatchJob) => void;
  }) {
    this.id = options.id;
    this.billingKey = options.billingKey ?? options.id;
    this.origin = options.origin;
    this.requestedModel = options.requestedModel;
    this.#model = options.model;
    this.#provider = options.provider;
    this.#providerJobId = options.providerJobId;
    this.#status = options.status ?? 'queued';
    this.createdAt = options.createdAt ?? Date.now();
    this.#updatedAt = Date.now();
    this.control = options.control;
    this.#sink = options.sink;
    this.#sinkListening = options.sinkListening ?? (() => true);
    this.#cancelProviderJob = options.cancelProviderJob;
    this.#onSettled = options.onSettled;
    for (const listener of options.listeners ?? []) this.#listeners.add(listener);
    this.#done = new Promise<EditResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A job nobody awaits (followed through events only) must not raise an unhandled rejection.
    this.#done.catch(() => {});
    const signal = this.control.signal;
    if (signal.aborted) queueMicrotask(() => this.#onAbort());
    else this.control.onAbort = () => this.#onAbort();
  }

  get status(): EditJobStatus {
    return this.#status;
  }

  get model(): string {
    return this.#model;
  }

  get provider(): string {
    return this.#provider;
  }

  get providerJobId(): string | undefined {
    return this.#providerJobId;
  }

  /** Whether the job has settled. */
  get settled(): boolean {
    return this.#settledAt !== undefined;
  }

  on(listener: ProgressListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  result(): Promise<EditResult> {
    return this.#done;
  }

  cancel(): Promise<void> {
    if (!this.settled) {
      this.control.abort(
        new JobCancelledError({
          message: `The edit on ${this.#model} was cancelled with job.cancel()`,
          provider: this.#provider,
          ...(this.#providerJobId ? { jobId: this.#providerJobId } : {}),
        }),
        { cancelOnProvider: true },
      );
    }
    return this.#providerCancel ?? Promise.resolve();
  }

  toJSON(): EditJobSnapshot {
    const detached = this.#detachedFrom !== undefined;
    const snapshot: EditJobSnapshot = {
      type: 'retouch.edit-job',
      version: 1,
      id: this.id,
      ...(this.billingKey !== this.id ? { billingKey: this.billingKey } : {}),
      status: this.#detachedFrom ?? this.#status,
      requestedModel: this.requestedModel,
      model: this.#model,
      provider: this.#provider,
      ...(this.#providerJobId ? { providerJobId: this.#providerJobId } : {}),
      createdAt: this.createdAt,
      updatedAt: this.#updatedAt,
      ...(this.#settledAt !== undefined && !detached ? { settledAt: this.#settledAt } : {}),
      ...(this.estimatedCost ? { estimatedCost: this.estimatedCost } : {}),
      warnings: this.warnings,
      attempts: this.attempts,
      ...(this.#result ? { result: serializeResult(this.#result) } : {}),
      ...(this.#error !== undefined && !detached ? { error: summarizeError(this.#error) } : {}),
    };
    return redactValue(snapshot) as EditJobSnapshot;
  }

  /** Sends an event to the job's listeners and the client's. */
  emit<T extends ProgressEventType>(
    type: T,
    ...fields: {} extends ProgressEventFields<T> ? [ProgressEventFields<T>?] : [ProgressEventFields<T>]
  ): void {
    if (this.#listeners.size === 0 && !this.#sinkListening()) return;
    const now = Date.now();
    const event = {
      type,
      jobId: this.id,
      model: this.#model,
      provider: this.#provider,
      timestamp: now,
      elapsedMs: now - this.createdAt,
      ...fields[0],
    } as ProgressEvent;
    for (const listener of this.#listeners) deliver({ listener, event });
    deliver({ listener: this.#sink, event });
  }

  /** Moves to another model (a fallback). */
  setModel(options: { model: string; provider: string }): void {
    this.#model = options.model;
    this.#provider = options.provider;
    this.#providerJobId = undefined;
    this.persisted = false;
    this.#updatedAt = Date.now();
  }

  /** Records a status change and announces it. */
  setStatus(status: EditJobStatus, options: { reason?: string } = {}): void {
    if (this.settled || this.#status === status) return;
    this.#status = status;
    this.#updatedAt = Date.now();
    this.emit('status', { status, ...(options.reason ? { reason: options.reason } : {}) });
  }

  /** Records the provider's job id; if the job was aborted meanwhile, cancels that job at once. */
  setProviderJob(providerJobId: string): void {
    this.#providerJobId = providerJobId;
    this.#updatedAt = Date.now();
    if (this.control.signal.aborted) {
      if (this.control.cancelOnProvider) this.#startProviderCancel();
      return;
    }
    this.emit('status', { status: this.#status, providerJobId, reason: 'the provider accepted the job' });
  }

  /** Settles the job as succeeded. */
  succeed(result: EditResult): void {
    if (this.settled) return;
    this.#result = result;
    this.#settle('succeeded');
    this.observer?.settled({ result });
    this.emit('succeeded', { result, status: 'succeeded' });
    this.#resolve(result);
  }

  /** Settles the job as failed, or cancelled when the error is a cancellation. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.#error = error;
    const status = isCancellation(error) ? 'cancelled' : 'failed';
    this.#settle(status);
    this.observer?.settled({ error });
    this.emit('failed', { error, status });
    this.#reject(error);
  }

  /** Settles a job restored from a snapshot without announcing it as new progress. */
  restore(outcome: { result: EditResult } | { error: unknown }): void {
    if ('result' in outcome) this.succeed(outcome.result);
    else this.fail(outcome.error);
  }

  /** The provider cancel started by an abort, if any, so `close()` can wait for it. */
  get pendingProviderCancel(): Promise<void> | undefined {
    return this.#providerCancel;
  }

  #settle(status: EditJobStatus): void {
    this.#status = status;
    this.#settledAt = Date.now();
    this.#updatedAt = this.#settledAt;
    this.control.dispose();
    this.#onSettled(this);
  }

  #onAbort(): void {
    const reason = this.control.signal.reason;
    if (this.#providerJobId && this.control.cancelOnProvider) this.#startProviderCancel();
    if (this.#providerJobId && !this.control.cancelOnProvider && !this.settled)
      this.#detachedFrom = this.#status;
    this.fail(reason);
  }

  #startProviderCancel(): void {
    const providerJobId = this.#providerJobId;
    if (this.#providerCancel || !providerJobId) return;
    this.#providerCancel = this.#cancelProviderJob({ job: this, providerJobId });
    this.#providerCancel.catch(() => {});
  }
}

/** Whether an error ends a job as `cancelled` rather than `failed`. */
export function isCancellation(error: unknown): boolean {
  if (TimeoutError.isInstance(error)) return false;
  if (JobCancelledError.isInstance(error)) return true;
  if (RetouchError.isInstance(error)) return false;
  // Any other abort reason is the caller's own (an AbortError, or whatever they passed to abort()).
  return true;
}
