import { ApiCallError } from '../errors/api-call-error.ts';
import type { InsufficientCreditsError } from '../errors/insufficient-credits-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { registerSecret } from '../secrets.ts';
import { type Attempt, startAttempt } from './attempt.ts';
import {
  describe,
  excerpt,
  findRequestId,
  httpError,
  isUnexpectedRedirect,
  refusedDownload,
  transportError,
} from './http-errors.ts';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './http-types.ts';
import { readCapped, readErrorText, readText } from './read-body.ts';
import type { RequestGate, RequestOutcome } from './request-gate.ts';
import { unsafeUrlReason } from './url-safety.ts';

export type { ProviderErrorInfo } from './http-errors.ts';

export type {
  DownloadedBody,
  HttpClient,
  HttpClientOptions,
  HttpRequest,
  HttpResponse,
} from './http-types.ts';

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;
const MAX_REDIRECTS = 5;

let redirectErrorSupport: boolean | undefined;

/**
 * Whether this runtime's `Request` takes `redirect: 'error'`. Cloudflare's workerd knows only
 * `follow` and `manual`; there a streamed body is sent with `manual`, which does not tee it either,
 * and a redirect answering it is refused by hand.
 */
function supportsRedirectError(): boolean {
  if (redirectErrorSupport === undefined) {
    try {
      new Request('http://127.0.0.1/', { redirect: 'error' });
      redirectErrorSupport = true;
    } catch {
      redirectErrorSupport = false;
    }
  }
  return redirectErrorSupport;
}

/** Reports a request's outcome to its gate; a no-op for requests that passed none. */
type Settle = (outcome: RequestOutcome) => void;
const UNGATED: Settle = () => {};

/** What every client made from one {@link createHttpClient} call shares. */
interface ClientCore {
  readonly options: HttpClientOptions;
  readonly baseURL: string;
  readonly origin: string;
  readonly apiKey: () => string;
  readonly fetch: typeof globalThis.fetch;
  readonly defaultTimeout: number;
  readonly maxResponseBytes: number;
  readonly context: {
    provider: string;
    apiKeyEnvVar: string | undefined;
    parseErrorBody: HttpClientOptions['parseErrorBody'];
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
  const baseURL = options.baseURL.replace(/\/+$/, '');
  const given = options.apiKey;
  let key: string | undefined;
  const core: ClientCore = {
    options,
    baseURL,
    origin: new URL(baseURL).origin,
    apiKey: () => {
      if (key === undefined) {
        key = typeof given === 'function' ? given() : given;
        registerSecret(key);
      }
      return key;
    },
    // A wrapper, not `globalThis.fetch` itself: the runtime's own fetch must keep its `this` however
    // it is called (workerd refuses a detached one with "Illegal invocation").
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    defaultTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    context: {
      provider: options.provider,
      apiKeyEnvVar: options.apiKeyEnvVar,
      parseErrorBody: options.parseErrorBody,
    },
  };
  if (typeof given === 'string') core.apiKey();
  return buildClient(core, undefined);
}

function buildClient(core: ClientCore, gate: RequestGate | undefined): HttpClient {
  const { options, context } = core;
  const resolve = (path: string): URL =>
    new URL(/^https?:\/\//i.test(path) ? path : `${core.baseURL}${path}`);
  const readContext = (request: { method: string; url: URL; attempt: Attempt }) => ({
    ...context,
    ...request,
  });

  /**
   * Sends one request, following redirects by hand so the key never reaches another origin. Each hop
   * to the provider's origin passes the gate just before it leaves, and gets the key only then.
   *
   * This is the transport every request of every adapter goes through, so the rate window and the
   * key's origin hold for code that forgets them. It calls the runtime's `fetch` directly: a client
   * library on top built a `Request` that `fetch` then built again, which cost more CPU per edit than
   * the rest of the HTTP layer, for features (retries, timeouts, hooks) this layer already owns.
   */
  async function send(
    method: string,
    url: URL,
    init: {
      json?: unknown;
      form?: FormData;
      headers?: Record<string, string>;
      attempt: Attempt;
      billable?: boolean | undefined;
    },
  ): Promise<{ response: Response; settle: Settle }> {
    // Read before the request: a missing key is the caller's error to fix, not a network failure.
    const authorization = url.origin === core.origin ? `Bearer ${core.apiKey()}` : undefined;
    let current = url;
    let withBody = true;
    // A free request whose redirect fetch refused is sent again with the redirect followed by hand.
    let followByHand = false;
    const billable = (init.billable ?? true) && method === 'POST';
    for (let hop = 0; ; hop++) {
      let response: Response;
      let settle: Settle = UNGATED;
      const own = current.origin === core.origin;
      // fetch copies a request body (a stream tee) to replay it on a redirect, unless redirects are
      // errors and there is no window. For a streamed multipart body the copy would hold every byte
      // sent; for a JSON body it cost about a fifth of the client's CPU per edit, in the copy and its
      // garbage. So bodies are sent with `redirect: 'error'` where the runtime has it, and a redirect
      // answering one fails in fetch: a multipart body or a request that may be billed is then not
      // sent again (see `redirectRefused`); a free JSON request is re-sent with the redirect followed
      // by hand.
      const streamed = init.form !== undefined && withBody;
      const json = init.json !== undefined && withBody;
      const direct = (streamed || (json && !followByHand)) && supportsRedirectError();
      // The provider's own headers go to its origin only: a result URL on another host gets none.
      const headers: Record<string, string> = own
        ? { ...options.headers, ...init.headers }
        : { ...init.headers };
      if (json) headers['content-type'] = 'application/json';
      if (streamed) {
        // fetch writes the multipart boundary into the content type itself.
        for (const name of Object.keys(headers))
          if (name.toLowerCase() === 'content-type') delete headers[name];
      }
      if (own) {
        if (authorization) headers.authorization = authorization;
        if (gate) {
          try {
            settle = await gate.admit({
              method,
              url: current.href,
              signal: init.attempt.signal,
              billable,
            });
          } catch (reason) {
            // The gate's own error (an abort, a hook that stopped the request) goes as it is: nothing
            // left, so it is no transport failure.
            throw init.attempt.callerSignal?.aborted ? init.attempt.callerSignal.reason : reason;
          }
        }
      }
      init.attempt.arm();
      // Built field by field: every request of every edit passes here, and a conditional spread
      // allocates a throw-away object.
      const requestInit: RequestInit & { window?: null } = {
        method,
        headers,
        signal: init.attempt.signal,
        redirect: direct ? 'error' : 'manual',
      };
      if (direct) requestInit.window = null;
      if (json) requestInit.body = JSON.stringify(init.json);
      else if (streamed) requestInit.body = init.form!;
      try {
        const fetchFunction = core.fetch;
        response = await fetchFunction(current.href, requestInit);
      } catch (error) {
        if (direct && !init.attempt.signal.aborted && isUnexpectedRedirect(error)) {
          if (streamed || billable) {
            const refused = redirectRefused({ method, url: current, streamed });
            settle({ error: refused });
            throw refused;
          }
          // A free request: nothing is paid for sending it again, this time to read where it goes.
          settle({ status: 300 });
          followByHand = true;
          continue;
        }
        const failure = transportError(error, readContext({ method, url: current, attempt: init.attempt }));
        settle({ error: failure });
        throw failure;
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response, settle };
      if (streamed || (json && billable)) {
        // Where `redirect: 'error'` is not available (workerd), the same refusal, by hand.
        await response.body?.cancel().catch(() => undefined);
        const refused = redirectRefused({ method, url: current, streamed });
        settle({ error: refused });
        throw refused;
      }
      settle({ status: response.status });
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

  /**
   * A redirect answering a body that is not sent twice: a streamed multipart body (not kept for a
   * replay), or a request that may be billed (the provider may have acted on it before redirecting).
   */
  function redirectRefused(refused: { method: string; url: URL; streamed: boolean }): ApiCallError {
    const { method, url } = refused;
    return new ApiCallError({
      message: refused.streamed
        ? `${options.provider}: ${method} ${describe(url)} answered with a redirect, which a streamed multipart body does not follow`
        : `${options.provider}: ${method} ${describe(url)} answered with a redirect, which is not followed: the request may be billed, so it is not sent again, to the new address or the same one; check the provider's baseURL`,
      provider: options.provider,
      url: url.href,
      method,
    });
  }

  async function readError(
    response: Response,
    request: { method: string; url: URL; attempt: Attempt },
  ): Promise<ApiCallError | InsufficientCreditsError> {
    const text = await readErrorText(response, readContext(request));
    return httpError({
      ...context,
      method: request.method,
      url: request.url,
      response,
      text,
      requestId: findRequestId(response.headers),
    });
  }

  /** Sends, reads the answer with `read`, and tells the gate how it went. */
  async function exchange<T>(
    method: string,
    url: URL,
    init: {
      json?: unknown;
      form?: FormData;
      headers?: Record<string, string>;
      attempt: Attempt;
      billable?: boolean | undefined;
    },
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const { response, settle } = await send(method, url, init);
    try {
      const value = await read(response);
      settle({ status: response.status });
      return value;
    } catch (error) {
      settle({ status: response.status, error });
      throw error;
    }
  }

  return {
    baseURL: core.baseURL,
    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const url = resolve(request.path);
      if (request.query) {
        for (const [name, value] of Object.entries(request.query)) {
          if (value !== undefined) url.searchParams.set(name, String(value));
        }
      }
      const attempt = startAttempt({
        signal: request.signal,
        timeoutMs: request.timeoutMs ?? core.defaultTimeout,
      });
      let response!: Response;
      let text: string;
      try {
        text = await exchange(
          request.method,
          url,
          {
            json: request.json,
            form: request.form,
            headers: request.headers,
            attempt,
            billable: request.billable,
          },
          async (answer) => {
            response = answer;
            if (!answer.ok) throw await readError(answer, { method: request.method, url, attempt });
            return readText(
              answer,
              core.maxResponseBytes,
              readContext({ method: request.method, url, attempt }),
            );
          },
        );
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
      const answer: HttpResponse<T> = {
        status: response.status,
        data,
        headers: response.headers,
        url: url.href,
      };
      if (requestId) answer.requestId = requestId;
      return answer;
    },

    async stream(request) {
      const url = resolve(request.path);
      const attempt = startAttempt({ signal: request.signal, timeoutMs: core.defaultTimeout });
      try {
        return await exchange(
          'GET',
          url,
          { headers: { accept: 'text/event-stream', ...request.headers }, attempt },
          async (response) => {
            if (!response.ok || !response.body)
              throw await readError(response, { method: 'GET', url, attempt });
            return { body: response.body, headers: response.headers };
          },
        );
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
        timeoutMs: downloadOptions.timeoutMs ?? core.defaultTimeout,
      });
      try {
        return await exchange('GET', url, { attempt }, async (response) => {
          const served = new URL(response.url || url.href);
          if (!response.ok) {
            throw refusedDownload(await readError(response, { method: 'GET', url: served, attempt }), served);
          }
          const bytes = await readCapped(
            response,
            maxBytes,
            readContext({ method: 'GET', url: served, attempt }),
          );
          const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
          return { bytes, url: served.href, ...(contentType ? { contentType } : {}) };
        });
      } finally {
        attempt.finish();
      }
    },

    withGate(next) {
      return buildClient(core, next);
    },
  };
}
