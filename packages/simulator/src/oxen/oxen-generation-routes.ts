import type { RouteDefinitions } from '../shared/route-table.ts';
import { oxenInvalidParams, oxenNotFound } from './oxen-errors.ts';
import type { OxenJob, OxenQueue } from './oxen-queue.ts';
import { filterOxenJobs } from './oxen-row-filters.ts';

/** A price as Oxen reports money: a decimal string. */
function decimal(usd: number): string {
  return usd.toFixed(4);
}

/** What a generation was charged: its price once it succeeded, nothing while it runs, zero otherwise. */
function chargedUsd(job: OxenJob): number | undefined {
  if (job.status === 'succeeded') return job.price;
  return job.status === 'queued' || job.status === 'processing' ? undefined : 0;
}

/**
 * A generation as `GET /api/ai/generations` shows it, queued or synchronous: the request's
 * parameters merged in at the top level (as the published `GenerationsListResponse` says), then its
 * state and its cost.
 */
function generationView(job: OxenJob) {
  const charged = chargedUsd(job);
  return {
    ...job.parameters,
    id: job.id,
    generation_id: job.id,
    model_name: job.model,
    prompt: job.prompt,
    media_type: 'image',
    status: job.status,
    namespace: job.namespace,
    target_namespace: job.namespace,
    result_url: job.status === 'succeeded' ? job.resultUrl : null,
    error_message: job.status === 'failed' ? job.errorMessage : null,
    cost: charged === undefined ? null : decimal(charged),
    created_at: job.enqueuedAt,
    enqueued_at: job.enqueuedAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
  };
}

/** A positive whole number from the query, its default when absent, or `undefined` when invalid. */
function pageNumber(options: {
  value: string | null;
  fallback: number;
  maximum: number;
}): number | undefined {
  if (options.value === null) return options.fallback;
  const number = Number(options.value);
  if (!Number.isInteger(number) || number < 1 || number > options.maximum) return undefined;
  return number;
}

/** Largest `page_size` the published spec allows, and its default. */
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 50;

/**
 * `GET /api/ai/generations` (newest first, filtered by `namespace`, `model`, `media_type`, `status`,
 * `repo` and `folder`, in pages, with the filter set's total cost) and `GET /api/ai/generations/:id`.
 */
export function oxenGenerationRoutes(options: { queue: OxenQueue }): RouteDefinitions {
  const { queue } = options;
  return {
    'GET /api/ai/generations': (context) => {
      const query = context.url.searchParams;
      const page = pageNumber({
        value: query.get('page'),
        fallback: 1,
        maximum: Number.MAX_SAFE_INTEGER,
      });
      const pageSize = pageNumber({
        value: query.get('page_size'),
        fallback: DEFAULT_PAGE_SIZE,
        maximum: MAX_PAGE_SIZE,
      });
      if (page === undefined) return oxenInvalidParams('page must be an integer of at least 1');
      if (pageSize === undefined) {
        return oxenInvalidParams(`page_size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
      }
      const all = filterOxenJobs({ jobs: [...queue.jobs.values()].reverse(), query });
      const charges = all.map(chargedUsd).filter((usd): usd is number => usd !== undefined);
      const rows = all.slice((page - 1) * pageSize, page * pageSize).map(generationView);
      return {
        status: 200,
        json: {
          status: 'success',
          status_message: 'resource_found',
          count: rows.length,
          generations: rows,
          // Null when nothing in the filter set has been charged, as the published spec says.
          total_cost: charges.length === 0 ? null : decimal(charges.reduce((sum, usd) => sum + usd, 0)),
          page_number: page,
          page_size: pageSize,
          total_entries: all.length,
          total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
        },
      };
    },
    'GET /api/ai/generations/:id': (context) => {
      const job = queue.jobs.get(context.params.id!);
      if (job === undefined) return oxenNotFound(`Generation ${context.params.id} not found`);
      return {
        status: 200,
        json: { status: 'success', status_message: 'resource_found', generation: generationView(job) },
      };
    },
  };
}
