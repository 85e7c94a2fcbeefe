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

type KyModule = typeof import('ky');
let kyLoading: Promise<KyModule> | undefined;
let kyLoaded: KyModule | undefined;

/**
 * ky is loaded on the first request, not when `@retouch/core` is imported: its module probes the
 * runtime by building a `Request`, which loads Node's whole fetch implementation, a cost a program
 * that imports Retouch but has not sent anything yet should not pay at start-up.
 */
async function loadKy(): Promise<KyModule> {
  if (kyLoaded) return kyLoaded;
  kyLoading ??= import('ky').then((module) => {
    kyLoaded = module;
    return module;
  });
  return kyLoading;
}

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
/** An error body is only read for its message: a proxy's 200 KB HTML page must not hide the status. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
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
 * The deadline of one attempt. It covers the response headers and the whole body: ky's own timeout
 * stops at the headers, so a server that sends headers and then stalls would hang the caller forever.
 */
interface Attempt {
  /** Aborts on the caller's signal or at the deadline. */
  readonly signal: AbortSignal;
  /** The caller's signal, whose reason is passed through unwrapped. */
  readonly callerSignal: AbortSignal | undefined;
  readonly timeoutMs: number | false;
  timedOut(): boolean;
  /** Stops the clock once the headers are in, for a stream, whose body the caller's signal still aborts. */
  stopClock(): void;
  /** Stops the clock and lets go of the caller's signal, once the body is read. */
  finish(): void;
}

function startAttempt(options: { signal: AbortSignal | undefined; timeoutMs: number | false }): Attempt {
  // One controller fired by the caller's signal or the deadline. Linked by hand rather than with
  // AbortSignal.any, whose dependent signals cost every request extra bookkeeping and garbage.
  const controller = new AbortController();
  const callerSignal = options.signal;
  let timedOut = false;
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer =
    options.timeoutMs === false
      ? undefined
      : setTimeout(() => {
          if (controller.signal.aborted) return;
          timedOut = true;
          controller.abort(new DOMException('The attempt timed out', 'TimeoutError'));
        }, options.timeoutMs);
  return {
    signal: controller.signal,
    callerSignal,
    timeoutMs: options.timeoutMs,
    timedOut: () => timedOut,
    stopClock: () => clearTimeout(timer),
    finish: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

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
  // The key and the provider's own headers go to the provider's origin only: a result URL or a
  // redirect on another host gets neither.
  const headersFor = (url: URL, extra?: Record<string, string>): Record<string, string> =>
    url.origin === origin
      ? { ...options.headers, ...extra, authorization: `Bearer ${options.apiKey}` }
      : { ...extra };

  async function send(
    method: string,
    url: URL,
    init: { json?: unknown; form?: FormData; headers?: Record<string, string>; attempt: Attempt },
  ): Promise<Response> {
    const { default: ky } = kyLoaded ?? (await loadKy());
    let current = url;
    let withBody = true;
    for (let hop = 0; ; hop++) {
      let response: Response;
      // fetch tees a request body to replay it on a redirect unless redirects are errors, and the
      // branch kept for the replay holds every byte sent: a streamed multipart body would end up
      // whole in memory. So a form body is sent with `redirect: 'error'` (and no window, the other
      // condition), and a redirect answering it fails instead of being followed.
      const streamed = init.form !== undefined && withBody;
      try {
        response = await ky(current, {
          method,
          ...(init.json !== undefined && withBody ? { json: init.json } : {}),
          ...(streamed ? { body: init.form, window: null } : {}),
          headers: headersFor(current, init.headers),
          signal: init.attempt.signal,
          // The attempt's own deadline covers the body too; see startAttempt.
          timeout: false,
          retry: { limit: 0 },
          throwHttpErrors: false,
          redirect: streamed ? 'error' : 'manual',
          fetch: fetchImplementation,
        });
      } catch (error) {
        if (streamed && !init.attempt.signal.aborted && isUnexpectedRedirect(error)) {
          throw new ApiCallError({
            message: `${options.provider}: ${method} ${describe(current)} answered with a redirect, which a streamed multipart body does not follow`,
            provider: options.provider,
            url: current.href,
            method,
          });
        }
        throw transportError(error, { ...context, method, url: current, attempt: init.attempt });
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      const refuse = (why: string): ApiCallError =>
        new ApiCallError({
          message: `${options.provider}: ${method} ${describe(current)} ${why}`,
          provider: options.provider,
          url: current.href,
          method,
          statusCode: response.status,
        });
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw refuse(`redirected to an invalid location, which is not followed`);
      }
      // As fetch does: 303 turns any method into GET, 301 and 302 turn a POST into GET; 307 and 308
      // repeat the request with its body (FastAPI answers a trailing-slash mismatch with a 307).
      const nextMethod =
        response.status === 303 || (method === 'POST' && response.status <= 302) ? 'GET' : method;
      const reason = unsafeUrlReason(next);
      if (reason) throw refuse(`redirected to ${next.origin}, which is not followed (${reason})`);
      if (hop >= MAX_REDIRECTS) throw refuse(`redirected more than ${MAX_REDIRECTS} times`);
      if (next.origin !== current.origin && nextMethod !== 'GET') {
        throw refuse(`redirected to ${next.origin}, another origin, to which a ${method} is not re-sent`);
      }
      withBody &&= nextMethod === method;
      current = next;
      method = nextMethod;
    }
  }

  async function readError(
    response: Response,
    request: { method: string; url: URL; attempt: Attempt },
  ): Promise<ApiCallError | InsufficientCreditsError> {
    const text = await readErrorText(response, { ...context, ...request });
    return httpError({
      ...context,
      method: request.method,
      url: request.url,
      response,
      text,
      requestId: findRequestId(response.headers),
    });
  }

  return {
    baseURL,
    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const url = resolve(request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      const attempt = startAttempt({
        signal: request.signal,
        timeoutMs: request.timeoutMs ?? defaultTimeout,
      });
      let response: Response;
      let text: string;
      try {
        response = await send(request.method, url, {
          json: request.json,
          form: request.form,
          headers: request.headers,
          attempt,
        });
        if (!response.ok) throw await readError(response, { method: request.method, url, attempt });
        text = await readText(response, maxResponseBytes, {
          ...context,
          method: request.method,
          url,
          attempt,
        });
      } finally {
        attempt.finish();
      }
      const requestId = findRequestId(response.headers);
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
      const attempt = startAttempt({ signal: request.signal, timeoutMs: defaultTimeout });
      try {
        const response = await send('GET', url, {
          headers: { accept: 'text/event-stream', ...request.headers },
          attempt,
        });
        if (!response.ok || !response.body) throw await readError(response, { method: 'GET', url, attempt });
        return { body: response.body, headers: response.headers };
      } catch (error) {
        attempt.finish();
        throw error;
      } finally {
        attempt.stopClock();
      }
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
      const maxBytes = downloadOptions.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      const attempt = startAttempt({
        signal: downloadOptions.signal,
        timeoutMs: downloadOptions.timeoutMs ?? defaultTimeout,
      });
      try {
        const response = await send('GET', url, { attempt });
        const served = new URL(response.url || url.href);
        if (!response.ok) {
          throw refusedDownload(await readError(response, { method: 'GET', url: served, attempt }), served);
        }
        const bytes = await readCapped(response, maxBytes, {
          ...context,
          method: 'GET',
          url: served,
          attempt,
        });
        const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
        return { bytes, url: served.href, ...(contentType ? { contentType } : {}) };
      } finally {
        attempt.finish();
      }
    },
  };
}

interface ErrorContext {
  provider: string;
  apiKeyEnvVar?: string | undefined;
  parseErrorBody?: ((status: number, body: unknown) => ProviderErrorInfo | undefined) | undefined;
}

type ReadContext = ErrorContext & { method: string; url: URL; attempt: Attempt };

function isUnexpectedRedirect(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message === 'unexpected redirect') return true;
    current = current.cause;
  }
  return false;
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

/** Decoding a whole body at once keeps no state between calls, so one decoder serves every response. */
const utf8 = new TextDecoder();

async function readText(response: Response, maxBytes: number, context: ReadContext): Promise<string> {
  // A declared length within the cap is enforced by fetch itself (a longer body is an error), so the
  // body can be read by fetch's own path, without a chunk loop in JavaScript: the common case. Not for
  // a compressed body, whose declared length says nothing of its decoded size.
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) <= maxBytes && !response.headers.has('content-encoding')) {
    try {
      return await response.text();
    } catch (error) {
      throw transportError(error, { ...context, afterResponse: true });
    }
  }
  return utf8.decode(await readCapped(response, maxBytes, context));
}

async function readCapped(response: Response, maxBytes: number, context: ReadContext): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
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
        await reader.cancel().catch(() => undefined);
        throw tooLarge(context, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (InvalidResponseError.isInstance(error)) throw error;
    throw transportError(error, { ...context, afterResponse: true });
  }
  return concat(chunks, total);
}

/**
 * Reads at most {@link MAX_ERROR_BODY_BYTES} of an error body, never failing on size: the status is
 * what matters. A body cut short by the network still yields the status error; an abort or the
 * deadline does not.
 */
async function readErrorText(response: Response, context: ReadContext): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    while (total < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    if (total >= MAX_ERROR_BODY_BYTES) await reader.cancel().catch(() => undefined);
  } catch (error) {
    if (context.attempt.callerSignal?.aborted || context.attempt.timedOut()) {
      throw transportError(error, { ...context, afterResponse: true });
    }
  }
  return new TextDecoder().decode(concat(chunks, total).subarray(0, MAX_ERROR_BODY_BYTES));
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
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

function transportError(error: unknown, context: ReadContext & { afterResponse?: boolean }): unknown {
  const { attempt } = context;
  if (attempt.callerSignal?.aborted) return attempt.callerSignal.reason;
  if (attempt.timedOut()) {
    return new TimeoutError({
      message: `${context.provider}: ${context.method} ${describe(context.url)} ${
        context.afterResponse ? 'did not finish sending its body' : 'got no response'
      } within ${attempt.timeoutMs} ms`,
      timeoutMs: typeof attempt.timeoutMs === 'number' ? attempt.timeoutMs : 0,
      // Every deadline of this layer is one attempt's, which the dispatcher may retry.
      stage: 'request',
      cause: error,
    });
  }
  if (error instanceof DOMException && error.name === 'AbortError') return error;
  const code = errorCode(error);
  const notConnected = !context.afterResponse && code !== undefined && NOT_CONNECTED_CODES.has(code);
  const what = kyLoaded?.isNetworkError(error) || code ? `network error${code ? ` (${code})` : ''}` : 'error';
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

/**
 * A result URL that is refused or gone has almost always expired: providers hand out signed,
 * short-lived URLs. Reported as an authentication problem, it would send the user to check a key that
 * is fine (and the URL usually carries no key at all).
 */
function refusedDownload(
  error: ApiCallError | InsufficientCreditsError,
  url: URL,
): ApiCallError | InsufficientCreditsError {
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
