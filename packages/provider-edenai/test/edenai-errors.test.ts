import {
  ApiCallError,
  AuthenticationError,
  InsufficientCreditsError,
  InvalidResponseError,
  RateLimitError,
} from '@retouch/core';
import { type EdenAISimulator, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { editWith, pngBytes } from './helpers.ts';

const EDITS = 'POST /v3/images/edits';
const URL_A = 'https://images.example.com/a.png';

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false, forbiddenModels: ['openai/gpt-image-1'] });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearRequests();
  sim.setFaults([]);
});

async function failedEdit(
  request: Parameters<typeof editWith>[1],
  settings: Parameters<typeof createEdenAI>[0] = {},
): Promise<Error> {
  const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, ...settings });
  const error = await editWith(provider, request).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('the edit was expected to fail');
  return error;
}

const gptImage = { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [pngBytes()] };

describe('each documented error body becomes a typed error', () => {
  test('422 detail list: the field paths are in the message', async () => {
    // A provider option of the wrong type reaches Eden, whose validation answers with a detail list.
    const error = await failedEdit(
      {
        model: 'edenai:bfl/flux-kontext-pro',
        prompt: 'x',
        images: [URL_A],
        providerOptions: { edenai: { size: 5 } },
      },
      { transport: 'json' },
    );
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 422, code: 'validation_error', isRetryable: false });
    expect(error.message).toBe(
      `edenai: POST ${sim.url}/v3/images/edits failed with 422: body.size: Input should be a valid string.`,
    );
  });

  test('402 simple shape → InsufficientCreditsError', async () => {
    sim.setFaults([{ route: EDITS, kind: 'insufficient-credits', shape: 'simple', times: 1 }]);
    const error = await failedEdit(gptImage);
    expect(InsufficientCreditsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 402, provider: 'edenai', requiredCredits: undefined });
    expect(error.message).toContain('Insufficient credits');
  });

  test('402 detailed shape → InsufficientCreditsError with required and available credits', async () => {
    const poor = await startEdenAISimulator({ rateLimit: false, credits: 0.01 });
    try {
      const provider = createEdenAI({ apiKey: poor.apiKey, baseURL: poor.url });
      const error = await editWith(provider, gptImage).catch((caught: unknown) => caught);
      expect(InsufficientCreditsError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 402, requiredCredits: 0.053, availableCredits: 0.01 });
      expect((error as Error).message).toContain('User does not have sufficient credits');
      expect(poor.billableCount).toBe(0);
    } finally {
      await poor.close();
    }
  });

  test('429 with retry_after in the body → RateLimitError with retryAfterMs', async () => {
    sim.setFaults([
      { route: EDITS, kind: 'rate-limit', retryAfterSeconds: 1.5, retryAfterIn: 'body', times: 1 },
    ]);
    const error = await failedEdit(gptImage);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 429,
      retryAfterMs: 1500,
      code: 'RATE_LIMITED',
      isRetryable: true,
      provablyNotProcessed: true,
    });
  });

  test('the account limit itself answers 429 with a retry_after the error carries', async () => {
    const limited = await startEdenAISimulator({ rateLimit: { requestsPerSecond: 2 } });
    try {
      const provider = createEdenAI({ apiKey: limited.apiKey, baseURL: limited.url });
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => editWith(provider, gptImage)));
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(rejected).toHaveLength(1);
      const error = (rejected[0] as PromiseRejectedResult).reason;
      expect(RateLimitError.isInstance(error)).toBe(true);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
    } finally {
      await limited.close();
    }
  });

  test('401 → AuthenticationError naming EDENAI_API_KEY, without the key', async () => {
    const key = 'eden-wrong-key-5c2d9e81f0';
    const error = await failedEdit(gptImage, { apiKey: key });
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    expect(error.message).toContain('Invalid or missing authentication token');
    expect(error.message).toContain('EDENAI_API_KEY');
    expect(JSON.stringify(error)).not.toContain(key);
    expect(String(error.stack)).not.toContain(key);
  });

  test('400 {"error":{"type","message"}} → ApiCallError with the type as code', async () => {
    const error = await failedEdit({ model: 'edenai:nobody/no-model', prompt: 'x', images: [URL_A] });
    expect(ApiCallError.isInstance(error) && !AuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, code: 'validation_error', isRetryable: false });
    expect(error.message).toContain("Model 'nobody/no-model' is not available for image edits");
  });

  test('403 permission_error → AuthenticationError (the key lacks the permission)', async () => {
    const error = await failedEdit({ model: 'edenai:openai/gpt-image-1', prompt: 'x', images: [pngBytes()] });
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 403, code: 'permission_error' });
    expect(error.message).toContain("does not have access to model 'openai/gpt-image-1'");
  });

  test('404 {"details":"Not Found"}', async () => {
    const error = await failedEdit(gptImage, { baseURL: `${sim.url}/wrong-prefix` });
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404 });
    expect(error.message).toMatch(/failed with 404: Not Found\.$/);
  });

  test('413 payload too large: the message says how to send large inputs', async () => {
    const small = await startEdenAISimulator({ rateLimit: false, maxJsonBodyBytes: 2_000 });
    try {
      const provider = createEdenAI({
        apiKey: small.apiKey,
        baseURL: small.url,
        transport: 'json',
        upload: 'never',
      });
      const error = await editWith(provider, {
        model: 'edenai:openai/gpt-image-2',
        prompt: 'x',
        images: [pngBytes({ width: 40, height: 40, noise: true })],
      }).catch((caught: unknown) => caught);
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 413, isRetryable: false });
      expect((error as Error).message).toContain('Payload too large');
      expect((error as Error).message).toContain('transport "multipart"');
    } finally {
      await small.close();
    }
  });

  test('502 upstream provider error: retryable, but not provably unprocessed', async () => {
    sim.setFaults([
      { route: EDITS, kind: 'job-fails', message: 'openai: the server had an error', times: 1 },
    ]);
    const error = await failedEdit(gptImage);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 502,
      code: 'provider_error',
      isRetryable: true,
      provablyNotProcessed: false,
    });
    expect(error.message).toContain('the upstream provider failed: openai: the server had an error');
  });

  test('a 2xx body that breaks the response schema → InvalidResponseError', async () => {
    sim.setFaults([{ route: EDITS, kind: 'schema-violation', times: 1 }]);
    const error = await failedEdit(gptImage);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as InvalidResponseError).path).toBe('data');
  });
});

describe('the EU host', () => {
  test("a model not cleared for the EU: Eden's 451, its words and what to do", async () => {
    const eu = await startEdenAISimulator({ rateLimit: false, region: 'eu' });
    try {
      const provider = createEdenAI({ apiKey: eu.apiKey, baseURL: eu.url });
      const error = await editWith(provider, {
        model: 'edenai:google/gemini-2.5-flash-image',
        prompt: 'x',
        images: [URL_A],
      }).catch((caught: unknown) => caught);
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 451, code: 'region_not_allowed', isRetryable: false });
      expect((error as Error).message).toContain(
        'Provider(s)/model(s) google/gemini-2.5-flash-image are not available on the EU endpoint; the model is not available from this Eden AI host',
      );
      expect(eu.billableCount).toBe(0);
    } finally {
      await eu.close();
    }
  });
});
