/**
 * Oxen's routes, as one simulator: past the guide's 400 lines because it is a table of routes (sync
 * edits, the queue, generations, models, events, result files), each a few lines over the shared
 * server, validation and queue modules beside it.
 */
import { FileStore } from '../shared/file-store.ts';
import { ImageDownloadError, loadImageReference, type RemoteImagePolicy } from '../shared/image-source.ts';
import { type ImageSource, parseSize, renderEdit } from '../shared/image-transform.ts';
import { PendingTimers } from '../shared/pending-timers.ts';
import { defaultSchemaViolation, type ProviderProfile } from '../shared/provider-profile.ts';
import {
  providerSimulatorHandle,
  type Simulator,
  startProviderServer,
} from '../shared/provider-simulator.ts';
import type { RouteContext, RouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { isRecord, roundUsd } from '../shared/values.ts';
import { oxenError, oxenInvalidParams, oxenMessageError, oxenNotFound } from './oxen-errors.ts';
import { OxenEventHub } from './oxen-events.ts';
import {
  findOxenModel,
  type OxenModel,
  oxenImagePrice,
  oxenModels,
  serializeOxenModel,
} from './oxen-models.ts';
import { type OxenJob, type OxenJobInfo, type OxenJobTiming, OxenQueue, unixSeconds } from './oxen-queue.ts';
import { oxenInputImages, validateOxenParameters } from './oxen-validation.ts';

/**
 * Options of {@link startOxenSimulator}.
 *
 * @example
 * const sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 10 } });
 */
export interface OxenSimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-oxen-key' */
  apiKey?: string;
  /** The namespace billed when a request names no `target_namespace`. @default 'sim-user' */
  defaultNamespace?: string;
  /**
   * How long queued jobs wait and run: fixed times, or a function of the job.
   * @default { queuedMs: 10, processingMs: 50 }
   */
  jobSchedule?: Partial<OxenJobTiming> | ((job: OxenJobInfo) => Partial<OxenJobTiming>);
  /** Shorthand for `jobSchedule.processingMs`. */
  jobDurationMs?: number;
  /** How long a synchronous edit takes before it answers. @default 0 */
  syncEditDelayMs?: number;
  /** Interval of `: keep-alive` comments on idle event streams. @default 15000 */
  keepAliveIntervalMs?: number;
  /** Mix unrelated event types (`deployment_status`, `media_generation_progress`) into event streams. @default true */
  unrelatedEvents?: boolean;
  /** Lifetime of result URLs. @default 600000 (10 minutes) */
  resultTtlMs?: number;
  /** What to do with input URLs on other hosts (see {@link RemoteImagePolicy}). @default 'generate' */
  remoteImages?: RemoteImagePolicy;
  /** USD balance; when set, work that would exceed it is refused with `Insufficient credits`. */
  credits?: number;
  /** Largest JSON body, in bytes. @default 64 MiB */
  maxJsonBodyBytes?: number;
  /**
   * Called when a queued job succeeds or fails, just before its `media_generation_completed` event is
   * sent: the moment a client could learn of it at the earliest, which benchmarks measure lag from.
   */
  onJobFinished?: (job: { generationId: string; status: 'succeeded' | 'failed' }) => void;
}

/** Counters for tests and benchmarks. */
export interface OxenSimulatorCounters {
  /** `GET /api/events` streams ever opened. */
  eventStreamsOpened: number;
  /** Event streams open now. */
  eventStreamsOpen: number;
  /** `GET /api/ai/queue/{id}` reads. */
  statusReads: number;
  /** Jobs ever enqueued (one per generation). */
  jobsEnqueued: number;
}

/** A running Oxen simulator. */
export interface OxenSimulator extends Simulator {
  /** Requests accepted for paid work: synchronous edits that ran and enqueue requests. */
  readonly billableCount: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: OxenSimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount` and the counters (jobs are kept). */
  clearRequests(): void;
  /** The current status of a job, for assertions without an HTTP round trip. */
  jobStatus(generationId: string): string | undefined;
  /** Stops the server, ending streams, hung requests and timers. */
  close(): Promise<void>;
}

function resolveTiming(options: OxenSimulatorOptions): (job: OxenJobInfo) => OxenJobTiming {
  const defaults: OxenJobTiming = { queuedMs: 10, processingMs: options.jobDurationMs ?? 50 };
  const schedule = options.jobSchedule;
  if (typeof schedule === 'function') return (job) => ({ ...defaults, ...schedule(job) });
  return () => ({ ...defaults, ...schedule });
}

function jsonBody(context: RouteContext): Record<string, unknown> | RouteResult {
  const { body } = context;
  if (body.type === 'invalid-json') return oxenInvalidParams(`Malformed JSON body: ${body.message}`);
  if (body.type !== 'json' || !isRecord(body.value))
    return oxenInvalidParams('Request body must be a JSON object');
  return body.value;
}

function isResult(value: unknown): value is RouteResult {
  return isRecord(value) && 'status' in value && ('json' in value || 'raw' in value);
}

const oxenProfile: ProviderProfile = {
  unauthorized: () =>
    oxenError({
      status: 401,
      type: 'unauthenticated',
      title: 'Unauthenticated',
      detail: 'Invalid or missing API key',
    }),
  notFound: (path) => oxenNotFound(`No route for ${path}`),
  rateLimited: ({ retryAfterSeconds, retryAfterIn }) => {
    const result = oxenError({
      status: 429,
      type: 'rate_limited',
      title: 'Rate limit exceeded',
      detail: 'Rate limit exceeded',
    });
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'body')
      headers['retry-after'] = String(retryAfterSeconds);
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'header' && 'json' in result) {
      (result.json as Record<string, unknown>).retry_after = retryAfterSeconds;
    }
    return { ...result, headers };
  },
  retryAfterIn: 'header',
  serverError: (status) =>
    oxenError({
      status,
      type: 'unknown_error',
      title:
        status === 503 ? 'Service unavailable' : status === 502 ? 'Bad gateway' : 'Internal server error',
      detail: 'An unexpected error occurred',
    }),
  tooLarge: (message) =>
    oxenError({ status: 413, type: 'invalid_params', title: 'Payload too large', detail: message }),
  insufficientCredits: () => oxenInvalidParams('Insufficient credits'),
  malformedBody: (message) => oxenInvalidParams(message),
  violateSchema: (json, routeKey) => {
    if (routeKey === 'POST /api/ai/images/edit' && isRecord(json)) return { ...json, images: [{ href: 42 }] };
    if (routeKey === 'POST /api/ai/queue' && isRecord(json))
      return { generations: [{ id: 7, state: 'queued' }] };
    if (routeKey === 'GET /api/ai/queue/:id' && isRecord(json))
      return { ...json, status: 'complete', result_url: 17 };
    return defaultSchemaViolation(json);
  },
};

/**
 * Starts a local server speaking Oxen.ai's image-edit API: sync edits, the async queue, the event stream,
 * models and generations, with recording and fault injection.
 *
 * @example
 * const sim = await startOxenSimulator();
 * const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url });
 * // ... run the code under test ...
 * expect(sim.billableCount).toBe(1);
 * await sim.close();
 */
export async function startOxenSimulator(options: OxenSimulatorOptions = {}): Promise<OxenSimulator> {
  const apiKey = options.apiKey ?? 'sim-oxen-key';
  const defaultNamespace = options.defaultNamespace ?? 'sim-user';
  const remoteImages = options.remoteImages ?? 'generate';
  const fileStore = new FileStore({ ttlMs: options.resultTtlMs ?? 10 * 60 * 1000 });
  const events = new OxenEventHub({
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 15_000,
    unrelatedEvents: options.unrelatedEvents ?? true,
  });
  const counters = { statusReads: 0, jobsEnqueued: 0 };
  let credits = options.credits;
  const timers = new PendingTimers();

  const loadImages = async (urls: string[]): Promise<ImageSource[]> =>
    Promise.all(urls.map((reference) => loadImageReference({ reference, fileStore, remoteImages })));

  const render = async (renderOptions: {
    model: OxenModel;
    parameters: Record<string, unknown>;
    variant: number;
  }): Promise<Buffer> => {
    const [canvas, ...references] = await loadImages(oxenInputImages(renderOptions.parameters));
    const maskUrl = renderOptions.parameters.mask_url;
    const mask = typeof maskUrl === 'string' && maskUrl !== '' ? (await loadImages([maskUrl]))[0] : undefined;
    const { png } = renderEdit({
      canvas: canvas ?? { sha256: 'empty' },
      references,
      ...(mask === undefined ? {} : { mask }),
      maskConvention: 'white-edits',
      model: renderOptions.model.name,
      prompt: String(renderOptions.parameters.prompt ?? ''),
      variant: renderOptions.variant,
      ...(parseSize(renderOptions.parameters.resolution) === undefined
        ? {}
        : { size: parseSize(renderOptions.parameters.resolution)! }),
    });
    return png;
  };

  const spend = (amount: number): boolean => {
    if (credits === undefined) return true;
    if (credits < amount) return false;
    credits = roundUsd(credits - amount);
    return true;
  };

  const queue = new OxenQueue({
    timing: resolveTiming(options),
    run: async (job) => {
      if (job.failMessage !== undefined) throw new Error(job.failMessage);
      const model = findOxenModel(job.model)!;
      const problem = validateOxenParameters({ model, body: job.parameters });
      if (problem !== undefined) throw new Error(problem);
      let png: Buffer;
      try {
        png = await render({ model, parameters: job.parameters, variant: 0 });
      } catch (error) {
        if (error instanceof ImageDownloadError)
          throw new Error(`Error downloading input image: ${error.message}`);
        throw error;
      }
      if (!spend(job.price)) throw new Error('Insufficient credits');
      return fileStore.put({ bytes: png, missing: job.resultMissing });
    },
    onStarted: (job) => events.publishStarted({ generationId: job.id, model: job.model }),
    onFinished: (job) => {
      if (job.status === 'succeeded' || job.status === 'failed') {
        options.onJobFinished?.({ generationId: job.id, status: job.status });
      }
      if (job.status === 'succeeded') {
        events.publishCompleted({
          generation_id: job.id,
          status: 'succeeded',
          media_type: 'image',
          model: job.model,
          url: job.resultUrl,
        });
      } else if (job.status === 'failed') {
        events.publishCompleted({
          generation_id: job.id,
          status: 'failed',
          media_type: 'image',
          error: job.errorMessage,
        });
      }
    },
  });

  const jobView = (job: OxenJob) => ({
    ...job.parameters,
    generation_id: job.id,
    model_name: job.model,
    prompt: job.prompt,
    media_type: 'image',
    status: job.status,
    result_url: job.status === 'succeeded' ? job.resultUrl : null,
    error_message: job.status === 'failed' ? job.errorMessage : null,
    namespace: job.namespace,
    enqueued_at: job.enqueuedAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
  });

  const generationView = (job: OxenJob) => ({
    id: job.id,
    generation_id: job.id,
    model_name: job.model,
    prompt: job.prompt,
    media_type: 'image',
    status: job.status,
    namespace: job.namespace,
    result_url: job.status === 'succeeded' ? job.resultUrl : null,
    error_message: job.status === 'failed' ? job.errorMessage : null,
    // A decimal string, as Oxen reports money; unknown until the job finishes, zero unless it succeeded.
    cost:
      job.status === 'succeeded'
        ? job.price.toFixed(4)
        : job.status === 'queued' || job.status === 'processing'
          ? null
          : '0.0000',
    created_at: job.enqueuedAt,
    enqueued_at: job.enqueuedAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
  });

  const resolveModel = (body: Record<string, unknown>): OxenModel | RouteResult => {
    if (typeof body.model !== 'string' || body.model === '') return oxenInvalidParams('model is required');
    const model = findOxenModel(body.model);
    if (model === undefined)
      return oxenMessageError({ status: 404, message: `Model not found: ${body.model}` });
    if (!model.capabilities.output.includes('image')) {
      return oxenInvalidParams(`Model ${model.name} does not produce images`);
    }
    return model;
  };

  const modelParameters = (body: Record<string, unknown>): Record<string, unknown> => {
    const parameters: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body))
      if (key !== 'model' && key !== 'num_generations') parameters[key] = value;
    return parameters;
  };

  const routes: RouteDefinitions = {
    'POST /api/ai/images/edit': {
      handle: async (context) => {
        const body = jsonBody(context);
        if (isResult(body)) return body;
        const model = resolveModel(body);
        if (isResult(model)) return model;
        const responseFormat = body.response_format ?? 'url';
        if (responseFormat !== 'url' && responseFormat !== 'b64_json') {
          return oxenInvalidParams(
            `Invalid value for response_format: '${String(responseFormat)}'. Must be one of: url, b64_json`,
          );
        }
        const problem = validateOxenParameters({ model, body });
        if (problem !== undefined) return oxenInvalidParams(problem);
        const parameters = modelParameters(body);
        const price = oxenImagePrice({ model, parameters });
        if (credits !== undefined && credits < price) return oxenInvalidParams('Insufficient credits');
        let png: Buffer;
        try {
          png = await render({ model, parameters, variant: 0 });
        } catch (error) {
          if (!(error instanceof ImageDownloadError)) throw error;
          return oxenError({
            status: 400,
            type: 'invalid_params',
            title: 'Could not download input image',
            detail: `Error downloading input image: ${error.message}`,
          });
        }
        context.markBillable();
        const namespace =
          typeof body.target_namespace === 'string' ? body.target_namespace : defaultNamespace;
        if (context.fault?.kind === 'job-never-finishes') return { hang: true };
        await timers.delay(options.syncEditDelayMs ?? 0);
        const now = unixSeconds();
        // A synchronous edit is listed among the generations like a queued one, finished the moment it answers.
        const recordSyncJob = (
          outcome: { status: 'succeeded'; resultUrl: string } | { status: 'failed'; message: string },
        ) =>
          queue.record({
            model: model.name,
            prompt: typeof body.prompt === 'string' ? body.prompt : null,
            namespace,
            status: outcome.status,
            resultUrl: outcome.status === 'succeeded' ? outcome.resultUrl : null,
            errorMessage: outcome.status === 'failed' ? outcome.message : null,
            enqueuedAt: now,
            startedAt: now,
            completedAt: now,
            parameters,
            price,
            source: 'sync',
            neverFinishes: false,
            failMessage: outcome.status === 'failed' ? outcome.message : undefined,
            resultMissing: false,
          });
        if (context.fault?.kind === 'job-fails') {
          const message = context.fault.message ?? 'Insufficient credits';
          recordSyncJob({ status: 'failed', message });
          return oxenError({
            status: 500,
            type: 'unknown_error',
            title: 'Generation failed',
            detail: message,
          });
        }
        spend(price);
        const url = fileStore.put({ bytes: png, missing: context.fault?.kind === 'result-404' });
        recordSyncJob({ status: 'succeeded', resultUrl: url });
        const image = responseFormat === 'b64_json' ? { b64_json: png.toString('base64') } : { url };
        return { status: 200, json: { model: model.name, created: now, images: [image] } };
      },
    },
    'POST /api/ai/queue': {
      handle: (context) => {
        const body = jsonBody(context);
        if (isResult(body)) return body;
        const model = resolveModel(body);
        if (isResult(model)) return model;
        const count = body.num_generations ?? 1;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4) {
          return oxenInvalidParams(
            `num_generations must be an integer between 1 and 4, got ${JSON.stringify(count)}`,
          );
        }
        const parameters = modelParameters(body);
        const price = oxenImagePrice({ model, parameters });
        if (credits !== undefined && credits < price * count)
          return oxenInvalidParams('Insufficient credits');
        context.markBillable();
        const namespace =
          typeof body.target_namespace === 'string' ? body.target_namespace : defaultNamespace;
        const fault = context.fault;
        const generations = Array.from({ length: count }, (_, index) => {
          counters.jobsEnqueued += 1;
          const job = queue.enqueue({
            model: model.name,
            parameters,
            namespace,
            price,
            index,
            neverFinishes: fault?.kind === 'job-never-finishes',
            failMessage: fault?.kind === 'job-fails' ? (fault.message ?? 'Insufficient credits') : undefined,
            resultMissing: fault?.kind === 'result-404',
          });
          return { generation_id: job.id, status: 'queued' };
        });
        return { status: 200, json: { generations } };
      },
    },
    'GET /api/ai/queue': {
      handle: (context) => {
        const query = context.url.searchParams;
        const statuses = query
          .get('status')
          ?.split(',')
          .filter((status) => status !== '') ?? ['queued', 'processing'];
        const generations = [...queue.jobs.values()]
          .filter((job) => job.source === 'queue')
          .filter((job) => statuses.includes(job.status))
          .filter((job) => !query.has('namespace') || job.namespace === query.get('namespace'))
          .filter((job) => !query.has('model') || job.model === query.get('model'))
          .filter(() => !query.has('media_type') || query.get('media_type') === 'image')
          .filter((job) => !query.has('repo') || job.parameters.repo === query.get('repo'))
          .filter((job) => !query.has('folder') || job.parameters.folder === query.get('folder'))
          .map(jobView);
        return { status: 200, json: { count: generations.length, generations } };
      },
    },
    'GET /api/ai/queue/:id': {
      handle: (context) => {
        counters.statusReads += 1;
        const job = queue.jobs.get(context.params.id!);
        if (job === undefined || job.source !== 'queue') {
          return oxenNotFound(`Generation ${context.params.id} not found`);
        }
        return { status: 200, json: jobView(job) };
      },
    },
    'DELETE /api/ai/queue/:id': {
      handle: (context) => {
        const job = queue.jobs.get(context.params.id!);
        if (job === undefined || job.source !== 'queue') {
          return oxenNotFound(`Generation ${context.params.id} not found`);
        }
        queue.cancel(job);
        return { status: 200, json: { status: 'success', generation_id: job.id } };
      },
    },
    'GET /api/ai/generations': {
      handle: (context) => {
        const query = context.url.searchParams;
        const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
        const pageSize = Math.min(1000, Math.max(1, Number(query.get('page_size') ?? '100') || 100));
        const all = [...queue.jobs.values()].reverse();
        const totalCost = all.reduce((sum, job) => sum + (job.status === 'succeeded' ? job.price : 0), 0);
        const rows = all.slice((page - 1) * pageSize, page * pageSize).map(generationView);
        return {
          status: 200,
          json: {
            status: 'success',
            status_message: 'resource_found',
            count: rows.length,
            generations: rows,
            total_cost: totalCost.toFixed(4),
            page_number: page,
            page_size: pageSize,
            total_entries: all.length,
            total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
          },
        };
      },
    },
    'GET /api/ai/generations/:id': {
      handle: (context) => {
        const job = queue.jobs.get(context.params.id!);
        if (job === undefined) return oxenNotFound(`Generation ${context.params.id} not found`);
        return {
          status: 200,
          json: { status: 'success', status_message: 'resource_found', generation: generationView(job) },
        };
      },
    },
    'GET /api/ai/models': {
      handle: (context) => {
        const query = context.url.searchParams;
        const data = oxenModels
          .filter(
            (model) => !query.has('developer_name') || model.developer_name === query.get('developer_name'),
          )
          .filter(
            (model) => !query.has('provider_name') || model.provider_name === query.get('provider_name'),
          )
          .filter((model) => !query.has('action') || model.action === query.get('action'))
          .map(serializeOxenModel);
        return { status: 200, json: { object: 'list', data } };
      },
    },
    'GET /api/ai/models/:name': {
      handle: (context) => {
        const model = findOxenModel(context.params.name!);
        if (model === undefined)
          return oxenMessageError({ status: 404, message: `Model not found: ${context.params.name}` });
        return { status: 200, json: serializeOxenModel(model) };
      },
    },
    'GET /api/events': {
      handle: (context) => {
        events.open({ response: context.response, dropBeforeCompletion: context.fault?.kind === 'sse-drop' });
        context.record.status = 200;
        return { streaming: true };
      },
    },
  };

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [routes],
    profile: oxenProfile,
    fileStore,
    timers,
    maxJsonBodyBytes: options.maxJsonBodyBytes,
    maxMultipartBodyBytes: 64 * 1024 * 1024,
    onClose: () => {
      queue.close();
      events.close();
    },
  });

  return providerSimulatorHandle({
    server,
    apiKey,
    credits: () => credits,
    onClearRequests: () => {
      events.opened = 0;
      counters.statusReads = 0;
      counters.jobsEnqueued = 0;
    },
    extra: {
      counters: {
        get eventStreamsOpened() {
          return events.opened;
        },
        get eventStreamsOpen() {
          return events.openCount;
        },
        get statusReads() {
          return counters.statusReads;
        },
        get jobsEnqueued() {
          return counters.jobsEnqueued;
        },
      },
      jobStatus: (generationId: string) => queue.jobs.get(generationId)?.status,
    },
  });
}
