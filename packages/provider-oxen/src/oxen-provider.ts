import {
  type Cost,
  createGeneratedImage,
  createHttpClient,
  type EditWarning,
  type GeneratedImage,
  type HttpClient,
  InvalidRequestError,
  InvalidResponseError,
  JobCancelledError,
  loadApiKey,
  type ModelCapabilities,
  type ModelInfo,
  mediaTypeForFormat,
  type NormalizedEditRequest,
  type PreparedEdit,
  type ProviderAdapter,
  type ProviderCall,
  type ProviderEditOutput,
  type ProviderJobStatus,
  type ProviderJobSubmission,
  RetouchError,
  roundUsd,
  type WaitForCompletionOptions,
} from '@retouch/core';
import {
  type OxenEditResponse,
  type OxenGenerationStatus,
  oxenEditResponseSchema,
  oxenTimeToEpochMs,
} from './oxen-api.ts';
import {
  checkOxenRequest,
  encodeOxenBody,
  type OxenEditPlan,
  type OxenMode,
  oxenModeOf,
  planOxenEdit,
} from './oxen-edit-model.ts';
import { failedGenerationError, parseOxenErrorBody, refineOxenError } from './oxen-error.ts';
import { type OxenCompletion, OxenEventStream, type OxenEventStreamOptions } from './oxen-events.ts';
import { capabilitiesOf, modelInfoOf, OxenModelCatalog } from './oxen-models.ts';
import {
  cancelGeneration,
  enqueue,
  joinJobId,
  pollUntilTerminal,
  readGeneration,
  readGenerationCost,
  splitGenerations,
  splitJobId,
} from './oxen-queue.ts';

export type { OxenMode } from './oxen-edit-model.ts';

/** Options of {@link createOxen}. */
export interface OxenProviderSettings {
  /**
   * The Oxen API key. Read from `OXEN_API_KEY` when omitted, at first use (creating the provider
   * never throws for a missing key).
   */
  apiKey?: string;
  /**
   * Oxen's API origin. Only this origin ever receives the key.
   * @default 'https://hub.oxen.ai'
   */
  baseURL?: string;
  /** The Oxen namespace (user or organization) billed and storing results. @default the key's owner */
  targetNamespace?: string;
  /**
   * How edits run. `sse` never holds a request open for the length of a model run (so a slow
   * model cannot hit an HTTP timeout), learns of completion as soon as Oxen announces it, and
   * costs one connection however many jobs wait, where `queue` costs a read per job every few
   * seconds. `sync` suits one quick edit where a long-lived connection is unwanted. One request
   * may choose another mode with `providerOptions.oxen.mode`.
   * @default 'sse'
   */
  mode?: OxenMode;
  /**
   * First interval between status reads in `queue` mode (it backs off by half each round up to
   * `maxPollIntervalMs`), and the interval of status reads in `sse` mode while the stream is down.
   * @default 2000
   */
  pollIntervalMs?: number;
  /**
   * Longest interval between status reads in `queue` mode.
   * @default 10000
   */
  maxPollIntervalMs?: number;
  /** A `fetch` implementation, e.g. for a proxy. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request to Oxen. */
  headers?: Record<string, string>;
  /** Throw `UnsupportedFeatureError` instead of warning when the model cannot honour an option. @default false */
  strict?: boolean;
  /**
   * Read the billed cost of each queued job from `GET /api/ai/generations/{id}` (one read per output);
   * otherwise the cost is estimated from the model's published prices.
   * @default false
   */
  reportCost?: boolean;
  /**
   * The longest a `sync` request may wait for its response (Oxen answers only when the model is done).
   * @default 600000
   */
  syncTimeoutMs?: number;
  /** Tuning of the shared event stream used in `sse` mode. */
  events?: OxenEventStreamOptions;
}

/**
 * The Oxen.ai provider: a Retouch {@link ProviderAdapter} plus the model catalogue.
 *
 * @example
 * const result = await createRetouch({ providers: [oxen] }).edit({
 *   model: 'oxen:qwen-image-edit',
 *   prompt: 'Make the background blue',
 *   images: ['https://example.com/my-photo.jpg'],
 * });
 */
export interface OxenProvider extends ProviderAdapter {
  readonly id: 'oxen';
  /** The mode edits run in, unless a request sets `providerOptions.oxen.mode`. */
  readonly mode: OxenMode;
  /** False for a request that runs in `sync` mode (its own or the provider's), true otherwise. */
  readonly prefersJobs: (request: NormalizedEditRequest) => boolean;
  readonly pollIntervalMs: number;
  /** The edit-capable models (`GET /api/ai/models`), with their parameters and prices. */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
  prepare(request: NormalizedEditRequest, options: { signal?: AbortSignal }): Promise<PreparedEdit>;
  submit(call: ProviderCall): Promise<ProviderJobSubmission>;
  status(jobId: string, options: { signal?: AbortSignal }): Promise<ProviderJobStatus>;
  /**
   * Resolves when the job ends: from the event stream when the job's request ran in `sse` mode, by
   * polling otherwise. Without `request` (a resumed job) the provider's own mode decides.
   */
  waitForCompletion(jobId: string, options: WaitForCompletionOptions): Promise<ProviderJobStatus>;
  cancel(jobId: string, options: { signal?: AbortSignal }): Promise<void>;
  estimateCost(request: NormalizedEditRequest, options: { signal?: AbortSignal }): Promise<Cost | undefined>;
  capabilities(modelId: string, options: { signal?: AbortSignal }): Promise<ModelCapabilities | undefined>;
  /**
   * Closes the event stream and its timers (jobs still waiting on it reject), so the process can exit.
   * The provider stays usable: a later job opens a new stream.
   */
  close(): Promise<void>;
}

const DEFAULT_BASE_URL = 'https://hub.oxen.ai';
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000;
const DEFAULT_SYNC_TIMEOUT_MS = 10 * 60_000;
const MAX_JOB_CONTEXTS = 10_000;

/** What this process knows of a generation it enqueued, beyond what Oxen's status row says. */
interface JobContext {
  modelId: string;
  outputFormat: string | undefined;
  costPerImage: Cost | undefined;
  responseFormat: 'url' | 'b64_json';
  reportCost: boolean;
}

/** One generation's state, from a status row or a completion event. */
interface GenerationPart {
  generationId: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';
  url?: string | undefined;
  error?: string | undefined;
  modelId?: string | undefined;
  outputFormat?: string | undefined;
  startedAt?: number | undefined;
  completedAt?: number | undefined;
  raw: unknown;
}

/**
 * Creates an Oxen.ai provider.
 *
 * @example
 * import { createOxen } from '@retouch/provider-oxen';
 * const oxen = createOxen({ mode: 'queue', targetNamespace: 'my-org' });
 */
export function createOxen(settings: OxenProviderSettings = {}): OxenProvider {
  const mode = settings.mode ?? 'sse';
  if (mode !== 'sync' && mode !== 'queue' && mode !== 'sse') {
    throw new RetouchError({
      message: `createOxen: mode must be "sse", "queue" or "sync", not ${JSON.stringify(mode)}`,
    });
  }
  const pollIntervalMs = positive('pollIntervalMs', settings.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS);
  const maxPollIntervalMs = Math.max(
    pollIntervalMs,
    positive('maxPollIntervalMs', settings.maxPollIntervalMs, DEFAULT_MAX_POLL_INTERVAL_MS),
  );
  const syncTimeoutMs = positive('syncTimeoutMs', settings.syncTimeoutMs, DEFAULT_SYNC_TIMEOUT_MS);
  const baseURL = settings.baseURL ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/]/i.test(baseURL) || !URL.canParse(baseURL)) {
    throw new RetouchError({
      message: `createOxen: baseURL must be an http(s) URL such as "${DEFAULT_BASE_URL}"`,
    });
  }
  const strict = settings.strict ?? false;

  let client: HttpClient | undefined;
  const http = (): HttpClient => {
    client ??= createHttpClient({
      provider: 'oxen',
      baseURL,
      apiKey: loadApiKey({
        apiKey: settings.apiKey,
        environmentVariable: 'OXEN_API_KEY',
        description: 'Oxen.ai',
        factory: 'createOxen',
      }),
      apiKeyEnvVar: 'OXEN_API_KEY',
      parseErrorBody: parseOxenErrorBody,
      ...(settings.headers ? { headers: settings.headers } : {}),
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
    });
    return client;
  };
  const catalog = new OxenModelCatalog({ http });
  let stream: OxenEventStream | undefined;
  // Counts close() calls, so an edit whose enqueue was in flight when the provider closed fails like
  // the edits already waiting, instead of quietly opening a new stream after the close.
  let closings = 0;
  const events = (): OxenEventStream => {
    stream ??= new OxenEventStream({ ...settings.events, http, pollIntervalMs });
    return stream;
  };
  const contexts = new Map<string, JobContext>();

  // The dispatcher hands one request object to prepare, estimateCost and the edit: it is planned once.
  // Only finished plans are kept, so an aborted schema read is not remembered.
  const plans = new WeakMap<NormalizedEditRequest, OxenEditPlan>();

  async function plan(
    request: NormalizedEditRequest,
    signal: AbortSignal | undefined,
  ): Promise<OxenEditPlan> {
    const known = plans.get(request);
    if (known) return known;
    // A request that is wrong whatever the model is refused before the schema lookup, a network call.
    checkOxenRequest(request);
    const spec = await catalog.spec(request.modelId, { signal });
    const planned = planOxenEdit({
      request,
      spec,
      strict,
      targetNamespace: settings.targetNamespace,
      reportCost: settings.reportCost,
    });
    plans.set(request, planned);
    return planned;
  }

  function remember(generationIds: readonly string[], context: JobContext): void {
    for (const id of generationIds) {
      contexts.delete(id);
      contexts.set(id, context);
    }
    while (contexts.size > MAX_JOB_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  }

  async function editSync(call: ProviderCall): Promise<ProviderEditOutput> {
    const edit = await plan(call.request, call.signal);
    const body = await encodeOxenBody(edit, { mode: 'edit' });
    const timeoutMs =
      call.deadline === undefined
        ? syncTimeoutMs
        : Math.max(1, Math.min(syncTimeoutMs, call.deadline - Date.now()));
    // Oxen's edit endpoint makes one image per request (its `n` is in the older OpenAPI fragment only).
    const attempts = await Promise.allSettled(
      Array.from({ length: call.request.n }, async () => {
        try {
          const response = await http().request({
            method: 'POST',
            path: '/api/ai/images/edit',
            json: body,
            schema: oxenEditResponseSchema,
            signal: call.signal,
            timeoutMs,
          });
          return response.data;
        } catch (error) {
          throw refineOxenError(error);
        }
      }),
    );
    const responses = attempts
      .filter(
        (attempt): attempt is PromiseFulfilledResult<OxenEditResponse> => attempt.status === 'fulfilled',
      )
      .map((attempt) => attempt.value);
    const failures = attempts.filter((attempt) => attempt.status === 'rejected');
    if (responses.length === 0) throw (failures[0] as PromiseRejectedResult).reason;
    const warnings: EditWarning[] = [...edit.warnings];
    if (failures.length > 0) {
      warnings.push({
        type: 'other',
        message: `${failures.length} of ${call.request.n} edit requests failed (${errorMessage((failures[0] as PromiseRejectedResult).reason)}); the result holds the other ${responses.length}`,
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
        const mediaType = mediaTypeOf(item.url, edit.outputFormat);
        return createGeneratedImage({
          provider: 'oxen',
          ...(item.url !== undefined ? { url: item.url } : {}),
          ...(item.b64_json !== undefined ? { base64: item.b64_json } : {}),
          ...(mediaType ? { mediaType } : {}),
          http: http(),
        });
      }),
    );
    const cost = edit.costPerImage
      ? { usd: roundUsd(edit.costPerImage.usd * images.length), source: 'estimated' as const }
      : undefined;
    return {
      images,
      ...(cost ? { cost } : {}),
      warnings,
      raw: responses.length === 1 ? responses[0] : responses,
    };
  }

  async function submit(call: ProviderCall): Promise<ProviderJobSubmission> {
    const edit = await plan(call.request, call.signal);
    const base = await encodeOxenBody(edit, { mode: 'queue' });
    const chunks = splitGenerations(call.request.n);
    // Subscribe before enqueueing: Oxen's stream does not replay, and a fast job can finish first.
    const listener = oxenModeOf({ request: call.request, fallback: mode }) === 'sse' ? events() : undefined;
    const release = listener ? await listener.hold(call.signal) : undefined;
    const generationIds: string[] = [];
    const raws: unknown[] = [];
    try {
      for (const count of chunks) {
        const enqueued = await enqueue({
          http: http(),
          body: withGenerations(base, count),
          signal: call.signal,
        });
        generationIds.push(...enqueued.generationIds);
        raws.push(enqueued.raw);
      }
    } catch (error) {
      // A split request is all or nothing: what was already queued would bill for a failed edit.
      await Promise.allSettled(
        generationIds.map((generationId) => cancelGeneration({ http: http(), generationId })),
      );
      release?.();
      throw error;
    }
    remember(generationIds, {
      modelId: edit.modelId,
      outputFormat: edit.outputFormat,
      costPerImage: edit.costPerImage,
      responseFormat: edit.responseFormat,
      reportCost: edit.reportCost,
    });
    listener?.watch(generationIds);
    release?.();
    return {
      jobId: joinJobId(generationIds),
      warnings: [...edit.warnings],
      raw: raws.length === 1 ? raws[0] : raws,
    };
  }

  async function status(jobId: string, options: { signal?: AbortSignal }): Promise<ProviderJobStatus> {
    const generationIds = parseJobId(jobId);
    const rows = await Promise.all(
      generationIds.map((generationId) =>
        readGeneration({ http: http(), generationId, signal: options.signal }),
      ),
    );
    return aggregate(rows.map(partFromRow), options.signal);
  }

  async function waitForCompletion(
    jobId: string,
    options: WaitForCompletionOptions,
  ): Promise<ProviderJobStatus> {
    const generationIds = parseJobId(jobId);
    const jobMode = options.request ? oxenModeOf({ request: options.request, fallback: mode }) : mode;
    if (jobMode === 'sse') {
      const completions = await Promise.all(
        generationIds.map((generationId) => events().wait(generationId, { signal: options.signal })),
      );
      return aggregate(completions.map(partFromCompletion), options.signal);
    }
    let last: ProviderJobStatus['state'] | undefined;
    const rows = await pollUntilTerminal({
      http: http(),
      generationIds,
      intervalMs: pollIntervalMs,
      maxIntervalMs: maxPollIntervalMs,
      signal: options.signal,
      deadline: options.deadline,
      onStatus: (statuses) => {
        if (!options.onStatus) return;
        const parts = [...statuses.values()];
        if (parts.length < generationIds.length) return;
        const state = parts.some((row) => row.status === 'processing') ? 'running' : 'queued';
        if (parts.every((row) => row.status === 'queued' || row.status === 'processing') && state !== last) {
          last = state;
          options.onStatus({ state, raw: parts.length === 1 ? parts[0] : parts });
        }
      },
    });
    return aggregate(
      generationIds.map((id) => partFromRow(rows.get(id)!)),
      options.signal,
    );
  }

  async function cancel(jobId: string, options: { signal?: AbortSignal }): Promise<void> {
    const generationIds = parseJobId(jobId);
    const results = await Promise.allSettled(
      generationIds.map((generationId) =>
        cancelGeneration({ http: http(), generationId, signal: options.signal }),
      ),
    );
    const failure = results.find((result) => result.status === 'rejected');
    // Oxen sends no event for a cancelled job: read its status so a waiting caller settles now.
    if (stream) void stream.recheck(generationIds);
    if (failure && results.every((result) => result.status === 'rejected')) throw failure.reason;
  }

  /** Folds the generations of one job into one status: succeeded when any image was made. */
  async function aggregate(
    parts: GenerationPart[],
    signal: AbortSignal | undefined,
  ): Promise<ProviderJobStatus> {
    const raw = parts.length === 1 ? parts[0]!.raw : parts.map((part) => part.raw);
    if (parts.some((part) => part.status === 'queued' || part.status === 'processing')) {
      return { state: parts.some((part) => part.status === 'processing') ? 'running' : 'queued', raw };
    }
    const succeeded = parts.filter((part) => part.status === 'succeeded');
    const failed = parts.filter((part) => part.status === 'failed');
    const cancelled = parts.filter((part) => part.status === 'cancelled');
    if (succeeded.length === 0) {
      const first = failed[0];
      if (first) {
        return {
          state: 'failed',
          error: failedGenerationError({
            generationId: first.generationId,
            providerMessage: first.error,
            modelId: first.modelId ?? contexts.get(first.generationId)?.modelId,
          }),
          raw,
        };
      }
      return { state: 'cancelled', raw };
    }
    const warnings: EditWarning[] = [];
    if (failed.length > 0 || cancelled.length > 0) {
      warnings.push({
        type: 'other',
        message: `${failed.length + cancelled.length} of ${parts.length} generations did not produce an image (${[
          ...failed.map((part) => `${part.generationId} failed: ${part.error ?? 'no reason given'}`),
          ...cancelled.map((part) => `${part.generationId} was cancelled`),
        ].join('; ')})`,
      });
    }
    const images = await Promise.all(succeeded.map((part) => imageOf(part, signal)));
    const cost = await costOf(succeeded, warnings, signal);
    const startedAt = minimum(succeeded.map((part) => part.startedAt));
    const completedAt = maximum(succeeded.map((part) => part.completedAt));
    return {
      state: 'succeeded',
      output: {
        images,
        ...(cost ? { cost } : {}),
        warnings,
        raw,
        jobId: joinJobId(parts.map((part) => part.generationId)),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(completedAt !== undefined ? { completedAt } : {}),
      },
    };
  }

  async function imageOf(part: GenerationPart, signal: AbortSignal | undefined): Promise<GeneratedImage> {
    if (!part.url) {
      throw new InvalidResponseError({
        message: `oxen: generation ${part.generationId} succeeded without a result URL`,
        provider: 'oxen',
        path: 'result_url',
      });
    }
    const context = contexts.get(part.generationId);
    const mediaType = mediaTypeOf(part.url, context?.outputFormat ?? part.outputFormat);
    if (context?.responseFormat === 'b64_json') {
      const downloaded = await http().download(part.url, signal ? { signal } : {});
      return createGeneratedImage({
        provider: 'oxen',
        base64: Buffer.from(downloaded.bytes).toString('base64'),
      });
    }
    return createGeneratedImage({
      provider: 'oxen',
      url: part.url,
      ...(mediaType ? { mediaType } : {}),
      http: http(),
    });
  }

  async function costOf(
    parts: GenerationPart[],
    warnings: EditWarning[],
    signal: AbortSignal | undefined,
  ): Promise<Cost | undefined> {
    const contextsOf = parts.map((part) => contexts.get(part.generationId));
    const estimates = contextsOf.map((context) => context?.costPerImage);
    const estimated: Cost | undefined = estimates.every((estimate) => estimate !== undefined)
      ? {
          usd: roundUsd(estimates.reduce((total, estimate) => total + estimate!.usd, 0)),
          source: 'estimated',
        }
      : undefined;
    const report = contextsOf.some((context) => context?.reportCost) || settings.reportCost === true;
    if (!report) return estimated;
    try {
      const costs = await Promise.all(
        parts.map((part) => readGenerationCost({ http: http(), generationId: part.generationId, signal })),
      );
      if (costs.every((cost) => cost !== undefined)) {
        return { usd: roundUsd(costs.reduce((total, cost) => total + cost!, 0)), source: 'reported' };
      }
      warnings.push({
        type: 'other',
        message: `Oxen has not reported the cost of every generation yet${estimated ? '; the cost is estimated from published prices' : ''}`,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      warnings.push({
        type: 'other',
        message: `the billed cost could not be read (${errorMessage(error)})${estimated ? '; the cost is estimated from published prices' : ''}`,
      });
    }
    return estimated;
  }

  function parseJobId(jobId: string): string[] {
    const ids = typeof jobId === 'string' ? splitJobId(jobId) : [];
    if (ids.length === 0) {
      throw new InvalidRequestError({
        issues: [{ path: 'jobId', message: 'an Oxen job id is one or more generation ids joined by commas' }],
      });
    }
    return ids;
  }

  const provider: OxenProvider = {
    id: 'oxen',
    specificationVersion: 1,
    mode,
    prefersJobs: (request) => oxenModeOf({ request, fallback: mode }) !== 'sync',
    pollIntervalMs,

    async prepare(request, options) {
      const edit = await plan(request, options.signal);
      return { warnings: [...edit.warnings] };
    },

    async edit(call) {
      if (oxenModeOf({ request: call.request, fallback: mode }) === 'sync') return editSync(call);
      const closingsAtStart = closings;
      const submission = await submit(call);
      let outcome: ProviderJobStatus;
      try {
        if (closings !== closingsAtStart) {
          throw new RetouchError({ message: 'oxen: the provider was closed while the job was waiting' });
        }
        outcome = await waitForCompletion(submission.jobId, { signal: call.signal, request: call.request });
      } catch (error) {
        if (call.signal.aborted || closings !== closingsAtStart) {
          // Nobody will collect the result: stop the job so it is not run (and billed) for nothing.
          await cancel(submission.jobId, {}).catch(() => undefined);
        }
        throw error;
      }
      if (outcome.state === 'succeeded') {
        return { ...outcome.output, warnings: [...submission.warnings, ...outcome.output.warnings] };
      }
      if (outcome.state === 'failed') throw outcome.error;
      throw new JobCancelledError({
        message: `oxen: job ${submission.jobId} was cancelled on Oxen before it finished`,
        provider: 'oxen',
        jobId: submission.jobId,
      });
    },

    submit,
    status,
    waitForCompletion,
    cancel,

    async estimateCost(request, options) {
      const edit = await plan(request, options.signal);
      if (!edit.costPerImage) return undefined;
      return { usd: roundUsd(edit.costPerImage.usd * request.n), source: 'estimated' };
    },

    async capabilities(modelId, options) {
      const spec = await catalog.spec(modelId, options);
      return spec.source === 'unknown' ? undefined : capabilitiesOf(spec);
    },

    async listModels(options = {}) {
      const specs = await catalog.list(options);
      return specs.map(modelInfoOf);
    },

    async close() {
      // The provider stays usable (the default instance may serve several clients in turn): a later
      // job opens a new stream.
      closings++;
      const closing = stream;
      stream = undefined;
      await closing?.close();
    },
  };
  return provider;
}

/** Rebuilds an enqueue body with `num_generations` after the images, where the documentation puts it. */
function withGenerations(base: Record<string, unknown>, count: number): Record<string, unknown> {
  if (count <= 1) return base;
  const { model, prompt, input_image, ...rest } = base;
  return { model, prompt, input_image, num_generations: count, ...rest };
}

function partFromRow(row: OxenGenerationStatus): GenerationPart {
  return {
    generationId: row.generation_id,
    status: row.status,
    url: row.result_url ?? undefined,
    error: row.error_message ?? undefined,
    modelId: row.model_name ?? undefined,
    outputFormat: typeof row.output_format === 'string' ? row.output_format : undefined,
    startedAt: oxenTimeToEpochMs(row.started_at),
    completedAt: oxenTimeToEpochMs(row.completed_at),
    raw: row,
  };
}

function partFromCompletion(completion: OxenCompletion): GenerationPart {
  if (completion.row) return partFromRow(completion.row);
  const event = 'event' in completion ? completion.event : undefined;
  return {
    generationId: completion.generationId,
    status: completion.status,
    url: completion.status === 'succeeded' ? completion.url : undefined,
    error: completion.status === 'failed' ? completion.error : undefined,
    modelId: event?.model,
    startedAt: 'startedAt' in completion ? completion.startedAt : undefined,
    raw: event ?? completion,
  };
}

/**
 * The media type of a result: the file name's extension when the URL has one (it names what Oxen
 * stored), else the output format asked for or the model's default.
 */
function mediaTypeOf(url: string | undefined, outputFormat: string | undefined): string | undefined {
  if (url !== undefined && URL.canParse(url) && /\.(png|jpe?g|webp|gif)$/i.test(new URL(url).pathname)) {
    return undefined;
  }
  return mediaTypeForFormat(outputFormat);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RetouchError({ message: `createOxen: ${name} must be a positive number of milliseconds` });
  }
  return value;
}

function minimum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.min(...present) : undefined;
}

function maximum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.max(...present) : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
