import { APICallError } from '@ai-sdk/provider';
import {
  ApiCallError,
  AuthenticationError,
  InsufficientCreditsError,
  InvalidRequestError,
  InvalidResponseError,
  RateLimitError,
  RetouchError,
  UnsupportedFeatureError,
} from '@retouch/core';
import { parseRetryAfter } from '@retouch/core/provider-utils';

/**
 * How many requests one `doGenerate` sends its provider, which decides what an error can prove:
 * - `one`: a single request (after downloading URL inputs), as OpenAI's image models do;
 * - `several`: the model submits, then polls, or downloads its results (queue and prediction APIs).
 */
export type RequestsPerCall = 'one' | 'several';

/** Connection failures where nothing reached the provider: the TCP connection never opened. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Cross-copy check of an AI SDK error by name, for classes of packages the bridge does not depend on. */
export function isAISDKError(error: unknown, name: string): error is Error {
  const marker = Symbol.for(`vercel.ai.error.${name}`);
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The provider's error code or type from the parsed body the AI SDK keeps in `data` (OpenAI's shape and most others). */
function providerCode(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const inner = (data as { error?: unknown }).error;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const { code, type } = inner as { code?: unknown; type?: unknown };
  if (typeof code === 'string') return code;
  if (typeof type === 'string') return type;
  return undefined;
}

/** A `Retry-After` from the response headers: `retry-after-ms` (OpenAI's, read first by its SDKs) or `retry-after`. */
function retryAfterFrom(headers: Record<string, string> | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const milliseconds = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) {
    return Math.round(milliseconds);
  }
  return parseRetryAfter(lower['retry-after'] ?? null);
}

/** The URL without its query string: an AI SDK provider may carry its key there, and the bridge never holds that key to redact it. */
function safeUrl(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function responseBodyOf(error: APICallError): unknown {
  if (error.data !== undefined) return error.data;
  const text = error.responseBody;
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
}

/**
 * Turns what an AI SDK image model threw into Retouch's typed errors, so the dispatcher can decide
 * whether to retry, fall back or count the cost:
 *
 * - `APICallError` by status: 401 and 403 `AuthenticationError`; 402, and a 429 whose code is
 *   `insufficient_quota` (OpenAI's spent balance), `InsufficientCreditsError`; 429 `RateLimitError`;
 *   others `ApiCallError`, keeping `isRetryable` and the `Retry-After` of the response headers.
 * - `provablyNotProcessed` only where the answer is proof that the paid work was not started: a 429,
 *   a 503 or a refused connection, and only when the model sends one request per call. A model that
 *   submits and then polls may get its 429 on a poll, after the work was accepted, so for it nothing is
 *   proof and a failed edit is never sent again. A failed download (of an input or of a result) is no
 *   proof either: some models download their results after the work was paid.
 * - `InvalidArgumentError` (the model refused an argument before sending) `InvalidRequestError`;
 *   `UnsupportedFunctionalityError` `UnsupportedFeatureError`; a missing key (`LoadAPIKeyError`) a
 *   `RetouchError`; an answer that does not parse `InvalidResponseError`.
 * - Abort errors and errors that are not the AI SDK's are returned as they are.
 */
export function toRetouchError(
  error: unknown,
  context: { id: string; modelId: string; requestsPerCall: RequestsPerCall },
): unknown {
  const { id, modelId } = context;
  const single = context.requestsPerCall === 'one';
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const code = providerCode(error.data) ?? errorCode(error.cause);
    const retryAfterMs = retryAfterFrom(error.responseHeaders);
    const notConnected = status === undefined && code !== undefined && NOT_CONNECTED_CODES.has(code);
    const base = {
      provider: id,
      url: safeUrl(error.url),
      method: hasBody(error.requestBodyValues) ? 'POST' : 'GET',
      ...(status === undefined ? {} : { statusCode: status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(code === undefined ? {} : { code }),
      responseBody: responseBodyOf(error),
      cause: error,
    };
    const where = `${id}: ${modelId} ${status === undefined ? 'could not reach its provider' : `answered ${status}`}: ${error.message}`;
    if (status === 402 || code === 'insufficient_quota') {
      return new InsufficientCreditsError({
        message: `${where}. Add credits to the ${id} account.`,
        provider: id,
        ...(status === undefined ? {} : { statusCode: status }),
        cause: error,
      });
    }
    if (status === 401 || status === 403) {
      return new AuthenticationError({
        message: `${where}. Check the API key the AI SDK provider of ${modelId} reads (its settings or its environment variable).`,
        ...base,
      });
    }
    if (status === 429) {
      return new RateLimitError({
        message: `${where}.`,
        ...base,
        isRetryable: true,
        provablyNotProcessed: single,
      });
    }
    return new ApiCallError({
      message: `${where}${notConnected ? '; the request was never sent' : ''}.`,
      ...base,
      isRetryable: error.isRetryable,
      provablyNotProcessed: single && (status === 503 || notConnected),
    });
  }
  if (isAISDKError(error, 'AI_InvalidArgumentError')) {
    const argument = String((error as { argument?: unknown }).argument ?? '');
    // The model names its own options `providerOptions.<aiSdkProvider>.<key>`; in Retouch they sit under the adapter's id.
    const path = argument.startsWith('providerOptions.')
      ? `providerOptions.${id}.${argument.split('.').slice(2).join('.')}`
      : argument;
    return new InvalidRequestError({
      issues: [{ path, message: `${modelId}: ${error.message}` }],
      cause: error,
    });
  }
  if (isAISDKError(error, 'AI_UnsupportedFunctionalityError')) {
    const feature = String((error as { functionality?: unknown }).functionality ?? 'this request');
    return new UnsupportedFeatureError({
      message: `${id}: ${modelId} cannot do ${feature}: ${error.message}`,
      provider: id,
      model: modelId,
      feature,
      cause: error,
    });
  }
  if (isAISDKError(error, 'AI_LoadAPIKeyError')) {
    return new RetouchError({ message: `${id}: ${error.message}`, cause: error });
  }
  if (
    isAISDKError(error, 'AI_TypeValidationError') ||
    isAISDKError(error, 'AI_JSONParseError') ||
    isAISDKError(error, 'AI_InvalidResponseDataError') ||
    isAISDKError(error, 'AI_EmptyResponseBodyError')
  ) {
    return new InvalidResponseError({
      message: `${id}: ${modelId} sent an answer that does not parse: ${error.message}`,
      provider: id,
      cause: error,
    });
  }
  if (isAISDKError(error, 'AI_DownloadError')) {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    return new ApiCallError({
      message: `${id}: ${modelId} could not download a file: ${error.message}`,
      provider: id,
      url: safeUrl(String((error as { url?: unknown }).url ?? '')),
      method: 'GET',
      ...(typeof statusCode === 'number' ? { statusCode } : {}),
      isRetryable:
        typeof statusCode !== 'number' || statusCode === 408 || statusCode === 429 || statusCode >= 500,
      cause: error,
    });
  }
  return error;
}

function hasBody(values: unknown): boolean {
  return typeof values === 'object' && values !== null && Object.keys(values).length > 0;
}
