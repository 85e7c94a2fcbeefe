import ky, {
  type BeforeErrorState,
  type BeforeRequestState,
  type BeforeRetryState,
  isHTTPError,
  isNetworkError,
  isResponseSizeError,
  isTimeoutError,
  type KyInstance,
  type KyRequest,
} from 'ky';
import { ApiCallError } from '../errors/api-call-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { type Hop, tell, UnexpectedRedirect } from './hop.ts';
import {
  describe,
  type ErrorContext,
  errorCode,
  findRequestId,
  httpError,
  NOT_CONNECTED_CODES,
  tooLarge,
} from './http-errors.ts';
import { capResponse } from './response-cap.ts';

/** What the transport needs of the client it serves. */
export interface TransportSettings extends ErrorContext {
  /** Reads the key, at the first request to the provider's origin. */
  authorization(): string;
  fetch: typeof globalThis.fetch;
  /** Each attempt's time limit unless a request sets its own, in milliseconds, or `false`. */
  timeoutMs: number | false;
}

const hopOf = (options: { context: Record<string, unknown> }): Hop => options.context.hop as Hop;

/**
 * The one ky instance of a provider client. Its hooks hold the guarantees every request must keep,
 * whichever adapter sends it:
 *
 * - `beforeRequest` and `beforeRetry` admit each attempt at the lane's gate and set the key, for the
 *   provider's origin only;
 * - `beforeRetry` and `beforeError` tell the gate how a failed attempt went (a 429 pauses the lane)
 *   and make Retouch's typed error from ky's (an error answer, a network failure, a timeout, a size);
 *   a successful attempt is told by the client once ky hands its answer over.
 *
 * No `afterResponse` hook: ky hands each one a copy of the response, a tee of its body, which cost
 * every request a second stream for a status the client reads anyway.
 *
 * ky's `retry` is off by default: a request that may be billed is resent only by the dispatcher, which
 * knows whether the provider may have acted on it. Idempotent reads ask for it per request.
 */
export function createTransport(settings: TransportSettings): KyInstance {
  return ky.create({
    retry: 0,
    timeout: settings.timeoutMs,
    // Redirects are followed by hand (`send`), hop by hop.
    redirect: 'manual',
    throwHttpErrors: (status) => status >= 400,
    // fetch keeps a copy of a request body to replay it on a redirect unless redirects are errors and
    // there is no window: both must reach fetch itself, which builds its own Request from ky's.
    fetch: async (input, init) => {
      const response = await settings.fetch(
        input,
        input instanceof Request && input.redirect === 'error' ? { ...init, window: null } : init,
      );
      // The status line is known before ky reads a byte: an error answer too large to read is still
      // reported with its status.
      const hop = input instanceof Request ? sending.get(input) : undefined;
      if (!hop) return response;
      hop.answered = { status: response.status, headers: response.headers };
      return capResponse({
        response,
        request: input as Request,
        maxBytes: hop.maxResponseBytes,
        onExceeded: (error) => {
          hop.sizeError = error;
        },
      });
    },
    hooks: {
      beforeRequest: [({ request, options }: BeforeRequestState) => admit(hopOf(options), request, settings)],
      beforeRetry: [
        ({ request, options, error }: BeforeRetryState) => {
          const hop = hopOf(options);
          attemptFailed({ hop, error, settings });
          return admit(hop, request, settings);
        },
      ],
      beforeError: [
        ({ error, options }: BeforeErrorState) => {
          const typed = attemptFailed({ hop: hopOf(options), error, settings });
          // ky keeps its own error when a hook returns something that is not an Error (an abort's reason).
          return typed instanceof Error ? typed : error;
        },
      ],
    },
  });
}

/** Makes the typed error of a failed attempt and tells the gate how it went (a 429 pauses the lane). */
function attemptFailed(options: { hop: Hop; error: Error; settings: ErrorContext }): unknown {
  const { hop, error } = options;
  const typed = typedError(error, hop, options.settings);
  tell(hop, isHTTPError(error) ? { status: error.response.status, error: typed } : { error: typed });
  return typed;
}

/** The hop each request handed to fetch belongs to. */
const sending = new WeakMap<Request, Hop>();

/** Waits at the gate and sets the key, for a request to the provider's origin. */
async function admit(hop: Hop, request: KyRequest, settings: TransportSettings): Promise<void> {
  sending.set(request, hop);
  if (!hop.own) return;
  request.headers.set('authorization', settings.authorization());
  if (!hop.gate) return;
  try {
    hop.settle = await hop.gate.admit({
      method: hop.method,
      url: hop.url.href,
      signal: hop.callerSignal,
      billable: hop.billable,
    });
  } catch (reason) {
    // The gate's own error (an abort, a hook that stopped the request) goes as it is: nothing left.
    throw hop.callerSignal?.aborted ? hop.callerSignal.reason : reason;
  }
}

/** Retouch's typed error for what ky threw. */
export function typedError(thrown: unknown, hop: Hop, settings: ErrorContext): unknown {
  if (hop.callerSignal?.aborted) return hop.callerSignal.reason;
  // Chromium's body readers replace a stream's error with a bare TypeError: the cap's error stands.
  const error = hop.sizeError !== undefined && thrown instanceof TypeError ? hop.sizeError : thrown;
  if (isHTTPError(error)) {
    const { response, data } = error;
    return httpError({
      ...settings,
      method: hop.method,
      url: hop.url,
      response,
      // ky has read the error body (JSON parsed when it says so); it is read again as text here.
      text: typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data),
      requestId: findRequestId(response.headers),
    });
  }
  if (isTimeoutError(error)) {
    return new TimeoutError({
      message: `${settings.provider}: ${hop.method} ${describe(hop.url)} ${
        hop.answered ? 'did not finish sending its body' : 'got no response'
      } within ${hop.timeoutMs} ms`,
      timeoutMs: typeof hop.timeoutMs === 'number' ? hop.timeoutMs : 0,
      // Every deadline of this layer is one attempt's, which the dispatcher may retry.
      stage: 'request',
      cause: error,
    });
  }
  if (isResponseSizeError(error) && hop.answered && hop.answered.status >= 400) {
    return httpError({
      ...settings,
      method: hop.method,
      url: hop.url,
      response: hop.answered,
      text: '',
      requestId: findRequestId(hop.answered.headers),
    });
  }
  if (isResponseSizeError(error)) {
    return tooLarge({ ...settings, method: hop.method, url: hop.url }, error.maxResponseSize);
  }
  if (isUnexpectedRedirect(error)) return new UnexpectedRedirect({ cause: error });
  if (isNetworkError(error) || isBodyCutOff(error)) return networkError(error, hop, settings);
  return error;
}

function networkError(error: unknown, hop: Hop, settings: ErrorContext): ApiCallError {
  const afterResponse = hop.answered !== undefined;
  const code = errorCode(error);
  const notConnected = !afterResponse && code !== undefined && NOT_CONNECTED_CODES.has(code);
  return new ApiCallError({
    message: `${settings.provider}: ${hop.method} ${describe(hop.url)} failed with a network error${
      code ? ` (${code})` : ''
    }${afterResponse ? ' while reading the response' : ''}${notConnected ? '; the request was never sent' : ''}`,
    provider: settings.provider,
    url: hop.url.href,
    method: hop.method,
    isRetryable: true,
    provablyNotProcessed: notConnected,
    ...(code ? { code } : {}),
    cause: error,
  });
}

/** A body cut off by the network while it was read outside ky's shortcuts (a stream, a download). */
function isBodyCutOff(error: unknown): boolean {
  return error instanceof TypeError && (error.message === 'terminated' || errorCode(error) !== undefined);
}

function isUnexpectedRedirect(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message === 'unexpected redirect') return true;
    current = current.cause;
  }
  return false;
}
