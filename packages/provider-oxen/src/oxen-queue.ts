import { ApiCallError, type HttpClient, TimeoutError } from '@retouch/core';
import {
  type OxenGenerationStatus,
  type OxenJobStatus,
  oxenCancelResponseSchema,
  oxenEnqueueResponseSchema,
  oxenGenerationRecordSchema,
  oxenGenerationStatusSchema,
  oxenQueueListSchema,
} from './oxen-api.ts';
import { refineOxenError } from './oxen-error.ts';
import { sleep } from './oxen-timers.ts';

/** Oxen's documented range of `num_generations` per enqueue (a newer spec says 12; the prose says 4). */
export const MAX_GENERATIONS_PER_ENQUEUE = 4;

/** Statuses after which a generation never changes. */
export const TERMINAL_STATUSES: ReadonlySet<OxenJobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Splits `n` outputs into enqueues of at most four: 6 → [4, 2]. */
export function splitGenerations(n: number): number[] {
  const chunks: number[] = [];
  for (let left = n; left > 0; left -= MAX_GENERATIONS_PER_ENQUEUE) {
    chunks.push(Math.min(left, MAX_GENERATIONS_PER_ENQUEUE));
  }
  return chunks;
}

/**
 * A Retouch job id for Oxen: the generation ids joined with commas, so a job of several enqueues
 * (n > 4) or several generations resumes from its id alone.
 */
export function joinJobId(generationIds: readonly string[]): string {
  return generationIds.join(',');
}

/** The generation ids inside a job id. */
export function splitJobId(jobId: string): string[] {
  return jobId
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** `POST /api/ai/queue`: enqueues one body; returns its generation ids. Billable, so never retried here. */
export async function enqueue(options: {
  http: HttpClient;
  body: Record<string, unknown>;
  signal?: AbortSignal | undefined;
}): Promise<{ generationIds: string[]; raw: unknown }> {
  try {
    const response = await options.http.request({
      method: 'POST',
      path: '/api/ai/queue',
      json: options.body,
      schema: oxenEnqueueResponseSchema,
      ...(options.signal ? { signal: options.signal } : {}),
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
  signal?: AbortSignal | undefined;
  /** This read's own timeout; the HTTP client's per-attempt timeout when absent. */
  timeoutMs?: number | undefined;
}): Promise<OxenGenerationStatus> {
  const response = await options.http.request({
    method: 'GET',
    path: `/api/ai/queue/${encodeURIComponent(options.generationId)}`,
    schema: oxenGenerationStatusSchema,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return response.data;
}

/**
 * `GET /api/ai/queue`: the ids of the caller's active (queued or processing) generations, or
 * `undefined` when the listing is unavailable. One read tells which of many watched jobs finished.
 */
export async function listActiveGenerations(options: {
  http: HttpClient;
  signal?: AbortSignal | undefined;
}): Promise<Map<string, string | undefined> | undefined> {
  try {
    const response = await options.http.request({
      method: 'GET',
      path: '/api/ai/queue',
      schema: oxenQueueListSchema,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return new Map(
      response.data.generations.map((generation) => [generation.generation_id, generation.status]),
    );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return undefined;
  }
}

/** `DELETE /api/ai/queue/{id}`. A finished generation is left as it is; an unknown id is a 404. */
export async function cancelGeneration(options: {
  http: HttpClient;
  generationId: string;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  await options.http.request({
    method: 'DELETE',
    path: `/api/ai/queue/${encodeURIComponent(options.generationId)}`,
    schema: oxenCancelResponseSchema,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** `GET /api/ai/generations/{id}` → the billed cost in USD, or `undefined` when Oxen has none yet. */
export async function readGenerationCost(options: {
  http: HttpClient;
  generationId: string;
  signal?: AbortSignal | undefined;
}): Promise<number | undefined> {
  const response = await options.http.request({
    method: 'GET',
    path: `/api/ai/generations/${encodeURIComponent(options.generationId)}`,
    schema: oxenGenerationRecordSchema,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const cost = response.data.generation.cost;
  if (cost === null || cost === undefined || cost === '') return undefined;
  const usd = Number(cost);
  return Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}

/**
 * Polls generations until each is terminal: every `intervalMs` at first, backing off by half each
 * round up to `maxIntervalMs`, since image jobs take seconds to minutes. A failed read is retried
 * on the next round when it is transient, so a blip never fails a job that is still running.
 */
export async function pollUntilTerminal(options: {
  http: HttpClient;
  generationIds: readonly string[];
  intervalMs: number;
  maxIntervalMs: number;
  signal: AbortSignal;
  /** Epoch milliseconds by which the edit must settle: each read gets at most half the time left. */
  deadline?: number | undefined;
  onStatus?: ((statuses: ReadonlyMap<string, OxenGenerationStatus>) => void) | undefined;
}): Promise<Map<string, OxenGenerationStatus>> {
  const statuses = new Map<string, OxenGenerationStatus>();
  let interval = options.intervalMs;
  let failures = 0;
  for (;;) {
    const pending = options.generationIds.filter((id) => !isTerminal(statuses.get(id)));
    if (pending.length === 0) return statuses;
    const reads = await Promise.allSettled(
      pending.map((generationId) =>
        readGeneration({
          http: options.http,
          generationId,
          signal: options.signal,
          timeoutMs: readTimeoutMs(options.deadline),
        }),
      ),
    );
    if (options.signal.aborted) throw options.signal.reason;
    for (const read of reads) {
      if (read.status === 'fulfilled') {
        statuses.set(read.value.generation_id, read.value);
        failures = 0;
      } else if (!isTransient(read.reason) || ++failures > 8) {
        throw read.reason;
      }
    }
    options.onStatus?.(statuses);
    if (options.generationIds.every((id) => isTerminal(statuses.get(id)))) return statuses;
    await sleep({ ms: interval, signal: options.signal });
    interval = Math.min(options.maxIntervalMs, Math.round(interval * 1.5));
  }
}

/** The longest one status read may take: a hung read is abandoned, and the next round reads again. */
const STATUS_READ_TIMEOUT_MS = 15_000;

/** A status read's timeout: {@link STATUS_READ_TIMEOUT_MS}, or half the time left before the deadline (at least 250 ms). */
function readTimeoutMs(deadline: number | undefined): number {
  if (deadline === undefined) return STATUS_READ_TIMEOUT_MS;
  return Math.floor(Math.min(STATUS_READ_TIMEOUT_MS, Math.max(250, (deadline - Date.now()) / 2)));
}

/** Whether a generation has reached a final status. */
export function isTerminal(status: OxenGenerationStatus | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status.status);
}

/** A read that may succeed if tried again: a network error, a timeout, a 429 or a 5xx. */
export function isTransient(error: unknown): boolean {
  return (ApiCallError.isInstance(error) && error.isRetryable) || TimeoutError.isInstance(error);
}
