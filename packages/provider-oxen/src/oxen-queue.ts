import { InvalidRequestError } from '@retouch/core';
import type { HttpClient } from '@retouch/core/provider-utils';
import { loadOxenWire, OXEN_PATHS, type OxenGenerationStatus } from './oxen-api.ts';
import { refineOxenError } from './oxen-error.ts';
import { costUsdOf } from './oxen-records.ts';

/*
 * Oxen's async queue: enqueueing, reading and cancelling generations, and the job ids that join the
 * generations of one edit. Every request goes through the `http` it is given, the adapter's client
 * bound to the provider's lane.
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
  return costUsdOf(response.data.generation.cost);
}
