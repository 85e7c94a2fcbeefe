import type { CreditBalance } from '../shared/credit-balance.ts';
import { isRouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import {
  oxenJsonBody,
  oxenModelParameters,
  oxenTargetNamespace,
  resolveOxenModel,
} from './oxen-edit-request.ts';
import { oxenInvalidParams, oxenNotFound } from './oxen-errors.ts';
import { oxenImagePrice } from './oxen-pricing.ts';
import type { OxenJob, OxenQueue } from './oxen-queue.ts';
import { filterOxenJobs } from './oxen-row-filters.ts';

/** A listing query that keeps only the active rows, as `GET /api/ai/queue` does without `status`. */
function withActiveStatuses(query: URLSearchParams): URLSearchParams {
  const active = new URLSearchParams(query);
  active.set('status', 'queued,processing');
  return active;
}

/** What the queue routes count. */
export interface OxenQueueCounters {
  /** `GET /api/ai/queue/{id}` reads. */
  statusReads: number;
  /** Jobs ever enqueued (one per generation). */
  jobsEnqueued: number;
}

/** What the queue routes read, check and count. */
export interface OxenQueueRoutesOptions {
  queue: OxenQueue;
  balance: CreditBalance;
  counters: OxenQueueCounters;
  defaultNamespace: string;
}

/** A queued job as `GET /api/ai/queue` and `GET /api/ai/queue/{id}` show it: its parameters, then its state. */
function jobView(job: OxenJob) {
  return {
    ...job.parameters,
    generation_id: job.id,
    model_name: job.model,
    prompt: job.prompt,
    media_type: 'image',
    status: job.status,
    result_url: job.status === 'succeeded' ? job.resultUrl : null,
    error_message: job.status === 'failed' ? job.errorMessage : null,
    namespace: job.namespace,
    target_namespace: job.namespace,
    enqueued_at: job.enqueuedAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
  };
}

/**
 * Oxen's queue: `POST /api/ai/queue` enqueues up to four generations, `GET /api/ai/queue` lists the
 * unfinished ones, `GET /api/ai/queue/:id` reads one and `DELETE /api/ai/queue/:id` cancels it.
 */
export function oxenQueueRoutes(options: OxenQueueRoutesOptions): RouteDefinitions {
  const { queue, balance, counters } = options;
  const queuedJob = (id: string): OxenJob | undefined => {
    const job = queue.jobs.get(id);
    // Synchronous edits are generations too, but the queue does not know them.
    return job?.source === 'queue' ? job : undefined;
  };
  return {
    'POST /api/ai/queue': (context) => {
      const body = oxenJsonBody(context);
      if (isRouteResult(body)) return body;
      const model = resolveOxenModel(body);
      if (isRouteResult(model)) return model;
      const count = body.num_generations ?? 1;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4) {
        return oxenInvalidParams(
          `num_generations must be an integer between 1 and 4, got ${JSON.stringify(count)}`,
        );
      }
      const parameters = oxenModelParameters(body);
      const price = oxenImagePrice({ model, parameters });
      if (!balance.covers(price * count)) return oxenInvalidParams('Insufficient credits');
      context.markBillable();
      const namespace = oxenTargetNamespace({ body, defaultNamespace: options.defaultNamespace });
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
    'GET /api/ai/queue': (context) => {
      const query = context.url.searchParams;
      // Without a status filter only the active rows are listed; an explicit one includes terminal rows.
      const active = query.has('status') ? query : withActiveStatuses(query);
      const generations = filterOxenJobs({
        jobs: [...queue.jobs.values()].filter((job) => job.source === 'queue'),
        query: active,
      }).map(jobView);
      return { status: 200, json: { count: generations.length, generations } };
    },
    'GET /api/ai/queue/:id': (context) => {
      counters.statusReads += 1;
      const job = queuedJob(context.params.id!);
      if (job === undefined) return oxenNotFound(`Generation ${context.params.id} not found`);
      return { status: 200, json: jobView(job) };
    },
    'DELETE /api/ai/queue/:id': (context) => {
      const job = queuedJob(context.params.id!);
      if (job === undefined) return oxenNotFound(`Generation ${context.params.id} not found`);
      queue.cancel(job);
      return { status: 200, json: { status: 'success', generation_id: job.id } };
    },
  };
}
