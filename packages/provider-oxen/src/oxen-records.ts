import type { HttpClient } from '@retouch/core/provider-utils';
import { loadOxenWire, OXEN_PATHS, type OxenListedGeneration } from './oxen-api.ts';

/*
 * Oxen's own records of what it accepted and billed: `GET /api/ai/queue` (the active rows) and
 * `GET /api/ai/generations` (the whole history, newest first, in pages, with `cost` per row). Both
 * are free reads, so a 429 or 5xx is waited out and sent again through the lane.
 */

/** Times a free listing read is sent again after a 429, a 5xx or a network error. */
const READ_RETRIES = 2;
/** Rows per history page: the most the published spec allows is 1000; rows carry the request's parameters. */
export const HISTORY_PAGE_SIZE = 100;

/** A decimal string (or number) of USD as Oxen reports `cost`, or `undefined` when there is none. */
export function costUsdOf(cost: string | number | null | undefined): number | undefined {
  if (cost === null || cost === undefined || cost === '') return undefined;
  const usd = Number(cost);
  return Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}

/** `GET /api/ai/queue`: the active generations, of one model when `model` is given. */
export async function listActiveGenerations(options: {
  http: HttpClient;
  model?: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<OxenListedGeneration[]> {
  const { oxenQueueListSchema } = await loadOxenWire();
  const response = await options.http.request({
    method: 'GET',
    path: OXEN_PATHS.queue,
    ...(options.model ? { query: { model: options.model } } : {}),
    schema: oxenQueueListSchema,
    retry: READ_RETRIES,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return response.data.generations;
}

/**
 * `GET /api/ai/generations`, page after page, newest first: the rows enqueued at or after `since`
 * (Unix seconds; every row when absent), of one model when `model` is given. Paging stops at the
 * last page, or at the first page whose rows are all older than `since`.
 */
export async function listGenerationHistory(options: {
  http: HttpClient;
  model?: string | undefined;
  since?: number | undefined;
  /** The most pages read; a history longer than this is cut at this many pages. */
  maxPages?: number | undefined;
  signal?: AbortSignal | undefined;
}): Promise<{ rows: OxenListedGeneration[]; complete: boolean }> {
  const { oxenGenerationListSchema } = await loadOxenWire();
  const rows: OxenListedGeneration[] = [];
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  for (let page = 1; page <= maxPages; page++) {
    const response = await options.http.request({
      method: 'GET',
      path: OXEN_PATHS.generations,
      query: { page, page_size: HISTORY_PAGE_SIZE, ...(options.model ? { model: options.model } : {}) },
      schema: oxenGenerationListSchema,
      retry: READ_RETRIES,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { generations, total_pages: totalPages } = response.data;
    const since = options.since;
    rows.push(...(since === undefined ? generations : generations.filter((row) => row.enqueued_at >= since)));
    const pastWindow =
      since !== undefined && generations.length > 0 && generations.every((row) => row.enqueued_at < since);
    if (page >= totalPages || generations.length === 0 || pastWindow) return { rows, complete: true };
  }
  return { rows, complete: false };
}
