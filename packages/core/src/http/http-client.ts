import type { ZodMiniType } from 'zod/mini';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { lazyModule } from '../lazy-module.ts';
import { registerSecret } from '../secrets.ts';
import { describe, excerpt, findRequestId, refusedDownload, tooLarge } from './http-errors.ts';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './http-types.ts';
import { type ClientCore, type Hop, type Sent, send } from './redirects.ts';
import type { RequestGate } from './request-gate.ts';
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
/**
 * How many times ky resends a result download after a network error, a 408, 429 or 5xx, waiting as
 * the server's `Retry-After` says. Each resend to the provider's origin passes the lane's gate again.
 */
const READ_RETRIES = 2;

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
  const apiKey = (): string => {
    if (key === undefined) {
      key = typeof given === 'function' ? given() : given;
      registerSecret(key);
    }
    return key;
  };
  if (typeof given === 'string') apiKey();
  const core: ClientCore = {
    options,
    baseURL,
    apiKey,
    origin: new URL(baseURL).origin,
    transport: lazyModule(
      () =>
        import('./transport.ts').then(({ createTransport }) =>
          createTransport({
            provider: options.provider,
            apiKeyEnvVar: options.apiKeyEnvVar,
            parseErrorBody: options.parseErrorBody,
            authorization: () => `Bearer ${apiKey()}`,
            timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            // A wrapper, not `globalThis.fetch` itself: the runtime's own fetch must keep its `this`
            // however it is called (workerd refuses a detached one with "Illegal invocation").
            fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
          }),
        ),
      'the HTTP transport (ky)',
    ),
    defaultTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
  return buildClient(core, undefined);
}

function buildClient(core: ClientCore, gate: RequestGate | undefined): HttpClient {
  const { options } = core;
  const resolve = (path: string): URL =>
    new URL(/^https?:\/\//i.test(path) ? path : `${core.baseURL}${path}`);

  return {
    baseURL: core.baseURL,

    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const url = resolve(request.path);
      if (request.query) {
        for (const [name, value] of Object.entries(request.query)) {
          if (value !== undefined) url.searchParams.set(name, String(value));
        }
      }
      const sent = await send(core, {
        gate,
        method: request.method,
        url,
        json: request.json,
        form: request.form,
        headers: request.headers,
        signal: request.signal,
        timeoutMs: request.timeoutMs ?? core.defaultTimeout,
        billable: request.billable,
        retry: request.method === 'GET' ? (request.retry ?? 0) : 0,
        maxResponseBytes: core.maxResponseBytes,
        onUploadProgress: request.onUploadProgress,
      });
      refuseDeclaredOverCap(sent, core.maxResponseBytes, options.provider);
      const text = await sent.pending.text();
      const { response, hop } = sent;
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch (error) {
        throw new InvalidResponseError({
          message: `${options.provider}: ${hop.method} ${describe(url)} answered ${response.status} with a body that is not JSON`,
          provider: options.provider,
          url: url.href,
          excerpt: excerpt(text),
          cause: error,
        });
      }
      let data = body as T;
      if (request.schema) {
        // Schemas of zod and of zod/mini both parse with safeParse.
        const parsed = (request.schema as unknown as SafeParsing<T>).safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const path = issue.path.map(String).join('.');
          throw new InvalidResponseError({
            message: `${options.provider}: ${hop.method} ${describe(url)} returned an unexpected payload at "${path || '(root)'}": ${issue.message}`,
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
      const requestId = findRequestId(response.headers);
      if (requestId) answer.requestId = requestId;
      return answer;
    },

    async stream(request) {
      const url = resolve(request.path);
      const { response, hop } = await send(core, {
        gate,
        method: 'GET',
        url,
        headers: { accept: 'text/event-stream', ...request.headers },
        signal: request.signal,
        // The per-attempt timeout covers the headers; the body is read as long as the caller listens.
        timeoutMs: core.defaultTimeout,
        retry: 0,
        maxResponseBytes: Number.POSITIVE_INFINITY,
      });
      if (!response.body) {
        throw new InvalidResponseError({
          message: `${options.provider}: GET ${describe(hop.url)} answered ${response.status} without a body to stream`,
          provider: options.provider,
          url: hop.url.href,
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
      let hop: Hop | undefined;
      try {
        const sent = await send(core, {
          gate,
          method: 'GET',
          url,
          signal: downloadOptions.signal,
          timeoutMs: downloadOptions.timeoutMs ?? core.defaultTimeout,
          retry: READ_RETRIES,
          maxResponseBytes: downloadOptions.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
          onHop: (current) => {
            hop = current;
          },
        });
        refuseDeclaredOverCap(sent, downloadOptions.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES, options.provider);
        const bytes = new Uint8Array(await sent.pending.arrayBuffer());
        const contentType = sent.response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
        return { bytes, url: sent.hop.url.href, ...(contentType ? { contentType } : {}) };
      } catch (error) {
        throw hop ? refusedDownload(error, hop.url) : error;
      }
    },

    requireApiKey() {
      core.apiKey();
    },

    withGate(next) {
      return buildClient(core, next);
    },
  };
}

/**
 * An answer that declares more than the cap is refused before a byte of it is read; the transport's
 * `capResponse` counts what arrives, for answers that declare nothing or a compressed length.
 */
function refuseDeclaredOverCap(sent: Sent, maxBytes: number, provider: string): void {
  const declared = Number(sent.response.headers.get('content-length'));
  if (!Number.isFinite(declared) || declared <= maxBytes || sent.response.headers.has('content-encoding'))
    return;
  void sent.response.body?.cancel().catch(() => undefined);
  throw tooLarge({ provider, method: sent.hop.method, url: sent.hop.url }, maxBytes);
}

/** What the client needs of a zod schema (`zod` or `zod/mini`): its `safeParse`. */
interface SafeParsing<T> {
  safeParse(value: unknown): ReturnType<ZodMiniType<T>['safeParse']>;
}
