/**
 * The names Retouch's spans, attributes and metrics go by. The OpenTelemetry GenAI semantic
 * conventions name the operation, the provider and the model; what they have no name for is under
 * `retouch.*`.
 */

/** The instrumentation scope of every tracer and meter. */
export const INSTRUMENTATION_SCOPE = '@retouch/core';

/** Span names. */
export const SPAN = {
  edit: 'retouch.edit',
  attempt: 'retouch.attempt',
} as const;

/** Attribute keys. */
export const ATTRIBUTE = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  jobId: 'retouch.job.id',
  providerJobId: 'retouch.provider_job.id',
  model: 'retouch.model',
  outcome: 'retouch.outcome',
  costUsd: 'retouch.cost.usd',
  costSource: 'retouch.cost.source',
  retries: 'retouch.retries',
  fallbacks: 'retouch.fallbacks',
  modelsTried: 'retouch.models_tried',
  providersTried: 'retouch.providers_tried',
  attempt: 'retouch.attempt',
  operation: 'retouch.operation',
  laneWaitMs: 'retouch.lane.wait_ms',
  retryAfterMs: 'retouch.retry_after_ms',
  estimatedUsd: 'retouch.cost.estimated_usd',
  errorType: 'error.type',
  method: 'http.request.method',
  statusCode: 'http.response.status_code',
  serverAddress: 'server.address',
  urlFull: 'url.full',
} as const;

/** The GenAI operation an edit is: content generated from a prompt and images. */
export const GEN_AI_OPERATION = 'generate_content';

/** Metric names. */
export const METRIC = {
  edits: 'retouch.edits',
  cost: 'retouch.cost',
  rateLimited: 'retouch.rate_limited',
  possiblyBilled: 'retouch.possibly_billed',
  budgetRefusals: 'retouch.budget.refusals',
  editDuration: 'retouch.edit.duration',
  laneWait: 'retouch.lane.wait',
  laneQueueDepth: 'retouch.lane.queue_depth',
  laneInFlight: 'retouch.lane.in_flight',
  budgetRemaining: 'retouch.budget.remaining',
} as const;

/** The event on an edit's span when it may have been billed without a result. */
export const POSSIBLY_BILLED_EVENT = 'retouch.possibly_billed';

/**
 * A URL as an attribute may hold it: scheme, host and path. The user part and the query, where a key
 * or a signed URL's token would sit, are dropped.
 */
export function urlForAttribute(href: string): string {
  try {
    const url = new URL(href);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}
