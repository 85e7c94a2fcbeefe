/**
 * The Retouch client: one class behind `createRetouch`, longer than the guide's 400 lines because each
 * public method of `Retouch` (edit, submit, resume, editMany, estimate, listModels, stats, close) is a
 * short entry point that must share the client's private state; the work they start lives in
 * job-runner.ts, wait-for-job.ts, lane.ts and the other files beside this one.
 */
import type { Cost } from '../cost.ts';
import type { EditRequest, NormalizedEditRequest } from '../edit-request.ts';
import type { EditResult } from '../edit-result.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { createHttpClient, type HttpClient } from '../http/http-client.ts';
import { parseModelId } from '../model-id.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import type { LaneLimits, ModelInfo, ProviderAdapter, ProviderContext } from '../provider.ts';
import { checkAdapter } from './adapter-checks.ts';
import { BudgetLedger } from './budget.ts';
import { JobControl } from './deadline.ts';
import type { DispatchContext } from './dispatch-context.ts';
import { DispatchJob, type EditJob, type JobOrigin } from './edit-job.ts';
import { checkMaxInFlight, type EditManyOptions, type EditOutcome, editManyOutcomes } from './edit-many.ts';
import { deliver, type ProgressEvent, type ProgressListener } from './events.ts';
import { JobRunner } from './job-runner.ts';
import { Lane, type LaneStats } from './lane.ts';
import { deserializeResult } from './result-serialization.ts';
import { readSnapshot, restoredError, restoredFailure } from './resume-snapshot.ts';
import type { DispatchOptions, ResumeOptions, Retouch, RetouchOptions, RetouchStats } from './retouch.ts';
import { parseRetouchOptions } from './retouch-options.ts';
import type { ResolvedRetryOptions } from './retry.ts';
import { retrying } from './retrying.ts';
import type { SharedLimits } from './shared-limits.ts';

export type { DispatchOptions, ResumeOptions, Retouch, RetouchOptions, RetouchStats } from './retouch.ts';

/** Concurrency of a lane when neither the client nor the provider sets one. */
const DEFAULT_CONCURRENCY = 8;
/** How long cancelling a job on the provider may take before it is given up. */
const CANCEL_TIMEOUT_MS = 10_000;
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
  readonly #adapters = new Map<string, ProviderAdapter>();
  readonly #lanes = new Map<string, Lane>();
  readonly #retry: ResolvedRetryOptions;
  readonly #ledger: BudgetLedger;
  readonly #fallback: readonly string[];
  readonly #strict: boolean;
  readonly #listeners = new Set<ProgressListener>();
  readonly #active = new Set<DispatchJob>();
  readonly #runners = new Set<Promise<void>>();
  readonly #background = new Set<Promise<void>>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #context: DispatchContext;
  #counts = { succeeded: 0, failed: 0, cancelled: 0, retries: 0 };
  #closing: Promise<void> | undefined;
  #keylessHttp: HttpClient | undefined;
  /** How every job reaches the client: made once, not for each job. */
  readonly #jobHooks = {
    sink: (event: ProgressEvent): void => this.#emit(event),
    sinkListening: (): boolean => this.#listeners.size > 0,
    cancelProviderJob: (target: { job: DispatchJob; providerJobId: string }): Promise<void> =>
      this.#cancelOnProvider(target),
    onSettled: (settled: DispatchJob): void => this.#onSettled(settled),
  };

  constructor(given: RetouchOptions) {
    // One schema checks every option; the adapters' own shape is checked as they are registered.
    const options = parseRetouchOptions(given);
    this.#registerProviders(options.providers);
    this.#retry = options.retry;
    this.#ledger = new BudgetLedger(options.budget);
    this.#fallback = this.#checkFallback(options.fallback);
    this.#strict = options.strict ?? false;
    if (options.onProgress) this.#listeners.add(options.onProgress);
    this.#createLanes(options.limits, options.sharedLimits);
    const lanes = this.#lanes;
    this.#context = {
      adapters: this.#adapters,
      retry: this.#retry,
      ledger: this.#ledger,
      strict: this.#strict,
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
    const { saved, adapter, settled } = await readSnapshot({
      snapshot,
      adapters: this.#adapters,
      registered: this.#providerList(),
    });
    const priority = checkPriority(options.priority);
    if (
      options.timeoutMs !== undefined &&
      !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0 && options.timeoutMs <= 2_147_483_647)
    ) {
      throw new RetouchError({
        message: `resume: timeoutMs must be a whole number of milliseconds > 0, got ${String(options.timeoutMs)}`,
      });
    }
    const control = new JobControl({ timeoutMs: options.timeoutMs, signals: [options.signal] });
    const job = this.#createJob({
      origin: 'resume',
      requestedModel: saved.requestedModel,
      model: saved.model,
      provider: saved.provider,
      control,
      id: saved.id,
      createdAt: saved.createdAt,
      status: settled ? 'queued' : saved.status,
      providerJobId: saved.providerJobId,
    });
    job.warnings = saved.warnings;
    job.attempts = saved.attempts;
    job.estimatedCost = saved.estimatedCost;
    const stored = saved.result
      ? deserializeResult(saved.result, { http: () => this.#downloader() })
      : undefined;

    if (saved.status === 'cancelled' || saved.status === 'failed') {
      job.restore({ error: restoredFailure(saved) });
      return job;
    }
    if (saved.providerJobId === undefined) {
      if (stored) job.restore({ result: stored });
      else job.restore({ error: restoredError(saved.error) });
      return job;
    }
    this.#track(
      new JobRunner({ context: this.#context, job }).resume({
        adapter,
        providerJobId: saved.providerJobId,
        priority,
        ...(stored ? { stored } : {}),
      }),
      job,
    );
    return job;
  }

  editMany(
    requests: Iterable<EditRequest> | AsyncIterable<EditRequest>,
    options: EditManyOptions = {},
  ): AsyncIterable<EditOutcome> {
    this.#assertOpen();
    if (
      requests === null ||
      typeof requests !== 'object' ||
      (!(Symbol.iterator in requests) && !(Symbol.asyncIterator in requests))
    ) {
      throw new RetouchError({
        message:
          'editMany: pass an iterable or async iterable of edit requests (an array, a generator, a stream)',
      });
    }
    let capacity = 0;
    for (const lane of this.#lanes.values()) capacity += lane.stats().concurrency;
    const maxInFlight = checkMaxInFlight({ value: options.maxInFlight, fallback: Math.max(2, capacity * 2) });
    const priority = checkPriority(options.priority);
    const listeners = options.onProgress ? [options.onProgress] : [];
    const client = this;
    return {
      [Symbol.asyncIterator]() {
        const batch = new AbortController();
        const forward = (): void => batch.abort(options.signal?.reason);
        if (options.signal?.aborted) forward();
        else options.signal?.addEventListener('abort', forward, { once: true });
        const outcomes = editManyOutcomes({
          requests,
          maxInFlight,
          signal: batch.signal,
          assertOpen: () => client.#assertOpen(),
          stop: (reason) => batch.abort(reason),
          start: async (request) => {
            const { job } = await client.#start(request, {
              origin: 'edit',
              mode: 'edit',
              dispatch: { priority },
              signal: batch.signal,
              listeners,
            });
            return job.result();
          },
        });
        const release = (): void => options.signal?.removeEventListener('abort', forward);
        return {
          async next() {
            const step = await outcomes.next().catch((error: unknown) => {
              release();
              throw error;
            });
            if (step.done) release();
            return step;
          },
          async return() {
            release();
            return outcomes.return(undefined);
          },
        };
      },
    };
  }

  async estimate(request: EditRequest): Promise<Cost | undefined> {
    this.#assertOpen();
    const normalized = await normalizeEditRequest(request);
    const adapter = this.#adapterFor(normalized);
    if (!adapter.estimateCost) return undefined;
    const { signal: callerSignal, timeoutMs: _timeoutMs, ...forAdapter } = normalized;
    const context: ProviderContext = {
      http: this.#transport({ adapter, priority: 0 }),
      signal: callerSignal ?? new AbortController().signal,
    };
    const prepared = adapter.prepare ? await adapter.prepare(forAdapter, context) : { plan: undefined };
    return adapter.estimateCost({ request: forAdapter, plan: prepared.plan }, context);
  }

  async listModels(options: { provider?: string; signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    this.#assertOpen();
    if (options.provider !== undefined && !this.#adapters.has(options.provider)) {
      throw new RetouchError({
        message: `listModels: provider "${options.provider}" is not registered (registered: ${this.#providerList()})`,
      });
    }
    const adapters = [...this.#adapters.values()].filter(
      (adapter) => options.provider === undefined || adapter.id === options.provider,
    );
    const signal = options.signal ?? new AbortController().signal;
    const lists = await Promise.all(
      adapters.map((adapter) =>
        adapter.listModels
          ? this.#lanes.get(adapter.id)!.run(
              (taskSignal) =>
                adapter.listModels!({
                  http: this.#transport({ adapter, priority: 0 }),
                  signal: taskSignal,
                }),
              { priority: 0, signal },
            )
          : Promise.resolve([]),
      ),
    );
    return lists.flat();
  }

  stats(): RetouchStats {
    let queued = 0;
    let running = 0;
    for (const job of this.#active) {
      if (job.status === 'running') running++;
      else queued++;
    }
    const lanes: Record<string, LaneStats> = {};
    for (const [provider, lane] of this.#lanes) lanes[provider] = lane.stats();
    return {
      queued,
      running,
      ...this.#counts,
      spentUsd: this.#ledger.spentUsd,
      reservedUsd: this.#ledger.reservedUsd,
      lanes,
    };
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
    if (this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
    });
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
    await Promise.allSettled([...this.#adapters.values()].map((adapter) => adapter.close?.()));
    this.#flushIdle();
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
    const { priority: givenPriority, beforeSend, onProviderJob, onProgress } = options.dispatch ?? {};
    const priority = checkPriority(givenPriority);
    checkHook('beforeSend', beforeSend);
    checkHook('onProviderJob', onProviderJob);
    checkHook('onProgress', onProgress);
    const primary = await normalizeEditRequest(request);
    this.#adapterFor(primary);
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
    if (this.#active.size === 0) this.#flushIdle();
  }

  #flushIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Cancels a provider job after its local job stopped; retried like a read, bounded in time. */
  #cancelOnProvider(target: { job: DispatchJob; providerJobId: string }): Promise<void> {
    const { job, providerJobId } = target;
    const adapter = this.#adapters.get(job.provider);
    const cancel = adapter?.cancel?.bind(adapter);
    if (!cancel) return Promise.resolve();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new TimeoutError({
          message: `${job.provider}: cancelling job ${providerJobId} got no answer within ${CANCEL_TIMEOUT_MS} ms; the job may still run`,
          timeoutMs: CANCEL_TIMEOUT_MS,
          stage: 'request',
        }),
      );
    }, CANCEL_TIMEOUT_MS);
    const cancelling = retrying({
      retry: this.#retry,
      lane: this.#lanes.get(job.provider)!,
      operation: 'read',
      // Cancelling stops billing: it goes before anything else waiting in the lane.
      priority: Number.POSITIVE_INFINITY,
      signal: controller.signal,
      run: (signal) =>
        cancel(providerJobId, {
          http: this.#transport({ adapter: adapter!, priority: Number.POSITIVE_INFINITY }),
          signal,
        }),
    }).finally(() => {
      clearTimeout(timer);
      this.#background.delete(cancelling);
    });
    this.#background.add(cancelling);
    cancelling.catch(() => {});
    return cancelling;
  }

  /**
   * The adapter's HTTP client bound to its lane, so every request it sends waits for room in the
   * provider's rate window. An adapter without a client of its own gets a keyless one (its calls are
   * then paced one request each, see the retry loop).
   */
  #transport(options: {
    adapter: ProviderAdapter;
    priority: number;
    onAdmit?: (request: { method: string; billable?: boolean | undefined }) => void | Promise<void>;
  }): HttpClient {
    const { adapter } = options;
    const base = adapter.http ?? this.#downloader();
    return base.withGate(this.#lanes.get(adapter.id)!.gate(options));
  }

  #assertOpen(): void {
    if (this.#closing) {
      throw new RetouchError({
        message: 'This Retouch client is closed; create a new one with createRetouch() to send more edits',
      });
    }
  }

  #adapterFor(request: NormalizedEditRequest): ProviderAdapter {
    const adapter = this.#adapters.get(request.provider);
    if (!adapter) {
      throw new InvalidRequestError({
        issues: [
          {
            path: 'model',
            message: `no provider "${request.provider}" is registered with this client (registered: ${this.#providerList()}); use one of those prefixes, or pass the provider's adapter in createRetouch({ providers })`,
          },
        ],
      });
    }
    return adapter;
  }

  #providerList(): string {
    return [...this.#adapters.keys()].join(', ');
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

  #registerProviders(providers: readonly ProviderAdapter[]): void {
    for (const [index, adapter] of providers.entries()) {
      const where = `createRetouch: providers[${index}]`;
      checkAdapter(adapter, { where });
      if (this.#adapters.has(adapter.id)) {
        throw new RetouchError({ message: `${where}: provider "${adapter.id}" is registered twice` });
      }
      this.#adapters.set(adapter.id, adapter);
    }
  }

  #createLanes(
    limits: Readonly<Record<string, LaneLimits>> | undefined,
    sharedLimits: SharedLimits | undefined,
  ): void {
    for (const provider of Object.keys(limits ?? {})) {
      if (!this.#adapters.has(provider)) {
        throw new RetouchError({
          message: `createRetouch: limits.${provider} names no registered provider (registered: ${this.#providerList()})`,
        });
      }
    }
    for (const [provider, adapter] of this.#adapters) {
      const configured = limits?.[provider];
      const defaults = adapter.defaultLimits;
      const requestsPerSecond = configured?.requestsPerSecond;
      const concurrency = configured?.concurrency ?? defaults?.concurrency ?? DEFAULT_CONCURRENCY;
      const shared = sharedLimits?.lane({ provider, concurrency, requestsPerSecond });
      this.#lanes.set(
        provider,
        new Lane({
          provider,
          concurrency,
          ...(shared ? { shared } : {}),
          ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
          ...(defaults?.requestsPerSecond !== undefined
            ? { adaptiveCeiling: defaults.requestsPerSecond }
            : {}),
          initialPauseMs: this.#retry.initialDelayMs,
          maxPauseMs: this.#retry.maxDelayMs,
        }),
      );
    }
  }

  #checkFallback(fallback: readonly string[] | undefined): readonly string[] {
    for (const [index, model] of (fallback ?? []).entries()) {
      const { provider } = parseModelId(model)!;
      if (!this.#adapters.has(provider)) {
        throw new RetouchError({
          message: `createRetouch: fallback[${index}] (${model}) names provider "${provider}", which is not registered (registered: ${this.#providerList()})`,
        });
      }
    }
    return [...(fallback ?? [])];
  }
}

const NOTHING = (): void => {};
const ACCEPTED: Promise<void> = Promise.resolve();

function checkPriority(priority: number | undefined): number {
  if (priority === undefined) return 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    throw new RetouchError({ message: `priority must be a finite number, got ${String(priority)}` });
  }
  return priority;
}

/** Waits for the promises to settle, or for `ms`, whichever comes first; the timer is cleared either way. */
async function settleWithin(promises: readonly Promise<unknown>[], options: { ms: number }): Promise<void> {
  if (promises.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.ms);
    }),
  ]);
  clearTimeout(timer);
}

/** A dispatch hook is a function or absent. */
function checkHook(name: string, hook: unknown): void {
  if (hook !== undefined && typeof hook !== 'function') {
    throw new RetouchError({ message: `${name} must be a function, got ${typeof hook}` });
  }
}
