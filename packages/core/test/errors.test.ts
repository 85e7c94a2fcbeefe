import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ApiCallError,
  AuthenticationError,
  BudgetExceededError,
  GenerationFailedError,
  InsufficientCreditsError,
  InvalidRequestError,
  InvalidResponseError,
  JobCancelledError,
  RateLimitError,
  RetouchError,
  TimeoutError,
  UnsupportedFeatureError,
} from '@retouch/core';
import { redact, redactValue, registerSecret } from '@retouch/core/provider-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const SECRET = 'sk-errors-test-0123456789abcdef';
registerSecret(SECRET);

const apiCall = {
  provider: 'oxen',
  url: 'https://hub.oxen.ai/api/ai/queue',
  method: 'POST',
} as const;

/** One instance of every error class, built with its required options. */
function everyError(): RetouchError[] {
  return [
    new RetouchError({ message: 'base' }),
    new ApiCallError({ ...apiCall, message: 'api call' }),
    new AuthenticationError({ ...apiCall, message: 'authentication', statusCode: 401 }),
    new RateLimitError({ ...apiCall, message: 'rate limit', statusCode: 429, retryAfterMs: 1500 }),
    new InsufficientCreditsError({ message: 'credits', provider: 'edenai', statusCode: 402 }),
    new InvalidRequestError({ issues: [{ path: 'n', message: 'n must be at least 1' }] }),
    new InvalidResponseError({ message: 'response', provider: 'oxen', path: 'images.0.url' }),
    new GenerationFailedError({ message: 'failed', provider: 'oxen', jobId: 'job-1' }),
    new JobCancelledError({ message: 'cancelled', jobId: 'job-2' }),
    new TimeoutError({ message: 'timeout', timeoutMs: 1000, stage: 'poll' }),
    new BudgetExceededError({ message: 'budget', maxUsd: 1, committedUsd: 0.9, requestedUsd: 0.2 }),
    new UnsupportedFeatureError({ message: 'unsupported', provider: 'oxen', model: 'm', feature: 'mask' }),
  ];
}

const classes = {
  RetouchError,
  ApiCallError,
  AuthenticationError,
  RateLimitError,
  InsufficientCreditsError,
  InvalidRequestError,
  InvalidResponseError,
  GenerationFailedError,
  JobCancelledError,
  TimeoutError,
  BudgetExceededError,
  UnsupportedFeatureError,
};

/** The classes each error class is, itself included. */
const ancestry: Record<string, string[]> = {
  RetouchError: ['RetouchError'],
  ApiCallError: ['ApiCallError', 'RetouchError'],
  AuthenticationError: ['AuthenticationError', 'ApiCallError', 'RetouchError'],
  RateLimitError: ['RateLimitError', 'ApiCallError', 'RetouchError'],
  InsufficientCreditsError: ['InsufficientCreditsError', 'RetouchError'],
  InvalidRequestError: ['InvalidRequestError', 'RetouchError'],
  InvalidResponseError: ['InvalidResponseError', 'RetouchError'],
  GenerationFailedError: ['GenerationFailedError', 'RetouchError'],
  JobCancelledError: ['JobCancelledError', 'RetouchError'],
  TimeoutError: ['TimeoutError', 'RetouchError'],
  BudgetExceededError: ['BudgetExceededError', 'RetouchError'],
  UnsupportedFeatureError: ['UnsupportedFeatureError', 'RetouchError'],
};

describe('isInstance', () => {
  test.each(everyError().map((error) => [error.name, error] as const))(
    '%s is exactly the classes it extends',
    (name, error) => {
      for (const [className, errorClass] of Object.entries(classes)) {
        expect(errorClass.isInstance(error), `${className}.isInstance(${name})`).toBe(
          ancestry[name]!.includes(className),
        );
      }
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toBe(`${name}: ${error.message}`);
      expect(error.stack?.split('\n')[0]).toBe(`${name}: ${error.message}`);
    },
  );

  test('a RateLimitError is an ApiCallError and a RetouchError; a TimeoutError is not an ApiCallError', () => {
    const rateLimit = new RateLimitError({ ...apiCall, message: 'slow down' });
    expect(ApiCallError.isInstance(rateLimit)).toBe(true);
    expect(RetouchError.isInstance(rateLimit)).toBe(true);
    expect(AuthenticationError.isInstance(rateLimit)).toBe(false);
    const timeout = new TimeoutError({ message: 'late', timeoutMs: 5, stage: 'request' });
    expect(ApiCallError.isInstance(timeout)).toBe(false);
    expect(RetouchError.isInstance(timeout)).toBe(true);
  });

  test('an object carrying the Symbol.for markers of another copy is recognized', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('retouch.error.RetouchError')]: true,
      [Symbol.for('retouch.error.ApiCallError')]: true,
      [Symbol.for('retouch.error.RateLimitError')]: true,
    });
    expect(RateLimitError.isInstance(foreign)).toBe(true);
    expect(ApiCallError.isInstance(foreign)).toBe(true);
    expect(RetouchError.isInstance(foreign)).toBe(true);
    expect(TimeoutError.isInstance(foreign)).toBe(false);
    expect(foreign).not.toBeInstanceOf(RateLimitError);
  });

  test.each([
    ['a plain Error', new Error('x')],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'RetouchError'],
    ['a marker set to something other than true', { [Symbol.for('retouch.error.RetouchError')]: 'yes' }],
    ['an error named like a Retouch error', Object.assign(new Error('x'), { name: 'RateLimitError' })],
  ])('%s is not a Retouch error', (_name, value) => {
    for (const errorClass of Object.values(classes)) expect(errorClass.isInstance(value)).toBe(false);
  });

  test('the markers are invisible to enumeration and serialization', () => {
    const error = new RateLimitError({ ...apiCall, message: 'x' });
    const markers = Object.getOwnPropertySymbols(error);
    expect(markers.map(String).sort()).toEqual([
      'Symbol(retouch.error.ApiCallError)',
      'Symbol(retouch.error.RateLimitError)',
      'Symbol(retouch.error.RetouchError)',
    ]);
    for (const marker of markers)
      expect(Object.getOwnPropertyDescriptor(error, marker)!.enumerable).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...error })).toEqual([]);
  });

  describe('with a second installed copy of the error classes', () => {
    let copyDirectory: string;
    let second: Record<string, unknown>;

    beforeAll(async () => {
      // Two copies of @retouch/core in one dependency tree load the same files from two places.
      copyDirectory = await mkdtemp(join(tmpdir(), 'retouch-second-copy-'));
      const source = new URL('../src/', import.meta.url);
      await cp(new URL('errors/', source), join(copyDirectory, 'errors'), { recursive: true });
      await cp(new URL('secrets.ts', source), join(copyDirectory, 'secrets.ts'));
      second = await import(pathToFileURL(join(copyDirectory, 'errors', 'index.ts')).href);
    });

    afterAll(async () => {
      await rm(copyDirectory, { recursive: true, force: true });
    });

    test('its classes are distinct, so instanceof fails, but isInstance works both ways', () => {
      const OtherRateLimitError = second.RateLimitError as typeof RateLimitError;
      const OtherApiCallError = second.ApiCallError as typeof ApiCallError;
      const OtherRetouchError = second.RetouchError as typeof RetouchError;
      expect(OtherRateLimitError).not.toBe(RateLimitError);

      const theirs = new OtherRateLimitError({ ...apiCall, message: 'theirs' });
      expect(theirs).not.toBeInstanceOf(RateLimitError);
      expect(RateLimitError.isInstance(theirs)).toBe(true);
      expect(ApiCallError.isInstance(theirs)).toBe(true);
      expect(RetouchError.isInstance(theirs)).toBe(true);
      expect(TimeoutError.isInstance(theirs)).toBe(false);

      const ours = new TimeoutError({ message: 'ours', timeoutMs: 1, stage: 'total' });
      expect(OtherRetouchError.isInstance(ours)).toBe(true);
      expect(OtherApiCallError.isInstance(ours)).toBe(false);
    });

    test('an error of the other copy is kept whole as a cause, not flattened', () => {
      const OtherRateLimitError = second.RateLimitError as typeof RateLimitError;
      const inner = new OtherRateLimitError({ ...apiCall, message: 'inner', retryAfterMs: 10 });
      const outer = new RetouchError({ message: 'outer', cause: inner });
      expect(outer.cause).toBe(inner);
      expect(JSON.parse(JSON.stringify(outer)).cause).toMatchObject({
        name: 'RateLimitError',
        retryAfterMs: 10,
      });
    });
  });
});

describe('toJSON', () => {
  test.each(everyError().map((error) => [error.name, error] as const))(
    '%s serializes its name, message and own fields, without the stack',
    (name, error) => {
      const json = JSON.parse(JSON.stringify(error));
      expect(json.name).toBe(name);
      expect(json.message).toBe(error.message);
      expect(json).not.toHaveProperty('stack');
      for (const [key, value] of Object.entries(error)) {
        if (value !== undefined) expect(json[key], key).toEqual(value);
      }
    },
  );

  test('an ApiCallError carries everything a caller needs to decide on a retry', () => {
    const error = new RateLimitError({
      ...apiCall,
      message: 'oxen: POST https://hub.oxen.ai/api/ai/queue failed with 429.',
      statusCode: 429,
      isRetryable: true,
      provablyNotProcessed: true,
      retryAfterMs: 2000,
      requestId: 'req-1',
      responseBody: { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' },
      code: 'RATE_LIMITED',
    });
    expect(error.toJSON()).toEqual({
      name: 'RateLimitError',
      message: 'oxen: POST https://hub.oxen.ai/api/ai/queue failed with 429.',
      provider: 'oxen',
      url: 'https://hub.oxen.ai/api/ai/queue',
      method: 'POST',
      statusCode: 429,
      isRetryable: true,
      provablyNotProcessed: true,
      retryAfterMs: 2000,
      requestId: 'req-1',
      responseBody: { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' },
      code: 'RATE_LIMITED',
    });
  });

  test('defaults: not retryable, not provably unprocessed', () => {
    const error = new ApiCallError({ ...apiCall, message: 'x' });
    expect(error.isRetryable).toBe(false);
    expect(error.provablyNotProcessed).toBe(false);
    expect(error.statusCode).toBeUndefined();
  });

  test('an InvalidRequestError lists every issue in its message and its JSON', () => {
    const error = new InvalidRequestError({
      issues: [
        { path: 'prompt', message: 'prompt is empty; describe the edit to make' },
        { path: '', message: 'the request must be an object' },
      ],
    });
    expect(error.message).toBe(
      'Invalid edit request: prompt: prompt is empty; describe the edit to make; (request): the request must be an object',
    );
    expect(JSON.parse(JSON.stringify(error)).issues).toEqual(error.issues);
  });
});

describe('causes', () => {
  test('a nested chain of causes is kept with names, messages and codes', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const middle = new TypeError('fetch failed', { cause: root });
    const error = new ApiCallError({ ...apiCall, message: 'network', cause: middle });

    const cause = error.cause as Error & { cause: Error & { code: string } };
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('TypeError');
    expect(cause.message).toBe('fetch failed');
    expect(cause.cause.message).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(cause.cause.code).toBe('ECONNREFUSED');

    expect(JSON.parse(JSON.stringify(error)).cause).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' },
    });
  });

  test('a cause is a copy: properties such as a request holding headers are not kept', () => {
    const original = Object.assign(new Error('Request timed out'), {
      request: { headers: { authorization: `Bearer ${SECRET}` } },
    });
    const error = new TimeoutError({ message: 'late', timeoutMs: 10, stage: 'request', cause: original });
    expect(error.cause).not.toBe(original);
    expect(error.cause).not.toHaveProperty('request');
  });

  test('a Retouch error as the cause is kept as it is', () => {
    const inner = new InvalidResponseError({ message: 'bad json', provider: 'oxen', excerpt: '{' });
    const outer = new GenerationFailedError({ message: 'failed', provider: 'oxen', cause: inner });
    expect(outer.cause).toBe(inner);
    expect(JSON.parse(JSON.stringify(outer)).cause).toEqual({
      name: 'InvalidResponseError',
      message: 'bad json',
      provider: 'oxen',
      excerpt: '{',
    });
  });

  test('a cycle of causes does not hang serialization', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    (first as { cause?: unknown }).cause = second;
    const error = new RetouchError({ message: 'cyclic', cause: first });
    const json = JSON.stringify(error);
    expect(json).toContain('"first"');
    let depth = 0;
    for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) depth++;
    expect(depth).toBeLessThan(10);
  });

  test('a cause that is not an Error is kept as redacted data', () => {
    const error = new RetouchError({ message: 'x', cause: { reason: `key ${SECRET}`, apiKey: 'short' } });
    expect(error.cause).toEqual({ reason: 'key [REDACTED]', apiKey: '[REDACTED]' });
    expect(new RetouchError({ message: 'x', cause: `text ${SECRET}` }).cause).toBe('text [REDACTED]');
  });
});

describe('redaction', () => {
  /** Every string a user could see or log for an error. */
  function everything(error: Error): string {
    const parts = [error.message, String(error), error.stack ?? '', JSON.stringify(error)];
    for (let cause: unknown = error.cause, depth = 0; cause !== undefined && depth < 20; depth++) {
      if (cause instanceof Error) {
        parts.push(cause.message, String(cause), cause.stack ?? '', JSON.stringify(cause));
        cause = cause.cause;
      } else {
        parts.push(JSON.stringify(cause));
        cause = undefined;
      }
    }
    for (const value of Object.values(error))
      parts.push(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
    return parts.join('\n');
  }

  test('a registered secret is removed from the message, stack, url, body and every cause', () => {
    const deepest = new Error(`deepest ${SECRET}`);
    const inner = new Error(`inner says ${SECRET}`, { cause: deepest });
    const error = new AuthenticationError({
      provider: 'oxen',
      method: 'GET',
      url: `https://hub.oxen.ai/api?key=${SECRET}`,
      message: `the key ${SECRET} was rejected`,
      statusCode: 401,
      requestId: `echo-${SECRET}`,
      code: `code-${SECRET}`,
      responseBody: {
        error: { message: `bad token ${SECRET}` },
        headers: { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': SECRET },
        list: [SECRET, { nested: SECRET }],
      },
      cause: inner,
    });
    const text = everything(error);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[REDACTED]');
    expect(error.message).toBe('the key [REDACTED] was rejected');
    expect(error.url).toBe('https://hub.oxen.ai/api?key=[REDACTED]');
  });

  test('a secret nested deep in a response body is still removed', () => {
    let body: Record<string, unknown> = { leaf: SECRET };
    for (let level = 0; level < 15; level++) body = { level: body };
    const error = new ApiCallError({ ...apiCall, message: 'x', responseBody: body });
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(JSON.stringify(error.responseBody)).not.toContain(SECRET);
  });

  test('a secret in every kind of error and every string field is removed', () => {
    const errors = [
      new GenerationFailedError({
        message: SECRET,
        provider: 'oxen',
        providerMessage: SECRET,
        jobId: SECRET,
      }),
      new InvalidResponseError({
        message: SECRET,
        provider: 'oxen',
        url: `https://x/${SECRET}`,
        excerpt: SECRET,
        path: SECRET,
      }),
      new UnsupportedFeatureError({ message: SECRET, provider: 'oxen', model: 'm', feature: 'f' }),
      new InsufficientCreditsError({ message: SECRET, provider: 'edenai' }),
      new JobCancelledError({ message: SECRET, jobId: SECRET }),
      new TimeoutError({ message: SECRET, timeoutMs: 1, stage: 'total', cause: new Error(SECRET) }),
      new InvalidRequestError({ issues: [{ path: 'images.0', message: `https://u:${SECRET}@x` }] }),
    ];
    for (const error of errors) expect(everything(error), error.name).not.toContain(SECRET);
  });

  test('any Bearer credential is removed even when it was never registered', () => {
    const unregistered = 'unregistered-token-abcdefgh';
    expect(redact(`Authorization: Bearer ${unregistered}`)).toBe('Authorization: Bearer [REDACTED]');
    const error = new ApiCallError({ ...apiCall, message: `sent Bearer ${unregistered}` });
    expect(JSON.stringify(error)).not.toContain(unregistered);
  });

  test('a secret that contains another registered secret is removed whole', () => {
    const short = 'abcdef-shared';
    const long = 'abcdef-shared-and-a-longer-tail';
    registerSecret(short);
    registerSecret(long);
    expect(redact(`a ${long} b ${short}`)).toBe('a [REDACTED] b [REDACTED]');
  });

  test('secrets shorter than six characters are not registered, so ordinary words survive', () => {
    registerSecret('the');
    registerSecret(undefined);
    registerSecret('');
    expect(redact('the cat')).toBe('the cat');
  });

  test('redactValue hides credential keys, elides long strings and leaves other values alone', () => {
    const longBase64 = 'A'.repeat(5000);
    expect(
      redactValue({
        Authorization: 'anything',
        api_key: 'x',
        'api-key': 'x',
        token: 1,
        b64_json: longBase64,
        count: 3,
        ok: true,
        nothing: null,
      }),
    ).toEqual({
      Authorization: '[REDACTED]',
      api_key: '[REDACTED]',
      'api-key': '[REDACTED]',
      token: '[REDACTED]',
      b64_json: `${'A'.repeat(64)}…[4936 more characters elided]`,
      count: 3,
      ok: true,
      nothing: null,
    });
  });
});
