import { ApiCallError, InvalidResponseError, TimeoutError } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { parseRetouchOptions } from '../src/dispatcher/retouch-options.ts';
import {
  backoffDelay,
  decideRetry,
  defaultRetryOptions,
  type RetryOptions,
} from '../src/dispatcher/retry.ts';
import { createFakeProvider, failures } from './support/fake-provider.ts';

const options = { ...defaultRetryOptions, maxRetries: 3, initialDelayMs: 100, maxDelayMs: 1_000 };

describe('decideRetry: the never-pay-twice rule', () => {
  const provablyUnaccepted = {
    '429': failures.rateLimited(),
    '503': failures.unavailable(),
    'connection refused': failures.connectionRefused(),
  };
  const maybeAccepted = {
    '502 after sending': failures.badGateway(),
    '500 after sending': failures.serverError(),
    'connection reset after sending': failures.connectionReset(),
    'no response in time': failures.attemptTimeout(),
  };

  for (const [name, error] of Object.entries(provablyUnaccepted)) {
    test(`a billable submission is resent after ${name}`, () => {
      const decision = decideRetry({ error, operation: 'submission', retriesSoFar: 0, options });
      expect(decision.retry).toBe(true);
      if (decision.retry) expect(decision.reason).toMatch(/did not accept it/);
    });
  }

  for (const [name, error] of Object.entries(maybeAccepted)) {
    test(`a billable submission is not resent after ${name}, and the reason says why`, () => {
      const decision = decideRetry({ error, operation: 'submission', retriesSoFar: 0, options });
      expect(decision).toMatchObject({ retry: false, outcome: 'may-have-been-processed' });
      if (!decision.retry) {
        expect(decision.reason).toMatch(/may have accepted/);
        expect(decision.reason).toMatch(/retryUnsafeSubmissions/);
      }
    });

    test(`a billable submission is resent after ${name} when the user opted in`, () => {
      const decision = decideRetry({
        error,
        operation: 'submission',
        retriesSoFar: 0,
        options: { ...options, retryUnsafeSubmissions: true },
      });
      expect(decision.retry).toBe(true);
      if (decision.retry) expect(decision.reason).toMatch(/retryUnsafeSubmissions is set/);
    });

    test(`a read is retried after ${name}`, () => {
      expect(decideRetry({ error, operation: 'read', retriesSoFar: 0, options }).retry).toBe(true);
    });
  }

  test('a garbled answer is read again, but never sent again as a submission', () => {
    const error = new InvalidResponseError({ message: 'bad payload', provider: 'fake' });
    expect(decideRetry({ error, operation: 'read', retriesSoFar: 0, options }).retry).toBe(true);
    expect(decideRetry({ error, operation: 'read', retriesSoFar: 3, options })).toMatchObject({
      retry: false,
      outcome: 'exhausted',
    });
    expect(decideRetry({ error, operation: 'submission', retriesSoFar: 0, options })).toEqual({
      retry: false,
      outcome: 'not-retryable',
      reason: '',
    });
  });

  test('errors that retrying cannot fix are not retried, for reads or submissions', () => {
    const errors = [
      failures.badRequest(),
      failures.insufficientCredits(),
      failures.generationFailed(),
      new TimeoutError({ message: 'deadline', timeoutMs: 10, stage: 'total' }),
      new DOMException('aborted', 'AbortError'),
      new TypeError('a bug'),
    ];
    for (const error of errors) {
      for (const operation of ['read', 'submission'] as const) {
        expect(decideRetry({ error, operation, retriesSoFar: 0, options })).toEqual({
          retry: false,
          outcome: 'not-retryable',
          reason: '',
        });
      }
    }
  });

  test('maxRetries bounds the retries and the reason says so', () => {
    const error = failures.unavailable();
    expect(decideRetry({ error, operation: 'read', retriesSoFar: 2, options }).retry).toBe(true);
    const decision = decideRetry({ error, operation: 'read', retriesSoFar: 3, options });
    expect(decision).toMatchObject({ retry: false, outcome: 'exhausted' });
    if (!decision.retry) expect(decision.reason).toMatch(/gave up after 3 retries/);
    expect(
      decideRetry({ error, operation: 'read', retriesSoFar: 0, options: { ...options, maxRetries: 0 } })
        .retry,
    ).toBe(false);
  });

  test('429s are counted apart from other failures, against maxRateLimitRetries', () => {
    const limits = { ...options, maxRetries: 1, maxRateLimitRetries: 4 };
    const throttled = failures.rateLimited();
    const next = (error: Error, retriesSoFar: number, rateLimitRetriesSoFar: number) =>
      decideRetry({ error, operation: 'submission', retriesSoFar, rateLimitRetriesSoFar, options: limits });
    expect(next(throttled, 1, 3).retry).toBe(true);
    const decision = next(throttled, 0, 4);
    expect(decision).toMatchObject({ retry: false, outcome: 'exhausted' });
    if (!decision.retry)
      expect(decision.reason).toMatch(/gave up after 4 retries \(retry\.maxRateLimitRetries is 4\)/);
    expect(next(failures.unavailable(), 1, 0).retry).toBe(false);
  });

  test("the provider's Retry-After (header or body) replaces the backoff, even beyond maxDelayMs", () => {
    const decision = decideRetry({
      error: failures.rateLimited({ retryAfterMs: 4_500 }),
      operation: 'submission',
      retriesSoFar: 0,
      options,
      random: () => 0.5,
    });
    expect(decision).toMatchObject({ retry: true, delayMs: 4_500 });
    if (decision.retry) expect(decision.reason).toMatch(/asked to wait 4500 ms/);
  });

  test('without Retry-After the delay is full-jitter exponential backoff', () => {
    const error = new ApiCallError({
      message: 'x',
      provider: 'fake',
      url: 'https://fake.test',
      method: 'GET',
      statusCode: 502,
      isRetryable: true,
    });
    const delays = [0, 1, 2, 3, 4].map(
      (retriesSoFar) =>
        decideRetry({
          error,
          operation: 'read',
          retriesSoFar,
          options: { ...options, maxRetries: 9 },
          random: () => 0.999,
        }).retry &&
        backoffDelay({ retriesSoFar, initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999 }),
    );
    expect(delays).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay({ retriesSoFar: 3, initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0 })).toBe(
      0,
    );
    const drawn = decideRetry({ error, operation: 'read', retriesSoFar: 2, options, random: () => 0.5 });
    expect(drawn).toMatchObject({ retry: true, delayMs: 200 });
  });
});

/** The retry options createRetouch resolves from `retry`. */
function resolveRetryOptions(retry: RetryOptions | undefined) {
  return parseRetouchOptions({ providers: [createFakeProvider()], ...(retry ? { retry } : {}) }).retry;
}

describe('retry options', () => {
  test('applies the defaults', () => {
    expect(resolveRetryOptions(undefined)).toEqual({
      maxRetries: 2,
      maxRateLimitRetries: 10,
      initialDelayMs: 1_000,
      maxDelayMs: 30_000,
      retryUnsafeSubmissions: false,
    });
  });

  test('names the option and the fix for a bad value', () => {
    expect(() => resolveRetryOptions({ maxRetries: -1 })).toThrow(/retry\.maxRetries must be a whole number/);
    expect(() => resolveRetryOptions({ maxDelayMs: 10, initialDelayMs: 100 })).toThrow(
      /retry\.maxDelayMs must be a number of milliseconds ≥ initialDelayMs/,
    );
  });
});
