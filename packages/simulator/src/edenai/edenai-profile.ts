import { defaultSchemaViolation, type ProviderProfile } from '../shared/provider-profile.ts';
import { isRecord } from '../shared/values.ts';
import { edenAIError, edenAIInsufficientCredits, edenAIValidationError } from './edenai-errors.ts';

/** How Eden AI words its generic answers: authentication, unknown paths, rate limits, server errors. */
export const edenAIProfile: ProviderProfile = {
  unauthorized: () => ({
    status: 401,
    json: { detail: 'Invalid or missing authentication token', error_code: 'UNAUTHORIZED' },
  }),
  notFound: () => ({ status: 404, json: { details: 'Not Found' } }),
  rateLimited: ({ retryAfterSeconds, retryAfterIn }) => {
    const json: Record<string, unknown> = { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' };
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'header') json.retry_after = retryAfterSeconds;
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'body')
      headers['retry-after'] = String(Math.ceil(retryAfterSeconds));
    return { status: 429, json, headers };
  },
  retryAfterIn: 'body',
  serverError: (status) => {
    if (status === 502)
      return edenAIError({ status, type: 'provider_error', message: 'Upstream provider error' });
    if (status === 503) return { status, json: { detail: 'Service Unavailable' } };
    return { status, json: { detail: 'Internal Server Error' } };
  },
  tooLarge: (message) => ({ status: 413, json: { detail: `Payload too large: ${message}` } }),
  insufficientCredits: (shape) => edenAIInsufficientCredits({ shape }),
  malformedBody: (message) =>
    edenAIValidationError([{ type: 'value_error', loc: ['body'], msg: `Value error, ${message}` }]),
  violateSchema: (json, routeKey) => {
    if (routeKey === 'POST /v3/images/edits' && isRecord(json))
      return { ...json, data: { b64_json: 7 }, cost: 'free' };
    if (routeKey === 'POST /v3/upload' && isRecord(json))
      return { ...json, file_id: 12345, file_size: 'big' };
    return defaultSchemaViolation(json);
  },
};
