import ky, { isNetworkError, isTimeoutError } from 'ky';
import type { z } from 'zod';
import { ApiCallError } from '../errors/api-call-error.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { InsufficientCreditsError } from '../errors/insufficient-credits-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { redact, registerSecret } from '../secrets.ts';
import { parseRetryAfter } from './retry-after.ts';
import { unsafeUrlReason } from './url-safety.ts';

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

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Provider id used in errors, e.g. `oxen`. */
  provider: string;
  /** The provider's API origin and base path, e.g. `https://hub.oxen.ai`. The key is sent only here. */
  baseURL: string;
  /** The API key, sent as `Authorization: Bearer` to `baseURL`'s origin only, and redacted everywhere. */
  apiKey: string;
  /** The environment variable the key comes from, named in authentication errors. */
  apiKeyEnvVar?: string;
  /** Extra headers for every request to the provider. */
  headers?: Record<string, string>;
  /** A `fetch` implementation (for proxies or instrumentation). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout in milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Largest JSON response body accepted, in bytes. @default 64 MiB */
  maxResponseBytes?: number;
  /** Reads the provider's error body shapes. */
  parseErrorBody?: (status: number, body: unknown) => ProviderErrorInfo | undefined;
}

/** One request through {@link HttpClient.request}. */
export interface HttpRequest<T> {
  /** HTTP method. Only `GET` and `DELETE` are free reads or cancels; a `POST` may be billable. */
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below `baseURL` (e.g. `/api/ai/queue`) or an absolute URL. */
  path: string;
  /** JSON body. */
  json?: unknown;
  /** Multipart body. Blobs in it (including disk-backed ones) are streamed, not buffered. */
  form?: FormData;
  /** Query parameters. */
  query?: Record<string, string | number | undefined>;
  /** Validates the 2xx JSON body; a mismatch is an `InvalidResponseError`. */
  schema?: z.ZodType<T>;
  /** Aborts the request; the abort error passes through unwrapped. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout; `false` for none. */
  timeoutMs?: number | false;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** A successful response. */
export interface HttpResponse<T> {
  /** The 2xx HTTP status. */
  status: number;
  /** The parsed JSON body, validated by the request's `schema` when one was given. */
  data: T;
  /** The response headers. */
  headers: Headers;
  /** The URL that answered. */
  url: string;
  /** The provider's request id from the response headers, when it sends one. */
  requestId?: string;
}

/** A downloaded body. */
export interface DownloadedBody {
  /** The whole body. */
  bytes: Uint8Array;
  /** The `Content-Type` the server sent, without parameters. */
  contentType?: string;
  /** The URL the body came from, after redirects. */
  url: string;
}

/**
 * The HTTP layer provider adapters use: one instance per provider and key. It maps every failure to
 * Retouch's typed errors, caps response sizes, never retries (the dispatcher decides), sends the
 * key to the provider's own origin only, and redacts it from everything it throws.
 */
export interface HttpClient {
  /** The provider's base URL, without a trailing slash. */
  readonly baseURL: string;
  /** Sends a request and parses a JSON response. */
  request<T = unknown>(request: HttpRequest<T>): Promise<HttpResponse<T>>;
  /** Opens a long-lived streaming response (Server-Sent Events). No timeout applies once headers arrive. */
  stream(request: { path: string; signal?: AbortSignal; headers?: Record<string, string> }): Promise<{
    /** The response body, read as it arrives. */
    body: ReadableStream<Uint8Array>;
    /** The response headers. */
    headers: Headers;
  }>;
  /**
   * Downloads a URL with a size cap. The key is sent only when the URL is on the provider's origin;
   * redirects are followed by hand so a redirect to another host never carries it.
   */
  download(
    url: string,
    options?: { signal?: AbortSignal; maxBytes?: number; timeoutMs?: number },
  ): Promise<DownloadedBody>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-edenai-request-id',
  'cf-ray',
];
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Creates the {@link HttpClient} for one provider.
 *
 * @example
 * const http = createHttpClient({ provider: 'oxen', baseURL: 'https://hub.oxen.ai', apiKey });
 * const { data } = await http.request({ method: 'GET', path: '/api/ai/models' });
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  registerSecret(options.apiKey);
  const baseURL = options.baseURL.replace(/\/+$/, '');
  const origin = new URL(baseURL).origin;
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const context = {
    provider: options.provider,
    apiKeyEnvVar: options.apiKeyEnvVar,
    parseErrorBody: options.parseErrorBody,
  };

  const resolve = (path: string): URL => new URL(/^https?:\/\//i.test(path) ? path : `${baseURL}${path}`);
  const headersFor = (url: URL, extra?: Record<string, string>): Record<string, string> => ({
    ...options.headers,
    ...extra,
    ...(url.origin === origin ? { authorization: `Bearer ${options.apiKey}` } : {}),
  });

  async function send(
    method: string,
    url: URL,
    init: {
      json?: unknown;
      form?: FormData;
      signal?: AbortSignal;
      timeoutMs?: number | false;
      headers?: Record<string, string>;
    },
  ): Promise<Response> {
    let current = url;
    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await ky(current, {
          method,
          ...(init.json !== undefined && hop === 0 ? { json: init.json } : {}),
          ...(init.form !== undefined && hop === 0 ? { body: init.form } : {}),
          headers: headersFor(current, init.headers),
          signal: init.signal,
          timeout: init.timeoutMs === undefined ? defaultTimeout : init.timeoutMs,
          retry: { limit: 0 },
          throwHttpErrors: false,
          redirect: 'manual',
          fetch: fetchImplementation,
        });
      } catch (error) {
        throw transportError(error, {
          ...context,
          method,
          url: current,
          signal: init.signal,
          timeoutMs: init.timeoutMs ?? defaultTimeout,
        });
      }
      if (response.status < 300 || response.status >= 400 || !response.headers.has('location'))
        return response;
      await response.body?.cancel();
      const next = new URL(response.headers.get('location')!, current);
      const reason = unsafeUrlReason(next);
      const crossOrigin = next.origin !== current.origin;
      if (
        reason ||
        hop >= MAX_REDIRECTS ||
        (crossOrigin && (method !== 'GET' || current.origin === origin))
      ) {
        throw new ApiCallError({
          message: `${options.provider}: ${method} ${describe(current)} redirected to ${next.origin}, which is not followed${
            reason ? ` (${reason})` : crossOrigin && current.origin === origin ? ' with credentials' : ''
          }`,
          provider: options.provider,
          url: current.href,
          method,
          statusCode: response.status,
        });
      }
      current = next;
      method = 'GET';
    }
  }

  return {
    baseURL,
    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const url = resolve(request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      const response = await send(request.method, url, {
        json: request.json,
        form: request.form,
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        headers: request.headers,
      });
      const text = await readText(response, maxResponseBytes, {
        ...context,
        method: request.method,
        url,
        signal: request.signal,
      });
      const requestId = findRequestId(response.headers);
      if (!response.ok)
        throw httpError({ ...context, method: request.method, url, response, text, requestId });
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch (error) {
        throw new InvalidResponseError({
          message: `${options.provider}: ${request.method} ${describe(url)} answered ${response.status} with a body that is not JSON`,
          provider: options.provider,
          url: url.href,
          excerpt: excerpt(text),
          cause: error,
        });
      }
      let data = body as T;
      if (request.schema) {
        const parsed = request.schema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const path = issue.path.map(String).join('.');
          throw new InvalidResponseError({
            message: `${options.provider}: ${request.method} ${describe(url)} returned an unexpected payload at "${path || '(root)'}": ${issue.message}`,
            provider: options.provider,
            url: url.href,
            path,
            excerpt: excerpt(text),
          });
        }
        data = parsed.data;
      }
      return {
        status: response.status,
        data,
        headers: response.headers,
        url: url.href,
        ...(requestId ? { requestId } : {}),
      };
    },

    async stream(request) {
      const url = resolve(request.path);
      const response = await send('GET', url, {
        signal: request.signal,
        timeoutMs: defaultTimeout,
        headers: { accept: 'text/event-stream', ...request.headers },
      });
      if (!response.ok || !response.body) {
        const text = await readText(response, 64 * 1024, {
          ...context,
          method: 'GET',
          url,
          signal: request.signal,
        });
        throw httpError({
          ...context,
          method: 'GET',
          url,
          response,
          text,
          requestId: findRequestId(response.headers),
        });
      }
      return { body: response.body, headers: response.headers };
    },

    async download(target, downloadOptions = {}) {
      let url: URL;
      try {
        url = new URL(target);
      } catch (error) {
        throw new InvalidResponseError({
          message: `${options.provider}: result URL is not a URL`,
          provider: options.provider,
          excerpt: excerpt(target),
          cause: error,
        });
      }
      const reason = unsafeUrlReason(url);
      if (reason) {
        throw new InvalidResponseError({
          message: `${options.provider}: refusing to download result URL ${describe(url)}: ${reason}`,
          provider: options.provider,
          url: url.href,
        });
      }
      const response = await send('GET', url, {
        signal: downloadOptions.signal,
        timeoutMs: downloadOptions.timeoutMs ?? defaultTimeout,
      });
      const maxBytes = downloadOptions.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      if (!response.ok) {
        const text = await readText(response, 64 * 1024, {
          ...context,
          method: 'GET',
          url,
          signal: downloadOptions.signal,
        });
        throw httpError({
          ...context,
          method: 'GET',
          url,
          response,
          text,
          requestId: findRequestId(response.headers),
        });
      }
      const bytes = await readCapped(response, maxBytes, {
        ...context,
        method: 'GET',
        url,
        signal: downloadOptions.signal,
      });
      const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
      return { bytes, url: response.url || url.href, ...(contentType ? { contentType } : {}) };
    },
  };
}

interface ErrorContext {
  provider: string;
  apiKeyEnvVar?: string | undefined;
  parseErrorBody?: ((status: number, body: unknown) => ProviderErrorInfo | undefined) | undefined;
}

function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function excerpt(text: string): string {
  const clean = redact(text).replace(/\s+/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function findRequestId(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

async function readText(
  response: Response,
  maxBytes: number,
  context: ErrorContext & { method: string; url: URL; signal?: AbortSignal | undefined },
): Promise<string> {
  return new TextDecoder().decode(await readCapped(response, maxBytes, context));
}

async function readCapped(
  response: Response,
  maxBytes: number,
  context: ErrorContext & { method: string; url: URL; signal?: AbortSignal | undefined },
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(context, maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(context, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (InvalidResponseError.isInstance(error)) throw error;
    throw transportError(error, { ...context, timeoutMs: undefined, afterResponse: true });
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(
  context: ErrorContext & { method: string; url: URL },
  maxBytes: number,
): InvalidResponseError {
  return new InvalidResponseError({
    message: `${context.provider}: ${context.method} ${describe(context.url)} sent a body larger than the ${maxBytes}-byte cap; it was not read`,
    provider: context.provider,
    url: context.url.href,
  });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function transportError(
  error: unknown,
  context: ErrorContext & {
    method: string;
    url: URL;
    signal?: AbortSignal | undefined;
    timeoutMs: number | false | undefined;
    afterResponse?: boolean;
  },
): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (isTimeoutError(error)) {
    return new TimeoutError({
      message: `${context.provider}: ${context.method} ${describe(context.url)} got no response within ${context.timeoutMs} ms`,
      timeoutMs: typeof context.timeoutMs === 'number' ? context.timeoutMs : 0,
      stage: 'request',
      cause: error,
    });
  }
  if (error instanceof DOMException && error.name === 'AbortError') return error;
  const code = errorCode(error);
  const notConnected = !context.afterResponse && code !== undefined && NOT_CONNECTED_CODES.has(code);
  const what = isNetworkError(error) || code ? `network error${code ? ` (${code})` : ''}` : 'error';
  return new ApiCallError({
    message: `${context.provider}: ${context.method} ${describe(context.url)} failed with a ${what}${
      context.afterResponse ? ' while reading the response' : ''
    }${notConnected ? '; the request was never sent' : ''}`,
    provider: context.provider,
    url: context.url.href,
    method: context.method,
    isRetryable: true,
    provablyNotProcessed: notConnected,
    ...(code ? { code } : {}),
    cause: error,
  });
}

function httpError(
  context: ErrorContext & {
    method: string;
    url: URL;
    response: Response;
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

function defaultErrorInfo(body: unknown): ProviderErrorInfo {
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
