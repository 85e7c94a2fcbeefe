import {
  type Cost,
  createGeneratedImage,
  type EditWarning,
  type GeneratedImage,
  type HttpClient,
  InvalidRequestError,
  InvalidResponseError,
  mediaTypeForFormat,
  type ProviderJobStatus,
  roundUsd,
} from '@retouch/core';
import {
  loadOxenWire,
  OXEN_PATHS,
  type OxenCompletedEvent,
  type OxenGenerationStatus,
  oxenTimeToEpochMs,
} from './oxen-api.ts';
import { failedGenerationError, refineOxenError } from './oxen-error.ts';

/*
 * Oxen's async queue: enqueueing, reading and cancelling generations, and folding the generations of
 * one job into the one status the dispatcher reads. Every request goes through the `http` it is
 * given, the adapter's client bound to the provider's lane.
 */

/** Oxen's documented range of `num_generations` per enqueue (a newer spec says 12; the prose says 4). */
export const MAX_GENERATIONS_PER_ENQUEUE = 4;

/** Splits `n` outputs into enqueues of at most four: 6 → [4, 2]. */
export function splitGenerations(n: number): number[] {
  const chunks: number[] = [];
  for (let left = n; left > 0; left -= MAX_GENERATIONS_PER_ENQUEUE) {
    chunks.push(Math.min(left, MAX_GENERATIONS_PER_ENQUEUE));
  }
  return chunks;
}

/** Rebuilds an enqueue body with `num_generations` after the images, where the documentation puts it. */
export function withGenerations(base: Record<string, unknown>, count: number): Record<string, unknown> {
  if (count <= 1) return base;
  const { model, prompt, input_image, ...rest } = base;
  return { model, prompt, input_image, num_generations: count, ...rest };
}

/**
 * A Retouch job id for Oxen: the generation ids joined with commas, so a job of several enqueues
 * (n > 4) or several generations resumes from its id alone.
 */
export function joinJobId(generationIds: readonly string[]): string {
  return generationIds.join(',');
}

/** The generation ids inside a job id; throws `InvalidRequestError` for an id that holds none. */
export function splitJobId(jobId: string): string[] {
  const ids =
    typeof jobId === 'string'
      ? jobId
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== '')
      : [];
  if (ids.length === 0) {
    throw new InvalidRequestError({
      issues: [{ path: 'jobId', message: 'an Oxen job id is one or more generation ids joined by commas' }],
    });
  }
  return ids;
}

/** `POST /api/ai/queue`: enqueues one body; returns its generation ids. Billable, so never retried here. */
export async function enqueue(options: {
  http: HttpClient;
  body: Record<string, unknown>;
  signal: AbortSignal;
}): Promise<{ generationIds: string[]; raw: unknown }> {
  const { oxenEnqueueResponseSchema } = await loadOxenWire();
  try {
    const response = await options.http.request({
      method: 'POST',
      path: OXEN_PATHS.queue,
      json: options.body,
      schema: oxenEnqueueResponseSchema,
      signal: options.signal,
    });
    return {
      generationIds: response.data.generations.map((generation) => generation.generation_id),
      raw: response.data,
    };
  } catch (error) {
    throw refineOxenError(error);
  }
}

/** `GET /api/ai/queue/{id}`: a free read. */
export async function readGeneration(options: {
  http: HttpClient;
  generationId: string;
  signal: AbortSignal;
}): Promise<OxenGenerationStatus> {
  const { oxenGenerationStatusSchema } = await loadOxenWire();
  const response = await options.http.request({
    method: 'GET',
    path: OXEN_PATHS.queuedGeneration(options.generationId),
    schema: oxenGenerationStatusSchema,
    signal: options.signal,
  });
  return response.data;
}

/** `DELETE /api/ai/queue/{id}`. A finished generation is left as it is; an unknown id is a 404. */
export async function cancelGeneration(options: {
  http: HttpClient;
  generationId: string;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { oxenCancelResponseSchema } = await loadOxenWire();
  await options.http.request({
    method: 'DELETE',
    path: OXEN_PATHS.queuedGeneration(options.generationId),
    schema: oxenCancelResponseSchema,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** `GET /api/ai/generations/{id}` → the billed cost in USD, or `undefined` when Oxen has none yet. */
export async function readGenerationCost(options: {
  http: HttpClient;
  generationId: string;
  signal: AbortSignal;
}): Promise<number | undefined> {
  const { oxenGenerationRecordSchema } = await loadOxenWire();
  const response = await options.http.request({
    method: 'GET',
    path: OXEN_PATHS.generation(options.generationId),
    schema: oxenGenerationRecordSchema,
    signal: options.signal,
  });
  const cost = response.data.generation.cost;
  if (cost === null || cost === undefined || cost === '') return undefined;
  const usd = Number(cost);
  return Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}

/** What this process knows of a generation it enqueued, beyond what Oxen's status row says. */
export interface OxenJobContext {
  modelId: string;
  outputFormat: string | undefined;
  costPerImage: Cost | undefined;
  responseFormat: 'url' | 'b64_json';
  reportCost: boolean;
}

const MAX_REMEMBERED = 10_000;

/**
 * The context of the generations this process enqueued, and the `started_at` of generations read
 * while they ran (a completion event carries no times). Both are bounded, oldest forgotten first: a
 * job resumed without its context is folded from what Oxen's rows say and the provider's defaults.
 */
export class OxenJobContexts {
  readonly #contexts = new Map<string, OxenJobContext>();
  readonly #startedAt = new Map<string, number>();

  /** Records the context of generations just enqueued. */
  remember(generationIds: readonly string[], context: OxenJobContext): void {
    for (const id of generationIds) bounded(this.#contexts, id, context);
  }

  /** The context of a generation this process enqueued, if still remembered. */
  get(generationId: string): OxenJobContext | undefined {
    return this.#contexts.get(generationId);
  }

  /** Records when a generation started (epoch ms), from a status row read while it ran. */
  noteStarted(generationId: string, startedAt: number): void {
    bounded(this.#startedAt, generationId, startedAt);
  }

  /** When a generation started, if a status row said so. */
  startedAt(generationId: string): number | undefined {
    return this.#startedAt.get(generationId);
  }
}

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}

/** One generation's state, from a status row or a completion event. */
export interface GenerationPart {
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

/** A status row as a {@link GenerationPart}. */
export function partFromRow(row: OxenGenerationStatus): GenerationPart {
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

/** A completion event as a {@link GenerationPart}; its start time comes from an earlier status read. */
export function partFromEvent(options: {
  event: OxenCompletedEvent & { status: 'succeeded' | 'failed' };
  startedAt: number | undefined;
}): GenerationPart {
  const { event } = options;
  return {
    generationId: event.generation_id,
    status: event.status,
    url: event.status === 'succeeded' ? (event.url ?? undefined) : undefined,
    error: event.status === 'failed' ? (event.error ?? undefined) : undefined,
    modelId: event.model,
    startedAt: options.startedAt,
    raw: event,
  };
}

/**
 * Folds the generations of one job into one status: running while any runs, succeeded when any image
 * was made (with a warning for the others), failed or cancelled otherwise. A succeeded job's images are
 * built here, with the billed cost read when asked for and the bytes downloaded for `b64_json`, all
 * through `http`.
 */
export async function foldGenerations(options: {
  parts: GenerationPart[];
  contexts: OxenJobContexts;
  /** The provider's `reportCost`, for generations whose context is not remembered. */
  reportCost: boolean;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<ProviderJobStatus> {
  const { parts, contexts } = options;
  const raw = parts.length === 1 ? parts[0]!.raw : parts.map((part) => part.raw);
  if (parts.some((part) => part.status === 'queued' || part.status === 'processing')) {
    return { state: parts.some((part) => part.status === 'processing') ? 'running' : 'queued', raw };
  }
  const succeeded = parts.filter((part) => part.status === 'succeeded');
  const failed = parts.filter((part) => part.status === 'failed');
  const cancelled = parts.filter((part) => part.status === 'cancelled');
  if (succeeded.length === 0) {
    const first = failed[0];
    if (!first) return { state: 'cancelled', raw };
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
  const images = await Promise.all(succeeded.map((part) => imageOf({ ...options, part })));
  const cost = await costOf({ ...options, parts: succeeded, warnings });
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

async function imageOf(options: {
  part: GenerationPart;
  contexts: OxenJobContexts;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<GeneratedImage> {
  const { part, http } = options;
  if (!part.url) {
    throw new InvalidResponseError({
      message: `oxen: generation ${part.generationId} succeeded without a result URL`,
      provider: 'oxen',
      path: 'result_url',
    });
  }
  const context = options.contexts.get(part.generationId);
  if (context?.responseFormat === 'b64_json') {
    const downloaded = await http.download(part.url, { signal: options.signal });
    return createGeneratedImage({
      provider: 'oxen',
      bytes: downloaded.bytes,
    });
  }
  const mediaType = mediaTypeOf(part.url, context?.outputFormat ?? part.outputFormat);
  return createGeneratedImage({ provider: 'oxen', url: part.url, ...(mediaType ? { mediaType } : {}), http });
}

async function costOf(options: {
  parts: GenerationPart[];
  warnings: EditWarning[];
  contexts: OxenJobContexts;
  reportCost: boolean;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<Cost | undefined> {
  const { parts, warnings, signal } = options;
  const contexts = parts.map((part) => options.contexts.get(part.generationId));
  const estimates = contexts.map((context) => context?.costPerImage);
  const estimated: Cost | undefined = estimates.every((estimate) => estimate !== undefined)
    ? {
        usd: roundUsd(estimates.reduce((total, estimate) => total + estimate!.usd, 0)),
        source: 'estimated',
      }
    : undefined;
  const report = contexts.some((context) => context?.reportCost) || options.reportCost;
  if (!report) return estimated;
  const fallback = estimated ? '; the cost is estimated from published prices' : '';
  try {
    const costs = await Promise.all(
      parts.map((part) =>
        readGenerationCost({ http: options.http, generationId: part.generationId, signal }),
      ),
    );
    if (costs.every((cost) => cost !== undefined)) {
      return { usd: roundUsd(costs.reduce((total, cost) => total + cost!, 0)), source: 'reported' };
    }
    warnings.push({
      type: 'other',
      message: `Oxen has not reported the cost of every generation yet${fallback}`,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    warnings.push({
      type: 'other',
      message: `the billed cost could not be read (${error instanceof Error ? error.message : String(error)})${fallback}`,
    });
  }
  return estimated;
}

/**
 * The media type of a result: the file name's extension when the URL has one (it names what Oxen
 * stored), else the output format asked for or the model's default.
 */
export function mediaTypeOf(url: string | undefined, outputFormat: string | undefined): string | undefined {
  const parsed = url === undefined ? null : URL.parse(url);
  if (parsed !== null && /\.(png|jpe?g|webp|gif)$/i.test(parsed.pathname)) {
    return undefined;
  }
  return mediaTypeForFormat(outputFormat);
}

function minimum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.min(...present) : undefined;
}

function maximum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.max(...present) : undefined;
}
