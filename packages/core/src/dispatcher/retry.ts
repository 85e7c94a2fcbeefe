import { ApiCallError } from '../errors/api-call-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';

/**
 * How the dispatcher retries failed calls to a provider.
 *
 * Reads (status polls, cancels) are retried whenever the error is retryable. A billable submission
 * (an edit POST, a queue enqueue) is sent again only when the provider provably did not accept the
 * first one (a 429, a 503, or a connection refused before anything was sent), so a retry never pays
 * twice; `retryUnsafeSubmissions` lifts that rule.
 *
 * @example
 * const retouch = createRetouch({ providers: [oxen], retry: { maxRetries: 4, initialDelayMs: 500 } });
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt of each call (0 turns retrying off). Answers of 429 are counted
   * apart, in `maxRateLimitRetries`.
   *
   * Status reads of a job the provider has accepted are not bounded by either count: the job may be
   * billed, so a failed read is retried (backing off up to the poll interval or 5 s) until the job
   * settles, the edit's `timeoutMs` passes or it is cancelled. Without a `timeoutMs` that wait has no
   * end while the provider stays down; each retry is reported as a `retrying` progress event naming the
   * job. Only an answer that cannot improve by asking again ends it: a 404 on the job, an error that
   * is not retryable, or `maxRetries` unusable answers in a row.
   * @default 2
   */
  maxRetries?: number;
  /**
   * Retries of one call after 429 answers. Throttling is flow control rather than failure: each 429
   * pauses the whole lane (and an adaptive lane slows down), so a burst that overshoots an unknown limit
   * is delayed, not lost. This bounds the wait when a provider keeps refusing.
   * @default 10
   */
  maxRateLimitRetries?: number;
  /**
   * The backoff ceiling of the first retry, in milliseconds; it doubles each retry. The actual delay is
   * drawn uniformly below the ceiling ("full jitter"), so many clients that failed together do not
   * retry together. A `Retry-After` from the provider replaces it.
   * @default 1000
   */
  initialDelayMs?: number;
  /**
   * The largest backoff ceiling, in milliseconds. A provider's `Retry-After` is honoured even when longer.
   * @default 30000
   */
  maxDelayMs?: number;
  /**
   * Also resend a billable submission whose first attempt may have been accepted (a 5xx after the body
   * was sent, a dropped connection, a timeout). The provider may then run, and bill, the edit twice.
   * @default false
   */
  retryUnsafeSubmissions?: boolean;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** A billable submission, or a free read that may be repeated at will. */
export type OperationKind = 'submission' | 'read';

/** What {@link decideRetry} concluded about one failed attempt. */
export type RetryDecision =
  | {
      retry: true;
      /** Milliseconds to wait before the next attempt. */
      delayMs: number;
      /** Why the attempt failed and why another is safe, in words. */
      reason: string;
    }
  | {
      retry: false;
      /**
       * `not-retryable`: trying again cannot help (or the error is not a provider failure).
       * `may-have-been-processed`: a billable submission may have been accepted, so it is not resent.
       * `exhausted`: `maxRetries` retries (or `maxRateLimitRetries` after 429s) were made.
       */
      outcome: 'not-retryable' | 'may-have-been-processed' | 'exhausted';
      /** Why no retry follows, in words; empty for `not-retryable`. */
      reason: string;
    };

/** The defaults of {@link RetryOptions}. */
export const defaultRetryOptions: ResolvedRetryOptions = {
  maxRetries: 2,
  maxRateLimitRetries: 10,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  retryUnsafeSubmissions: false,
};

/**
 * The delay before retry number `retriesSoFar + 1`: exponential backoff with full jitter, a uniform
 * draw below `min(maxDelayMs, initialDelayMs × 2^retriesSoFar)`.
 *
 * @example
 * backoffDelay({ retriesSoFar: 2, initialDelayMs: 1000, maxDelayMs: 30000 }); // somewhere in [0, 4000)
 */
export function backoffDelay(options: {
  retriesSoFar: number;
  initialDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** options.retriesSoFar);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Decides whether a failed attempt is tried again, and after how long. A pure function of the error,
 * the kind of operation and the options: the whole never-pay-twice rule lives here.
 *
 * - Abort errors and errors that are not provider failures are never retried.
 * - A read is retried when the error is retryable (`ApiCallError.isRetryable`, a per-request timeout,
 *   or an `InvalidResponseError`: a garbled status must not lose a job that may be done and paid for).
 * - A billable submission is retried only when `ApiCallError.provablyNotProcessed` is true (429, 503,
 *   connection refused before sending), or when the error is retryable and `retryUnsafeSubmissions` is set.
 * - A 429 is retried up to `maxRateLimitRetries` times, other failures up to `maxRetries` times.
 * - The delay is the provider's `Retry-After` when it sent one, else {@link backoffDelay}.
 *
 * @example
 * const decision = decideRetry({ error, operation: 'submission', retriesSoFar: 0, options: defaultRetryOptions });
 * if (!decision.retry && decision.outcome === 'may-have-been-processed') console.warn(decision.reason);
 */
export function decideRetry(input: {
  error: unknown;
  operation: OperationKind;
  /** Retries made so far after failures other than 429. */
  retriesSoFar: number;
  /** Retries made so far after 429s. @default 0 */
  rateLimitRetriesSoFar?: number;
  options: ResolvedRetryOptions;
  random?: () => number;
}): RetryDecision {
  const { error, operation, options } = input;
  const rateLimited = RateLimitError.isInstance(error);
  const retriesSoFar = rateLimited ? (input.rateLimitRetriesSoFar ?? 0) : input.retriesSoFar;
  const limit = rateLimited ? options.maxRateLimitRetries : options.maxRetries;
  const limitName = rateLimited ? 'retry.maxRateLimitRetries' : 'retry.maxRetries';
  const isApiError = ApiCallError.isInstance(error);
  const isAttemptTimeout = TimeoutError.isInstance(error) && error.stage === 'request';
  // A garbled answer to a free read (a truncated or mangled status) says nothing about the job, which
  // may be done and paid for: reading again is harmless, giving up loses the result.
  const isGarbledRead = operation === 'read' && InvalidResponseError.isInstance(error);
  const retryable = (isApiError && error.isRetryable) || isAttemptTimeout || isGarbledRead;
  if (!retryable) return { retry: false, outcome: 'not-retryable', reason: '' };

  const provablyNotProcessed = isApiError && error.provablyNotProcessed;
  if (operation === 'submission' && !provablyNotProcessed && !options.retryUnsafeSubmissions) {
    return {
      retry: false,
      outcome: 'may-have-been-processed',
      reason: `not sent again: the provider may have accepted this billable request (${describeFailure(error)}), and a second submission could be billed twice; set retry.retryUnsafeSubmissions: true to allow it`,
    };
  }
  if (retriesSoFar >= limit) {
    return {
      retry: false,
      outcome: 'exhausted',
      reason: `gave up after ${retriesSoFar} ${retriesSoFar === 1 ? 'retry' : 'retries'} (${limitName} is ${limit})`,
    };
  }
  const retryAfterMs = isApiError ? error.retryAfterMs : undefined;
  const delayMs =
    retryAfterMs ??
    backoffDelay({
      retriesSoFar,
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: options.maxDelayMs,
      ...(input.random ? { random: input.random } : {}),
    });
  const safety =
    operation === 'read'
      ? 'a read is safe to repeat'
      : provablyNotProcessed
        ? 'the provider did not accept it, so it cannot be billed twice'
        : 'retry.retryUnsafeSubmissions is set';
  const wait = retryAfterMs === undefined ? '' : `; the provider asked to wait ${retryAfterMs} ms`;
  return { retry: true, delayMs, reason: `${describeFailure(error)}${wait}; ${safety}` };
}

/** A short account of a failure: `429 rate limited`, `503`, `ECONNREFUSED`, `no response within 60000 ms`. */
export function describeFailure(error: unknown): string {
  if (RateLimitError.isInstance(error)) return `${error.statusCode ?? 429} rate limited`;
  if (ApiCallError.isInstance(error)) {
    if (error.statusCode !== undefined) return `${error.method} answered ${error.statusCode}`;
    if (error.provablyNotProcessed) return `${error.code ?? 'connection failed'} before the request was sent`;
    return `${error.code ?? 'network error'} after the request was sent`;
  }
  if (TimeoutError.isInstance(error)) return `no response within ${error.timeoutMs} ms`;
  if (error instanceof Error) return error.name;
  return 'unknown error';
}
