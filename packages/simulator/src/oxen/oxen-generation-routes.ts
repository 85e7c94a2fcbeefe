import type { RouteDefinitions } from '../shared/route-table.ts';
import { oxenNotFound } from './oxen-errors.ts';
import type { OxenJob, OxenQueue } from './oxen-queue.ts';

/** A generation as `GET /api/ai/generations` shows it, queued or synchronous, with its cost. */
function generationView(job: OxenJob) {
  return {
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
  };
}

/** `GET /api/ai/generations` (newest first, in pages, with the total cost) and `GET /api/ai/generations/:id`. */
export function oxenGenerationRoutes(options: { queue: OxenQueue }): RouteDefinitions {
  const { queue } = options;
  return {
    'GET /api/ai/generations': (context) => {
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
