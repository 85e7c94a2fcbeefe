import { defaultSchemaViolation, type ProviderProfile } from '../shared/provider-profile.ts';
import { isRecord } from '../shared/values.ts';
import { oxenError, oxenInvalidParams, oxenNotFound } from './oxen-errors.ts';

/** How Oxen words its generic answers: authentication, unknown paths, rate limits, server errors. */
export const oxenProfile: ProviderProfile = {
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
