/**
 * The Retouch client: one class behind `createRetouch`. Each public method of `Retouch` is a short
 * entry point over the client's private state (its providers, lanes, budget and jobs in flight); the
 * work they start lives in the files beside this one: job-runner.ts runs an edit, resume-job.ts
 * re-attaches a job, edit-many.ts runs a batch, cancel-provider-job.ts stops a provider's job.
 */
import type { Cost } from '../cost.ts';
import type { EditRequest } from '../edit-request.ts';
import type { EditResult } from '../edit-result.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { createHttpClient, type HttpClient } from '../http/http-client.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import type { ModelInfo } from '../provider.ts';
import { ClientTelemetry } from '../telemetry/client-telemetry.ts';
import { settleWithin } from '../timers.ts';
import { SpendLedger } from './budget.ts';
import { CANCEL_TIMEOUT_MS, cancelProviderJob } from './cancel-provider-job.ts';
import { checkEdit, type EditCheck } from './check-edit.ts';
import { createLanes } from './create-lanes.ts';
import { JobControl } from './deadline.ts';
import { checkDispatchOptions, checkPriority } from './dispatch-checks.ts';
import type { DispatchContext } from './dispatch-context.ts';
import { DispatchJob, type EditJob, type JobOrigin } from './edit-job.ts';
import {
  checkEditManyRequests,
  checkMaxInFlight,
  type EditManyOptions,
  type EditOutcome,
  editManyIterable,
} from './edit-many.ts';
import { estimateEdit } from './estimate-edit.ts';
import { deliver, type ProgressEvent, type ProgressListener } from './events.ts';
import { type FindLostEditOptions, findLostEdit, type LostEdit } from './find-lost-edit.ts';
import { JobRunner } from './job-runner.ts';
import type { Lane } from './lane.ts';
import { listModels } from './list-models.ts';
import { ProviderRegistry } from './provider-registry.ts';
import { resumeJob } from './resume-job.ts';
import type { DispatchOptions, ResumeOptions, Retouch, RetouchOptions, RetouchStats } from './retouch.ts';
import { parseRetouchOptions } from './retouch-options.ts';
import { retouchStats, type SettledCounts } from './retouch-stats.ts';
import type { ResolvedRetryOptions } from './retry.ts';
import { UnsettledJobs } from './unsettled-jobs.ts';

export type { DispatchOptions, ResumeOptions, Retouch, RetouchOptions, RetouchStats } from './retouch.ts';

/** How long `close()` waits for calls in flight to return after they were aborted. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Creates a {@link Retouch} client over the given providers.
 *
 * @example
 * import { createRetouch } from '@retouch/core';
 * import { oxen } from '@retouch/provider-oxen';
 * import { edenai } from '@retouch/provider-edenai';
 *
 * const retouch = createRetouch({ providers: [oxen, edenai], budget: { maxUsd: 2 } });
 * const result = await retouch.edit({
 *   model: 'edenai:openai/gpt-image-2',
 *   prompt: 'Replace the background with a beach',
 *   images: [{ path: 'portrait.png' }],
 * });
 * await retouch.close();
 */
export function createRetouch(options: RetouchOptions): Retouch {
  return new RetouchClient(options);
}

class RetouchClient implements Retouch {
  readonly #providers: ProviderRegistry;
  readonly #lanes: Map<string, Lane>;
  readonly #retry: ResolvedRetryOptions;
  readonly #ledger: SpendLedger;
  readonly #fallback: readonly string[];
  readonly #strict: boolean;
  readonly #listeners = new Set<ProgressListener>();
  readonly #active = new UnsettledJobs();
  readonly #runners = new Set<Promise<void>>();
  readonly #background = new Set<Promise<void>>();
  readonly #context: DispatchContext;
  #counts: SettledCounts = { succeeded: 0, failed: 0, cancelled: 0, retries: 0 };
  #closing: Promise<void> | undefined;
  #keylessHttp: HttpClient | undefined;
  /** How every job reaches the client: made once, not for each job. */
  readonly #jobHooks = {
    sink: (event: ProgressEvent): void => this.#emit(event),
    sinkListening: (): boolean => this.#listeners.size > 0,
    cancelProviderJob: (target: { job: DispatchJob; providerJobId: string }): Promise<void> =>
      cancelProviderJob({ context: this.#context, background: this.#background, ...target }),
    onSettled: (settled: DispatchJob): void => this.#onSettled(settled),
  };

  constructor(given: RetouchOptions) {
    // One schema checks every option; the adapters' own shape is checked as they are registered.
    const options = parseRetouchOptions(given);
    this.#providers = new ProviderRegistry(options.providers);
    this.#retry = options.retry;
    this.#ledger = new SpendLedger(options.budget);
    this.#fallback = this.#providers.checkFallback(options.fallback);
    this.#strict = options.strict ?? false;
    if (options.onProgress) this.#listeners.add(options.onProgress);
    this.#lanes = createLanes({
      providers: this.#providers,
      limits: options.limits,
      sharedLimits: options.sharedLimits,
      retry: this.#retry,
    });
    const lanes = this.#lanes;
    this.#context = {
      adapters: this.#providers.adapters,
      retry: this.#retry,
      ledger: this.#ledger,
      strict: this.#strict,
      telemetry: new ClientTelemetry({
        logger: options.logger,
        lanes,
        budget: { ledger: this.#ledger, maxUsd: options.budget?.maxUsd },
      }),
      lane: (provider) => lanes.get(provider)!,
      transport: (transport) => this.#transport(transport),
      countRetry: () => {
        this.#counts.retries++;
      },
    };
  }

  async edit(request: EditRequest, options?: DispatchOptions): Promise<EditResult> {
    const { job } = await this.#start(request, { origin: 'edit', mode: 'edit', dispatch: options });
    return job.result();
  }

  async submit(request: EditRequest, options?: DispatchOptions): Promise<EditJob> {
    const { job, accepted } = await this.#start(request, {
      origin: 'submit',
      mode: 'submit',
      dispatch: options,
    });
    return new Promise<EditJob>((resolve, reject) => {
      accepted.then(() => resolve(job));
      job.result().catch(reject);
    });
  }

  async resume(snapshot: unknown, options: ResumeOptions = {}): Promise<EditJob> {
    this.#assertOpen();
    return resumeJob({
      snapshot,
      resume: options,
      context: this.#context,
      registered: this.#providers.list(),
      createJob: (settings) => this.#createJob(settings),
      track: (runner, job) => this.#track(runner, job),
      downloader: () => this.#downloader(),
    });
  }

  async findLostEdit(request: EditRequest, options: FindLostEditOptions): Promise<LostEdit> {
    this.#assertOpen();
    return findLostEdit({ request, lost: options, providers: this.#providers, context: this.#context });
  }

  editMany(
    requests: Iterable<EditRequest> | AsyncIterable<EditRequest>,
    options: EditManyOptions = {},
  ): AsyncIterable<EditOutcome> {
    this.#assertOpen();
    checkEditManyRequests(requests);
    let capacity = 0;
    for (const lane of this.#lanes.values()) capacity += lane.stats().concurrency;
    const maxInFlight = checkMaxInFlight({ value: options.maxInFlight, fallback: Math.max(2, capacity * 2) });
    const priority = checkPriority(options.priority);
    const listeners = options.onProgress ? [options.onProgress] : [];
    return editManyIterable({
      requests,
      maxInFlight,
      signal: options.signal,
      assertOpen: () => this.#assertOpen(),
      start: async (request, signal) => {
        const { job } = await this.#start(request, {
          origin: 'edit',
          mode: 'edit',
          dispatch: { priority },
          signal,
          listeners,
        });
        return job.result();
      },
    });
  }

  async estimate(request: EditRequest): Promise<Cost | undefined> {
    this.#assertOpen();
    return estimateEdit({ request, providers: this.#providers, context: this.#context });
  }

  async check(request: EditRequest): Promise<EditCheck> {
    this.#assertOpen();
    return checkEdit({ request, providers: this.#providers, context: this.#context });
  }

  async listModels(options: { provider?: string; signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    this.#assertOpen();
    return listModels({ filter: options, providers: this.#providers, context: this.#context });
  }

  stats(): RetouchStats {
    return retouchStats({
      active: this.#active,
      counts: this.#counts,
      ledger: this.#ledger,
      lanes: this.#lanes,
    });
  }

  subscribe(listener: ProgressListener): () => void {
    if (typeof listener !== 'function') {
      throw new RetouchError({ message: 'subscribe: pass a function (event) => void' });
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  onIdle(): Promise<void> {
    return this.#active.onIdle();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    for (const job of [...this.#active]) {
      const detach = (job.origin !== 'edit' || job.persisted) && job.providerJobId !== undefined;
      job.control.abort(
        new JobCancelledError({
          message: detach
            ? `The Retouch client was closed while job ${job.id} ran; the ${job.provider} job ${job.providerJobId} was left running: resume it with retouch.resume(snapshot) in a new client`
            : `The Retouch client was closed before the edit on ${job.model} settled`,
          provider: job.provider,
          ...(job.providerJobId ? { jobId: job.providerJobId } : {}),
        }),
        { cancelOnProvider: !detach },
      );
    }
    // Provider cancels run through the lanes, so the lanes close only after them.
    await settleWithin([...this.#runners, ...this.#background], { ms: CLOSE_GRACE_MS + CANCEL_TIMEOUT_MS });
    for (const lane of this.#lanes.values()) lane.close();
    await Promise.allSettled([...this.#providers.adapters.values()].map((adapter) => adapter.close?.()));
    this.#context.telemetry.close();
    this.#active.release();
  }

  async #start(
    request: EditRequest,
    options: {
      origin: JobOrigin;
      mode: 'edit' | 'submit';
      dispatch: DispatchOptions | undefined;
      signal?: AbortSignal;
      listeners?: readonly ProgressListener[];
    },
  ): Promise<{ job: DispatchJob; accepted: Promise<void> }> {
    this.#assertOpen();
    const { priority, beforeSend, onProviderJob, onProgress, billingKey } = checkDispatchOptions(
      options.dispatch,
    );
    const primary = await normalizeEditRequest(request);
    this.#providers.adapterFor(primary);
    this.#assertOpen();
    const control = new JobControl({
      timeoutMs: primary.timeoutMs,
      signals: [primary.signal, options.signal],
    });
    const listeners = onProgress ? [...(options.listeners ?? []), onProgress] : options.listeners;
    const job = this.#createJob({
      origin: options.origin,
      requestedModel: primary.model,
      model: primary.model,
      provider: primary.provider,
      control,
      billingKey,
      ...(listeners ? { listeners } : {}),
    });
    // Only a submission waits for the acceptance; an edit waits for its result.
    let markAccepted = NOTHING;
    const accepted =
      options.mode === 'submit'
        ? new Promise<void>((resolve) => {
            markAccepted = resolve;
          })
        : ACCEPTED;
    this.#track(
      new JobRunner({ context: this.#context, job }).run({
        request,
        primary,
        fallback: this.#fallback,
        priority,
        mode: options.mode,
        onAccepted: markAccepted,
        hooks: beforeSend || onProviderJob ? { beforeSend, onProviderJob } : undefined,
      }),
      job,
    );
    return { job, accepted };
  }

  #createJob(options: {
    origin: JobOrigin;
    requestedModel: string;
    model: string;
    provider: string;
    control: JobControl;
    id?: string;
    billingKey?: string | undefined;
    createdAt?: number;
    status?: DispatchJob['status'];
    providerJobId?: string | undefined;
    listeners?: readonly ProgressListener[];
  }): DispatchJob {
    const job = new DispatchJob({
      ...options,
      id: options.id ?? `job_${crypto.randomUUID()}`,
      ...this.#jobHooks,
    });
    this.#active.add(job);
    return job;
  }

  #track(runner: Promise<void>, job: DispatchJob): void {
    // One reaction rather than catch() and finally(): this runs for every edit.
    const done = (): void => {
      this.#runners.delete(tracked);
    };
    const tracked: Promise<void> = runner.then(done, (error: unknown) => {
      job.fail(error);
      done();
    });
    this.#runners.add(tracked);
  }

  #emit(event: ProgressEvent): void {
    for (const listener of this.#listeners) deliver({ listener, event });
  }

  #onSettled(job: DispatchJob): void {
    if (!this.#active.delete(job)) return;
    if (job.status === 'succeeded') this.#counts.succeeded++;
    else if (job.status === 'cancelled') this.#counts.cancelled++;
    else this.#counts.failed++;
  }

  /**
   * The adapter's HTTP client bound to its lane, so every request waits for room in the provider's rate
   * window (an adapter without a client gets a keyless one, paced one request each by the retry loop).
   * The key is read here, as every step of an edit starts by taking its client: a missing key is the
   * first error, not a price that could not be looked up without it.
   */
  #transport(options: Parameters<DispatchContext['transport']>[0]): HttpClient {
    const { adapter } = options;
    // Called only where present: a client an adapter built with an earlier core has no such method.
    adapter.http?.requireApiKey?.();
    const base = adapter.http ?? this.#downloader();
    const gate = this.#lanes.get(adapter.id)!.gate(options);
    return base.withGate(options.observer ? options.observer.observeGate(gate) : gate);
  }

  #assertOpen(): void {
    const message = 'This Retouch client is closed; create a new one with createRetouch() to send more edits';
    if (this.#closing) throw new RetouchError({ message });
  }

  /** Downloads result URLs of restored results. It holds no key, so it can send none. */
  #downloader(): HttpClient {
    // `.invalid` never resolves (RFC 2606): no URL can share the client's origin, so no header is added.
    this.#keylessHttp ??= createHttpClient({
      provider: 'retouch',
      baseURL: 'https://retouch.invalid',
      apiKey: '',
    });
    return this.#keylessHttp;
  }
}

const NOTHING = (): void => {};
const ACCEPTED: Promise<void> = Promise.resolve();
