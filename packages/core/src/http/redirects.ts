import type { KyInstance, Options, ResponsePromise } from 'ky';
import { ApiCallError } from '../errors/api-call-error.ts';
import type { LazyModule } from '../lazy-module.ts';
import { type Hop, tell, UnexpectedRedirect } from './hop.ts';
import { describe } from './http-errors.ts';
import type { HttpClientOptions, HttpUploadProgress } from './http-types.ts';
import type { RequestGate } from './request-gate.ts';
import { unsafeUrlReason } from './url-safety.ts';

export type { Hop } from './hop.ts';

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

/** What every client made from one `createHttpClient` call shares. */
export interface ClientCore {
  readonly options: HttpClientOptions;
  readonly baseURL: string;
  /** The key, read once: a key given as a function is called at the first request or check. */
  readonly apiKey: () => string;
  readonly origin: string;
  /**
   * The provider's ky instance, whose hooks admit, authorize and type every request. Loaded with the
   * first request, so importing Retouch does not load ky, nor the runtime's fetch that ky probes.
   */
  readonly transport: LazyModule<KyInstance>;
  readonly defaultTimeout: number;
  readonly maxResponseBytes: number;
}

/** One request as the client hands it to {@link send}. */
export interface Outgoing {
  gate: RequestGate | undefined;
  method: string;
  url: URL;
  json?: unknown;
  form?: FormData | undefined;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs: number | false;
  billable?: boolean | undefined;
  /** How many times ky may resend an idempotent read. */
  retry: number;
  maxResponseBytes: number;
  onUploadProgress?: ((progress: HttpUploadProgress) => void) | undefined;
  /** Hears each hop as it is made. */
  onHop?: (hop: Hop) => void;
}

/** The answer of the last hop: a status below 300, whose body is still to be read through `pending`. */
export interface Sent {
  pending: ResponsePromise;
  response: Response;
  hop: Hop;
}

/**
 * Sends one request through the provider's ky instance, following redirects by hand so that each hop
 * is judged on its own: the key and the gate go to the provider's origin only, a redirect to an unsafe
 * or foreign address is refused, and a body that may be billed (or is streamed) is never sent twice.
 *
 * fetch follows no redirect itself here. A request with a body goes with `redirect: 'error'` (no replay
 * copy of the body is kept); a redirect answering it fails in fetch, and a free JSON request is then
 * sent again with the redirect read by hand. Others go with `redirect: 'manual'`.
 */
export async function send(core: ClientCore, outgoing: Outgoing): Promise<Sent> {
  const { options } = core;
  let method = outgoing.method;
  let current = outgoing.url;
  let withBody = true;
  let followByHand = false;
  const billable = (outgoing.billable ?? true) && method === 'POST';
  for (let hop = 0; ; hop++) {
    const own = current.origin === core.origin;
    const streamed = outgoing.form !== undefined && withBody;
    const json = outgoing.json !== undefined && withBody;
    const direct = (streamed || (json && !followByHand)) && supportsRedirectError();
    // The provider's own headers go to its origin only: a result URL on another host gets none.
    const headers: Record<string, string> = own
      ? { ...options.headers, ...outgoing.headers }
      : { ...outgoing.headers };
    if (streamed) {
      // fetch writes the multipart boundary into the content type itself.
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'content-type') delete headers[name];
    }
    const state: Hop = {
      method,
      url: current,
      own,
      billable,
      gate: own ? outgoing.gate : undefined,
      callerSignal: outgoing.signal,
      timeoutMs: outgoing.timeoutMs,
      maxResponseBytes: outgoing.maxResponseBytes,
      sizeError: undefined,
      settle: undefined,
      answered: undefined,
    };
    outgoing.onHop?.(state);
    const transport = core.transport.loaded() ?? (await core.transport());
    // Only what differs from the instance's defaults: ky merges each option given into them, per request.
    const request: Options = { method, context: { hop: state } };
    if (Object.keys(headers).length > 0) request.headers = headers;
    if (outgoing.signal) request.signal = outgoing.signal;
    if (outgoing.timeoutMs !== core.defaultTimeout) request.timeout = outgoing.timeoutMs;
    // The instance leaves redirects to this loop (`manual`); a body fetch keeps no replay copy of goes `error`.
    if (direct) request.redirect = 'error';
    // The instance resends nothing: only an idempotent read asks for retries.
    if (outgoing.retry > 0) request.retry = { limit: outgoing.retry, methods: ['get'] };
    // The cap is kept by the transport's fetch (`capResponse`), for the answers that need it.
    if (json) request.json = outgoing.json;
    if (streamed) request.body = outgoing.form;
    if (streamed && outgoing.onUploadProgress) request.onUploadProgress = outgoing.onUploadProgress;
    const pending = transport(current, request);
    let response: Response;
    try {
      response = await pending;
    } catch (error) {
      if (!UnexpectedRedirect.isInstance(error)) throw error;
      if (streamed || billable) throw redirectRefused({ options, method, url: current, streamed });
      // A free request: nothing is paid for sending it again, this time to read where it goes.
      followByHand = true;
      continue;
    }
    state.answered = { status: response.status, headers: response.headers };
    tell(state, { status: response.status });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) {
      return { pending, response, hop: state };
    }
    void response.body?.cancel().catch(() => undefined);
    if (streamed || (json && billable)) {
      // Where `redirect: 'error'` is not available (workerd), the same refusal, by hand.
      throw redirectRefused({ options, method, url: current, streamed });
    }
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
function redirectRefused(refused: {
  options: ClientCore['options'];
  method: string;
  url: URL;
  streamed: boolean;
}): ApiCallError {
  const { method, url, options } = refused;
  return new ApiCallError({
    message: refused.streamed
      ? `${options.provider}: ${method} ${describe(url)} answered with a redirect, which a streamed multipart body does not follow`
      : `${options.provider}: ${method} ${describe(url)} answered with a redirect, which is not followed: the request may be billed, so it is not sent again, to the new address or the same one; check the provider's baseURL`,
    provider: options.provider,
    url: url.href,
    method,
  });
}
