import type { RouteResult } from '../shared/route.ts';

/**
 * An error answer in OpenAI's shape, `{ error: { message, type, param, code } }`, as the API reference's
 * error object and openai-node's `APIError` read it. `param` names the offending request field.
 */
export function openAIError(options: {
  status: number;
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}): RouteResult {
  return {
    status: options.status,
    json: {
      error: {
        message: options.message,
        type: options.type,
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  };
}

/** A 400 about one request field. */
export function invalidParameter(options: { param: string; message: string; code?: string }): RouteResult {
  return openAIError({
    status: 400,
    type: 'invalid_request_error',
    param: options.param,
    code: options.code ?? 'invalid_value',
    message: options.message,
  });
}

/**
 * OpenAI's answer when the account's quota or credit is spent: a 429 like a rate limit, told apart by its
 * `insufficient_quota` type and code, and not worth retrying.
 */
export function insufficientQuota(): RouteResult {
  return openAIError({
    status: 429,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  });
}
