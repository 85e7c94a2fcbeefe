import {
  type Cost,
  type EditWarning,
  type ModelCapabilities,
  type ModelInfo,
  type NormalizedEditRequest,
  type ProviderAdapter,
  RetouchError,
  roundUsd,
} from '@retouch/core';
import type {
  HttpClient,
  JobWatch,
  LostEditQuery,
  LostEditSearch,
  PreparedEdit,
  ProviderCall,
  ProviderContext,
  ProviderEditOutput,
  ProviderJobStatus,
  ProviderJobSubmission,
  WatchOptions,
} from '@retouch/core/provider-utils';
import { oxenTimeToEpochMs } from './oxen-api.ts';
import {
  listBilledGenerations,
  type OxenBilledGenerations,
  type OxenBilledGenerationsOptions,
} from './oxen-billed-generations.ts';
import { OxenClaims } from './oxen-claims.ts';
import { checkOxenRequest, type OxenMode, oxenModeOf } from './oxen-edit-options.ts';
import { encodeOxenBody, type OxenEditPlan, planOxenEdit } from './oxen-edit-plan.ts';
import { OxenEventStream, type OxenEventStreamOptions } from './oxen-events.ts';
import { OxenJobContexts } from './oxen-job-contexts.ts';
import { foldGenerations, partFromEvent, partFromRow } from './oxen-job-status.ts';
import { findOxenLostEdit } from './oxen-lost-edit.ts';
import { OxenModelCatalog } from './oxen-model-catalog.ts';
import { capabilitiesOf, modelInfoOf } from './oxen-model-info.ts';
import {
  cancelGeneration,
  enqueue,
  joinJobId,
  readGeneration,
  splitGenerations,
  splitJobId,
  withGenerations,
} from './oxen-queue.ts';
import { isAmbiguousSend, recoveredWarning, recoverLostRequest } from './oxen-recovery.ts';
import { runOxenSyncEdit } from './oxen-sync-edit.ts';

/** The provider id. */
const PROVIDER = 'oxen';

/** The watch of a job that is not followed on the event stream: the dispatcher polls it. */
const NOT_WATCHED: JobWatch = { live: false, stop: () => {} };

/** How often the dispatcher reads a job's status (the provider's `polling`), as `createOxen` worked it out. */
export interface OxenPolling {
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  /** The interval while the event stream is live. */
  readonly whileWatchedMs: number;
}

/** What {@link OxenEditModel} is built from: the provider's settings, checked by `createOxen`. */
export interface OxenEditModelSettings {
  /** The provider's client (keyed, not yet bound to a lane). */
  http: HttpClient;
  /** The mode of a request that names none. */
  mode: OxenMode;
  /** How often the dispatcher reads a job's status. */
  polling: OxenPolling;
  /** The namespace billed when a request names none. */
  targetNamespace?: string | undefined;
  /** Whether a queued job's billed cost is read back when a request does not say. */
  reportCost: boolean;
  /** The longest a sync request waits for its response. */
  syncTimeoutMs: number;
  /** Tuning of the shared event stream. */
  events: OxenEventStreamOptions;
}

/**
 * The Oxen adapter, in three modes: `edit` is sync mode's blocking request; `submit`, `status` and
 * `cancel` drive the async queue, which the dispatcher polls; `watch` follows a queued job on the
 * shared event stream in `sse` mode. Every request goes through the `http` of the call or context
 * it is handed (the client bound to the provider's lane); nothing here sleeps, retries or polls: the
 * dispatcher reads `status` and the event stream only wakes it.
 */
export class OxenEditModel implements ProviderAdapter<OxenEditPlan> {
  readonly id = PROVIDER;
  readonly specificationVersion = 2;
  readonly http: HttpClient;
  readonly mode: OxenMode;
  readonly polling: OxenPolling;
  readonly #settings: OxenEditModelSettings;
  readonly #catalog = new OxenModelCatalog();
  readonly #contexts = new OxenJobContexts();
  readonly #claims = new OxenClaims();
  #stream: OxenEventStream | undefined;

  constructor(settings: OxenEditModelSettings) {
    this.http = settings.http;
    this.mode = settings.mode;
    this.polling = settings.polling;
    this.#settings = settings;
  }

  prefersJobs(request: NormalizedEditRequest, plan?: OxenEditPlan): boolean {
    return (plan?.mode ?? oxenModeOf({ request, fallback: this.mode })) !== 'sync';
  }

  async prepare(
    request: NormalizedEditRequest,
    context: ProviderContext,
  ): Promise<PreparedEdit<OxenEditPlan>> {
    // A request that is wrong whatever the model is refused before the schema lookup, a network call.
    const providerOptions = await checkOxenRequest(request);
    const spec = await this.#catalog.spec(request.modelId, context);
    const plan = planOxenEdit({
      request,
      providerOptions,
      spec,
      mode: this.mode,
      targetNamespace: this.#settings.targetNamespace,
      reportCost: this.#settings.reportCost,
    });
    return { plan, warnings: [...plan.warnings] };
  }

  /** Sync mode: one blocking request per output image (see `oxen-sync-edit.ts`). */
  async edit(call: ProviderCall<OxenEditPlan>): Promise<ProviderEditOutput> {
    return runOxenSyncEdit({
      call,
      plan: planOf(call.plan),
      timeoutMs: this.#settings.syncTimeoutMs,
      claims: this.#claims,
    });
  }

  /**
   * Enqueues a prepared edit in chunks of at most four generations, all or nothing, after opening the
   * event stream in `sse` mode. The job id joins the generation ids.
   */
  async submit(call: ProviderCall<OxenEditPlan>): Promise<ProviderJobSubmission> {
    const plan = planOf(call.plan);
    const base = await encodeOxenBody(plan, { mode: 'queue' });
    // Subscribe before enqueueing: Oxen's stream does not replay, and a fast job can finish first.
    const release =
      plan.mode === 'sse' ? await this.#events().hold({ http: call.http, signal: call.signal }) : undefined;
    const generationIds: string[] = [];
    const raws: unknown[] = [];
    const warnings: EditWarning[] = [];
    try {
      for (const count of splitGenerations(call.request.n)) {
        const body = withGenerations(base, count);
        const sentAt = Date.now();
        const answered = this.#claims.send(body);
        try {
          const enqueued = await enqueue({ http: call.http, body, signal: call.signal });
          this.#claims.claimGenerations(enqueued.generationIds);
          generationIds.push(...enqueued.generationIds);
          raws.push(enqueued.raw);
        } catch (error) {
          if (!isAmbiguousSend({ error, signal: call.signal })) throw error;
          // Oxen may have queued it: its records say, where sending it again could bill it twice.
          const found = await recoverLostRequest({
            http: call.http,
            error,
            lost: { body, count, sentAt },
            exclude: (row) => generationIds.includes(row.generation_id) || this.#claims.claimed(row),
            othersInFlight: this.#claims.othersInFlight(body),
            signal: call.signal,
          });
          const ids = found.map((row) => row.generation_id);
          this.#claims.claimGenerations(ids);
          generationIds.push(...ids);
          raws.push({ recovered: found });
          warnings.push(recoveredWarning({ error, generationIds: ids }));
        } finally {
          answered();
        }
      }
    } catch (error) {
      // A split request is all or nothing: what was already queued would bill for a failed edit. The
      // cancels do not take the call's signal, which may be what ended it.
      await Promise.allSettled(
        generationIds.map((generationId) => cancelGeneration({ http: call.http, generationId })),
      );
      throw error;
    } finally {
      // The stream lingers after the release, until the dispatcher's watch takes it over.
      release?.();
    }
    this.#contexts.remember(generationIds, {
      modelId: plan.modelId,
      outputFormat: plan.outputFormat,
      costPerImage: plan.costPerImage,
      responseFormat: plan.responseFormat,
      reportCost: plan.reportCost,
    });
    // The plan's warnings were reported by prepare.
    return { jobId: joinJobId(generationIds), warnings, raw: raws.length === 1 ? raws[0] : raws };
  }

  /** Reads every generation of a job once and folds them into one status. */
  async status(jobId: string, context: ProviderContext): Promise<ProviderJobStatus> {
    const rows = await Promise.all(
      splitJobId(jobId).map((generationId) =>
        readGeneration({ http: context.http, generationId, signal: context.signal }),
      ),
    );
    for (const row of rows) {
      // Kept for a completion event, which says nothing of when the work began.
      const startedAt = oxenTimeToEpochMs(row.started_at);
      if (row.status === 'processing' && startedAt !== undefined) {
        this.#contexts.noteStarted(row.generation_id, startedAt);
      }
    }
    return foldGenerations({
      parts: rows.map(partFromRow),
      contexts: this.#contexts,
      reportCost: this.#settings.reportCost,
      http: context.http,
      signal: context.signal,
    });
  }

  /**
   * `sse` mode: follows a job on the shared event stream, waking the dispatcher with the job's final
   * status once every generation is announced, and asking for a status read when the stream drops or
   * comes back. A job in another mode is left to the dispatcher's polling.
   */
  watch(jobId: string, options: WatchOptions): JobWatch {
    // A job resumed from a snapshot comes without its request: the provider's own mode decides.
    if (oxenModeOf({ request: options.request, fallback: this.mode }) !== 'sse') return NOT_WATCHED;
    const generationIds = splitJobId(jobId);
    const listener = this.#events();
    // Folding a finished job may read costs and download results: stopping the watch ends that too.
    const folding = new AbortController();
    const onAbort = (): void => folding.abort(options.signal.reason);
    options.signal.addEventListener('abort', onAbort, { once: true });
    const handle = listener.watch({
      generationIds,
      http: options.http,
      onCheck: () => options.notify(),
      onComplete: (completions) => {
        foldGenerations({
          parts: completions.map((event) =>
            partFromEvent({ event, startedAt: this.#contexts.startedAt(event.generation_id) }),
          ),
          contexts: this.#contexts,
          reportCost: this.#settings.reportCost,
          http: options.http,
          signal: folding.signal,
        }).then(
          (folded) => options.notify(folded),
          // The dispatcher's own read (with its retries) settles what the event could not.
          () => {
            if (!folding.signal.aborted) options.notify();
          },
        );
      },
    });
    return {
      get live() {
        return listener.connected;
      },
      stop() {
        options.signal.removeEventListener('abort', onAbort);
        folding.abort();
        handle.stop();
      },
    };
  }

  /** Looks an edit another process lost the answer to up in Oxen's records (see `oxen-lost-edit.ts`). */
  findLostEdit(lost: LostEditQuery<OxenEditPlan>, context: ProviderContext): Promise<LostEditSearch> {
    return findOxenLostEdit({ lost, context, claims: this.#claims, contexts: this.#contexts });
  }

  /** Cancels every generation of a job; fails only when no generation could be cancelled. */
  async cancel(jobId: string, context: ProviderContext): Promise<void> {
    const generationIds = splitJobId(jobId);
    const results = await Promise.allSettled(
      generationIds.map((generationId) =>
        cancelGeneration({ http: context.http, generationId, signal: context.signal }),
      ),
    );
    // Oxen sends no event for a cancelled job: a wait on it reads its status now.
    this.#stream?.check(generationIds);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure && results.every((result) => result.status === 'rejected')) throw failure.reason;
  }

  async estimateCost(edit: {
    request: NormalizedEditRequest;
    plan: OxenEditPlan;
  }): Promise<Cost | undefined> {
    const { costPerImage } = planOf(edit.plan);
    return costPerImage
      ? { usd: roundUsd(costPerImage.usd * edit.request.n), source: 'estimated' }
      : undefined;
  }

  /** What Oxen billed over a time range, from its generation history (every page). */
  listBilledGenerations(
    options: OxenBilledGenerationsOptions & { http?: HttpClient | undefined },
  ): Promise<OxenBilledGenerations> {
    const { http, ...range } = options;
    return listBilledGenerations({ http: http ?? this.http, range });
  }

  async capabilities(modelId: string, context: ProviderContext): Promise<ModelCapabilities | undefined> {
    const spec = await this.#catalog.spec(modelId, context);
    return spec.source === 'unknown' ? undefined : capabilitiesOf(spec);
  }

  async listModels(context: ProviderContext): Promise<ModelInfo[]> {
    const specs = await this.#catalog.list(context);
    return specs.map(modelInfoOf);
  }

  async close(): Promise<void> {
    const closing = this.#stream;
    this.#stream = undefined;
    await closing?.close();
  }

  /** The shared event stream. The provider stays usable after close(): a later job opens a new stream. */
  #events(): OxenEventStream {
    if (!this.#stream || this.#stream.closed) this.#stream = new OxenEventStream(this.#settings.events);
    return this.#stream;
  }
}

/** The call's plan; `prepare` makes it, and the dispatcher hands it back. */
function planOf(plan: OxenEditPlan | undefined): OxenEditPlan {
  if (plan === undefined) {
    throw new RetouchError({
      message: 'oxen: the call carries no plan; call prepare() first and pass its plan (the dispatcher does)',
    });
  }
  return plan;
}
