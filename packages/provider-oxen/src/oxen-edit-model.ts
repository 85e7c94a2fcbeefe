import {
  createGeneratedImage,
  type EditWarning,
  InvalidResponseError,
  type JobWatch,
  type ProviderCall,
  type ProviderContext,
  type ProviderEditOutput,
  type ProviderJobStatus,
  type ProviderJobSubmission,
  RetouchError,
  roundUsd,
  type WatchOptions,
} from '@retouch/core';
import { loadOxenWire, OXEN_PATHS, type OxenEditResponse, oxenTimeToEpochMs } from './oxen-api.ts';
import { checkOxenRequest, type OxenMode, oxenModeOf } from './oxen-edit-options.ts';
import { encodeOxenBody, type OxenEditPlan, planOxenEdit } from './oxen-edit-plan.ts';
import { refineOxenError } from './oxen-error.ts';
import { OxenEventStream, type OxenEventStreamOptions } from './oxen-events.ts';
import { capabilitiesOf, modelInfoOf, OxenModelCatalog } from './oxen-models.ts';
import type { OxenProvider } from './oxen-provider.ts';
import {
  cancelGeneration,
  enqueue,
  foldGenerations,
  joinJobId,
  mediaTypeOf,
  OxenJobContexts,
  partFromEvent,
  partFromRow,
  readGeneration,
  splitGenerations,
  splitJobId,
  withGenerations,
} from './oxen-queue.ts';

/** What the edit model needs from the provider's settings. */
export interface OxenEditModelSettings {
  /** The mode of a request that names none. */
  mode: OxenMode;
  targetNamespace?: string | undefined;
  reportCost: boolean;
  syncTimeoutMs: number;
  events: OxenEventStreamOptions;
}

/** The adapter's methods: everything `createOxen` returns besides its settings. */
export type OxenEditModel = Omit<OxenProvider, 'id' | 'specificationVersion' | 'http' | 'mode' | 'polling'>;

/** The watch of a job that is not followed on the event stream: the dispatcher polls it. */
const NOT_WATCHED: JobWatch = { live: false, stop: () => {} };

/**
 * The Oxen adapter's methods. Every request goes through the `http` of the call or context it is
 * handed (the client bound to the provider's lane); nothing here sleeps, retries or polls: the
 * dispatcher reads `status` and the event stream only wakes it.
 */
export function createOxenEditModel(settings: OxenEditModelSettings): OxenEditModel {
  const catalog = new OxenModelCatalog();
  const contexts = new OxenJobContexts();
  let stream: OxenEventStream | undefined;
  const events = (): OxenEventStream => {
    // The provider stays usable after close(): a later job opens a new stream.
    if (!stream || stream.closed) stream = new OxenEventStream(settings.events);
    return stream;
  };

  async function editSync(call: ProviderCall<OxenEditPlan>): Promise<ProviderEditOutput> {
    const plan = planOf(call.plan);
    const { oxenEditResponseSchema } = loadOxenWire.loaded() ?? (await loadOxenWire());
    const body = await encodeOxenBody(plan, { mode: 'edit' });
    // The edit's deadline is not taken off this timeout: the call's signal aborts at the deadline. A
    // timeout of the time left would be a different length for every request, and a timer of a new
    // length costs the runtime a timer list of its own.
    const timeoutMs = settings.syncTimeoutMs;
    // Oxen's edit endpoint makes one image per request (its `n` is in the older OpenAPI fragment only).
    // Each request waits for room in the lane's window on its own.
    const editOnce = async (): Promise<OxenEditResponse> => {
      try {
        const response = await call.http.request({
          method: 'POST',
          path: OXEN_PATHS.imageEdit,
          json: body,
          schema: oxenEditResponseSchema,
          signal: call.signal,
          timeoutMs,
        });
        return response.data;
      } catch (error) {
        throw refineOxenError(error);
      }
    };
    let responses: OxenEditResponse[];
    let failures: unknown[] = [];
    if (call.request.n === 1) {
      responses = [await editOnce()];
    } else {
      const attempts = await Promise.allSettled(Array.from({ length: call.request.n }, editOnce));
      responses = attempts
        .filter(
          (attempt): attempt is PromiseFulfilledResult<OxenEditResponse> => attempt.status === 'fulfilled',
        )
        .map((attempt) => attempt.value);
      failures = attempts
        .filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected')
        .map((attempt) => attempt.reason as unknown);
    }
    if (responses.length === 0) throw failures[0];
    const warnings: EditWarning[] = [];
    if (failures.length > 0) {
      warnings.push({
        type: 'other',
        message: `${failures.length} of ${call.request.n} edit requests failed (${errorMessage(failures[0])}); the result holds the other ${responses.length}`,
      });
    }
    const images = responses.flatMap((response) =>
      response.images.map((item, index) => {
        if (item.url === undefined && item.b64_json === undefined) {
          throw new InvalidResponseError({
            message: 'oxen: an output image has neither url nor b64_json',
            provider: 'oxen',
            path: `images.${index}`,
          });
        }
        const mediaType = mediaTypeOf(item.url, plan.outputFormat);
        return createGeneratedImage({
          provider: 'oxen',
          ...(item.url !== undefined ? { url: item.url } : {}),
          ...(item.b64_json !== undefined ? { base64: item.b64_json } : {}),
          ...(mediaType ? { mediaType } : {}),
          http: call.http,
        });
      }),
    );
    const cost = plan.costPerImage
      ? { usd: roundUsd(plan.costPerImage.usd * images.length), source: 'estimated' as const }
      : undefined;
    return {
      images,
      ...(cost ? { cost } : {}),
      warnings,
      raw: responses.length === 1 ? responses[0] : responses,
    };
  }

  async function submit(call: ProviderCall<OxenEditPlan>): Promise<ProviderJobSubmission> {
    const plan = planOf(call.plan);
    const base = await encodeOxenBody(plan, { mode: 'queue' });
    // Subscribe before enqueueing: Oxen's stream does not replay, and a fast job can finish first.
    const release =
      plan.mode === 'sse' ? await events().hold({ http: call.http, signal: call.signal }) : undefined;
    const generationIds: string[] = [];
    const raws: unknown[] = [];
    try {
      for (const count of splitGenerations(call.request.n)) {
        const enqueued = await enqueue({
          http: call.http,
          body: withGenerations(base, count),
          signal: call.signal,
        });
        generationIds.push(...enqueued.generationIds);
        raws.push(enqueued.raw);
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
    contexts.remember(generationIds, {
      modelId: plan.modelId,
      outputFormat: plan.outputFormat,
      costPerImage: plan.costPerImage,
      responseFormat: plan.responseFormat,
      reportCost: plan.reportCost,
    });
    // The plan's warnings were reported by prepare.
    return { jobId: joinJobId(generationIds), warnings: [], raw: raws.length === 1 ? raws[0] : raws };
  }

  async function status(jobId: string, context: ProviderContext): Promise<ProviderJobStatus> {
    const rows = await Promise.all(
      splitJobId(jobId).map((generationId) =>
        readGeneration({ http: context.http, generationId, signal: context.signal }),
      ),
    );
    for (const row of rows) {
      // Kept for a completion event, which says nothing of when the work began.
      const startedAt = oxenTimeToEpochMs(row.started_at);
      if (row.status === 'processing' && startedAt !== undefined) {
        contexts.noteStarted(row.generation_id, startedAt);
      }
    }
    return foldGenerations({
      parts: rows.map(partFromRow),
      contexts,
      reportCost: settings.reportCost,
      http: context.http,
      signal: context.signal,
    });
  }

  function watch(jobId: string, options: WatchOptions): JobWatch {
    // A job resumed from a snapshot comes without its request: the provider's own mode decides.
    if (oxenModeOf({ request: options.request, fallback: settings.mode }) !== 'sse') return NOT_WATCHED;
    const generationIds = splitJobId(jobId);
    const listener = events();
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
            partFromEvent({ event, startedAt: contexts.startedAt(event.generation_id) }),
          ),
          contexts,
          reportCost: settings.reportCost,
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

  async function cancel(jobId: string, context: ProviderContext): Promise<void> {
    const generationIds = splitJobId(jobId);
    const results = await Promise.allSettled(
      generationIds.map((generationId) =>
        cancelGeneration({ http: context.http, generationId, signal: context.signal }),
      ),
    );
    // Oxen sends no event for a cancelled job: a wait on it reads its status now.
    stream?.check(generationIds);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure && results.every((result) => result.status === 'rejected')) throw failure.reason;
  }

  return {
    prefersJobs: (request, plan) =>
      (plan?.mode ?? oxenModeOf({ request, fallback: settings.mode })) !== 'sync',

    async prepare(request, context) {
      // A request that is wrong whatever the model is refused before the schema lookup, a network call.
      const providerOptions = await checkOxenRequest(request);
      const spec = await catalog.spec(request.modelId, context);
      const plan = planOxenEdit({
        request,
        providerOptions,
        spec,
        mode: settings.mode,
        targetNamespace: settings.targetNamespace,
        reportCost: settings.reportCost,
      });
      return { plan, warnings: [...plan.warnings] };
    },

    edit: editSync,
    submit,
    status,
    watch,
    cancel,

    async estimateCost({ request, plan }) {
      const { costPerImage } = planOf(plan);
      return costPerImage ? { usd: roundUsd(costPerImage.usd * request.n), source: 'estimated' } : undefined;
    },

    async capabilities(modelId, context) {
      const spec = await catalog.spec(modelId, context);
      return spec.source === 'unknown' ? undefined : capabilitiesOf(spec);
    },

    async listModels(context) {
      const specs = await catalog.list(context);
      return specs.map(modelInfoOf);
    },

    async close() {
      const closing = stream;
      stream = undefined;
      await closing?.close();
    },
  };
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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
