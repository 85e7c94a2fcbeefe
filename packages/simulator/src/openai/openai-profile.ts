import { defaultSchemaViolation, type ProviderProfile } from '../shared/provider-profile.ts';
import { isRecord } from '../shared/values.ts';
import { insufficientQuota, openAIError } from './openai-errors.ts';

/** How OpenAI words its generic answers: authentication, unknown paths, rate limits, server errors. */
export const openAIProfile: ProviderProfile = {
  unauthorized: () =>
    openAIError({
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message:
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    }),
  notFound: (path) =>
    openAIError({ status: 404, type: 'invalid_request_error', message: `Invalid URL (${path})` }),
  // OpenAI states the delay in headers only; `retryAfterIn` has no body place to choose here.
  rateLimited: ({ retryAfterSeconds }) => {
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
      headers['retry-after-ms'] = String(Math.round(retryAfterSeconds * 1000));
    }
    return openAIError({
      status: 429,
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: `Rate limit reached for images per min.${retryAfterSeconds === undefined ? '' : ` Please try again in ${retryAfterSeconds}s.`}`,
      headers,
    });
  },
  retryAfterIn: 'header',
  serverError: (status) =>
    openAIError({
      status,
      type: 'server_error',
      message:
        status === 503
          ? 'The server is overloaded or not ready yet.'
          : 'The server had an error while processing your request. Sorry about that!',
    }),
  tooLarge: (message) =>
    openAIError({ status: 413, type: 'invalid_request_error', message: `Request too large: ${message}` }),
  insufficientCredits: () => insufficientQuota(),
  malformedBody: (message) =>
    openAIError({
      status: 400,
      type: 'invalid_request_error',
      message: `Could not parse multipart form: ${message}`,
    }),
  violateSchema: (json, routeKey) => {
    if (routeKey === 'POST /v1/images/edits' && isRecord(json)) return { ...json, data: [{ b64_json: 7 }] };
    return defaultSchemaViolation(json);
  },
};
