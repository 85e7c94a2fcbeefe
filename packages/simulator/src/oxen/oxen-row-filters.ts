import type { OxenJob } from './oxen-queue.ts';

/**
 * The filters both of Oxen's listings take (`GET /api/ai/queue` and `GET /api/ai/generations`):
 * `namespace`, `model`, `media_type`, `status` (one status, or several joined by commas), `repo`
 * and `folder`. A filter absent from the query keeps every row.
 */
export function filterOxenJobs(options: { jobs: readonly OxenJob[]; query: URLSearchParams }): OxenJob[] {
  const { query } = options;
  const statuses = query
    .get('status')
    ?.split(',')
    .filter((status) => status !== '');
  return options.jobs
    .filter((job) => statuses === undefined || statuses.includes(job.status))
    .filter((job) => !query.has('namespace') || job.namespace === query.get('namespace'))
    .filter((job) => !query.has('model') || job.model === query.get('model'))
    .filter(() => !query.has('media_type') || query.get('media_type') === 'image')
    .filter((job) => !query.has('repo') || job.parameters.repo === query.get('repo'))
    .filter((job) => !query.has('folder') || job.parameters.folder === query.get('folder'));
}
