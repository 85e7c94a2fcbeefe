import { ApiCallError } from '../errors/api-call-error.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { InsufficientCreditsError } from '../errors/insufficient-credits-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { redact } from '../secrets.ts';
import { parseRetryAfter } from './retry-after.ts';

/** What a provider's error body says, as the provider's own parser reads it. */
export interface ProviderErrorInfo {
  /** The provider's message. */
  message?: string;
  /** The provider's error code or type. */
  code?: string;
  /** A retry delay from the body (Eden AI's `retry_after`), in milliseconds. */
  retryAfterMs?: number;
  /** Overrides the status-based classification. */
  kind?: 'authentication' | 'rate-limit' | 'insufficient-credits';
  /** Credits the call needs, for credit errors, when the provider says. */
  requiredCredits?: number;
  /** Credits left on the account, for credit errors, when the provider says. */
  availableCredits?: number;
}

export const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-edenai-request-id',
  'cf-ray',
];
export const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export interface ErrorContext {
  provider: string;
  apiKeyEnvVar?: string | undefined;
  parseErrorBody?: ((status: number, body: unknown) => ProviderErrorInfo | undefined) | undefined;
}

export function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function excerpt(text: string): string {
  const clean = redact(text).replace(/\s+/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

export function findRequestId(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

export function tooLarge(
  context: ErrorContext & { method: string; url: URL },
  maxBytes: number,
): InvalidResponseError {
  return new InvalidResponseError({
    message: `${context.provider}: ${context.method} ${describe(context.url)} sent a body larger than the ${maxBytes}-byte cap; it was not read`,
    provider: context.provider,
    url: context.url.href,
  });
}

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function httpError(
  context: ErrorContext & {
    method: string;
    url: URL;
    /** The answer's status line and headers; its body is `text`. */
    response: { status: number; headers: Headers };
    text: string;
    requestId?: string | undefined;
  },
): ApiCallError | InsufficientCreditsError {
  const { response, method, url, provider } = context;
  const status = response.status;
  let body: unknown = context.text;
  try {
    body = context.text === '' ? undefined : JSON.parse(context.text);
  } catch {
    // A non-JSON error body (an HTML page from a proxy) is kept as text.
  }
  const info = context.parseErrorBody?.(status, body) ?? defaultErrorInfo(body);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after')) ?? info.retryAfterMs;
  const detail = info.message
    ? `: ${info.message}`
    : typeof body === 'string' && body
      ? `: ${excerpt(body)}`
      : '';
  const base = {
    provider,
    url: url.href,
    method,
    statusCode: status,
    responseBody: typeof body === 'string' ? excerpt(body) : body,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(context.requestId ? { requestId: context.requestId } : {}),
    ...(info.code ? { code: info.code } : {}),
  };
  const where = `${provider}: ${method} ${describe(url)} failed with ${status}${detail}`;
  if (info.kind === 'insufficient-credits' || status === 402) {
    return new InsufficientCreditsError({
      message: `${where}. Add credits to the ${provider} account.`,
      provider,
      statusCode: status,
      ...(info.requiredCredits !== undefined ? { requiredCredits: info.requiredCredits } : {}),
      ...(info.availableCredits !== undefined ? { availableCredits: info.availableCredits } : {}),
    });
  }
  if (info.kind === 'authentication' || status === 401) {
    return new AuthenticationError({
      message: `${where}. Check the API key${context.apiKeyEnvVar ? ` (${context.apiKeyEnvVar})` : ''}.`,
      ...base,
    });
  }
  if (info.kind === 'rate-limit' || status === 429) {
    return new RateLimitError({
      message: `${where}.`,
      ...base,
      isRetryable: true,
      provablyNotProcessed: true,
    });
  }
  if (status === 403) {
    return new AuthenticationError({
      message: `${where}. The API key lacks permission for this call.`,
      ...base,
    });
  }
  const retryable = status === 408 || status === 409 || status >= 500;
  return new ApiCallError({
    message: `${where}.`,
    ...base,
    isRetryable: retryable,
    provablyNotProcessed: status === 503,
  });
}

/**
 * A result URL that is refused or gone has almost always expired: providers hand out signed,
 * short-lived URLs. Reported as an authentication problem, it would send the user to check a key that
 * is fine (and the URL usually carries no key at all).
 */
export function refusedDownload(error: unknown, url: URL): unknown {
  if (!ApiCallError.isInstance(error)) return error;
  const status = error.statusCode;
  if (status === undefined || ![401, 403, 404, 410].includes(status)) return error;
  return new ApiCallError({
    message: `${error.provider}: the result URL ${describe(url)} answered ${status}: result URLs are signed and temporary, so it has likely expired or been removed. Download results soon after the edit, or resume the job to read fresh URLs.`,
    provider: error.provider,
    url: error.url,
    method: error.method,
    statusCode: status,
    isRetryable: false,
    responseBody: error.responseBody,
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.code !== undefined ? { code: error.code } : {}),
  });
}

export function defaultErrorInfo(body: unknown): ProviderErrorInfo {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) {
    const inner = error as Record<string, unknown>;
    const message = [inner.title, inner.detail, inner.message]
      .filter((part) => typeof part === 'string')
      .join(': ');
    return {
      ...(message ? { message } : {}),
      ...(typeof inner.type === 'string' ? { code: inner.type } : {}),
    };
  }
  if (typeof record.detail === 'string') return { message: record.detail };
  if (typeof record.message === 'string') return { message: record.message };
  return {};
}
