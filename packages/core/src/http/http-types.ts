import type { $ZodType } from 'zod/v4/core';
import type { ProviderErrorInfo } from './http-errors.ts';
import type { RequestGate } from './request-gate.ts';

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Provider id used in errors, e.g. `oxen`. */
  provider: string;
  /** The provider's API origin and base path, e.g. `https://hub.oxen.ai`. The key is sent only here. */
  baseURL: string;
  /**
   * The API key, sent as `Authorization: Bearer` to `baseURL`'s origin only, and redacted everywhere.
   * A function is called at the first request, so a provider can be created before its key is set (a
   * missing key then fails that request, not the creation).
   */
  apiKey: string | (() => string);
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
  /** Validates the 2xx JSON body (a zod or `zod/mini` schema); a mismatch is an `InvalidResponseError`. */
  schema?: $ZodType<T>;
  /** Aborts the request; the abort error passes through unwrapped. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout; `false` for none. */
  timeoutMs?: number | false;
  /** Extra headers. */
  headers?: Record<string, string>;
  /**
   * Whether the provider may bill this request. A `POST` is taken to be billable unless this says
   * `false` (an upload, a free lookup), so the dispatcher knows whether a failure could have cost money.
   * A billable request answered with a redirect is not followed (the provider may have acted on it):
   * it fails with an `ApiCallError`. A free one is followed, to the provider's origin only with the key.
   * @default method === 'POST'
   */
  billable?: boolean;
  /**
   * For a `GET`: how many times the transport may send it again after a network error, a 408, 429 or
   * 5xx, waiting as `Retry-After` (or a rate-limit reset header) says, each time through the lane's
   * gate. For reads nothing else retries: a catalogue, a price list. Reads the dispatcher drives (a
   * job's status) keep the default, since the dispatcher retries them itself, with progress events and
   * the job's deadline. Ignored for other methods: the dispatcher alone decides whether a request that
   * may be billed is sent again.
   * @default 0
   */
  retry?: number;
  /** Hears how much of a multipart body has been sent, as it streams out. */
  onUploadProgress?: (progress: HttpUploadProgress) => void;
}

/** How far a multipart upload has gone. */
export interface HttpUploadProgress {
  /** From 0 to 1; 0 while the total is unknown. */
  percent: number;
  /** Bytes sent so far. */
  transferredBytes: number;
  /** The body's size in bytes, when known; 0 otherwise. */
  totalBytes: number;
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
  /**
   * Reads the API key now, throwing what reading it throws (a missing key's error, from a key given as
   * a function). The dispatcher calls it before it prepares, estimates or sends anything, so a missing
   * key is reported as such rather than as whatever the first step without it would fail with.
   */
  requireApiKey(): void;
  /**
   * The same client with every request to the provider's origin passing `gate` first (replacing any
   * gate this client had). The dispatcher hands adapters clients bound to the provider's lane this way.
   */
  withGate(gate: RequestGate): HttpClient;
}
