import {
  ApiCallError,
  AuthenticationError,
  GenerationFailedError,
  InsufficientCreditsError,
  RateLimitError,
  RetouchError,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createOxen, oxen as defaultOxen } from '../src/index.ts';
import { client, context, onCleanup, provider, received, simulator } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };
/** The adapter's own error reaches the caller as it was, not after the dispatcher's retries. */
const NO_RETRIES = { retry: { maxRetries: 0 } };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('the API key', () => {
  test('missing: an error naming OXEN_API_KEY, before any request', async () => {
    const sim = await simulator();
    const saved = process.env.OXEN_API_KEY;
    delete process.env.OXEN_API_KEY;
    try {
      const oxen = createOxen({ baseURL: sim.url });
      onCleanup(() => oxen.close());
      const retouch = client(oxen);
      const error = await failure(retouch.edit(request));
      expect(RetouchError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/OXEN_API_KEY.*createOxen\(\)/);
      await expect(retouch.listModels({ provider: 'oxen' })).rejects.toThrow(/OXEN_API_KEY/);
      await expect(oxen.listModels(context(oxen))).rejects.toThrow(/OXEN_API_KEY/);
      expect(sim.requests).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.OXEN_API_KEY = saved;
    }
  });

  test('missing under a budget: the same error, before any estimate or request', async () => {
    const sim = await simulator();
    const saved = process.env.OXEN_API_KEY;
    delete process.env.OXEN_API_KEY;
    try {
      const oxen = createOxen({ baseURL: sim.url });
      onCleanup(() => oxen.close());
      const error = await failure(client(oxen, { budget: { maxUsd: 2 } }).edit(request));
      expect(RetouchError.isInstance(error)).toBe(true);
      expect((error as Error).name).not.toBe('BudgetExceededError');
      expect((error as Error).message).toBe(
        'Oxen.ai API key is missing: set the OXEN_API_KEY environment variable or pass { apiKey } to createOxen().',
      );
      const estimate = await failure(client(oxen, { budget: { maxUsd: 2 } }).estimate(request));
      expect((estimate as Error).message).toMatch(/^Oxen\.ai API key is missing/);
      expect(sim.requests).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.OXEN_API_KEY = saved;
    }
  });

  test('the default instance reads OXEN_API_KEY at first use, so importing it never throws', async () => {
    expect(defaultOxen.id).toBe('oxen');
    expect(defaultOxen.mode).toBe('sse');
  });

  test('from the environment', async () => {
    const sim = await simulator();
    const saved = process.env.OXEN_API_KEY;
    process.env.OXEN_API_KEY = sim.apiKey;
    try {
      const oxen = createOxen({ baseURL: sim.url, mode: 'sync' });
      onCleanup(() => oxen.close());
      await client(oxen).edit(request);
      expect(received(sim, 'POST /api/ai/images/edit')[0]!.authenticated).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.OXEN_API_KEY;
      else process.env.OXEN_API_KEY = saved;
    }
  });

  test('refused (401): AuthenticationError naming the variable, the key nowhere in it', async () => {
    const sim = await simulator();
    const key = 'wrong-oxen-key-0123456789';
    const error = await failure(client(provider(sim, { apiKey: key, mode: 'queue' })).edit(request));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).statusCode).toBe(401);
    expect((error as Error).message).toMatch(/Unauthenticated.*OXEN_API_KEY/);
    expect(JSON.stringify(error)).not.toContain(key);
    expect(String((error as Error).stack)).not.toContain(key);
    expect(sim.billableCount).toBe(0);
  });

  test('never appears in a result or a recorded request', async () => {
    const sim = await simulator();
    const result = await client(provider(sim, { mode: 'sse', reportCost: true })).edit(request);
    await result.images[0]!.bytes();
    expect(JSON.stringify(result)).not.toContain(sim.apiKey);
    expect(JSON.stringify(sim.requests)).not.toContain(sim.apiKey);
  });
});

describe('Oxen’s error bodies', () => {
  test('{"error":{"type","title","detail"}}: the detail and the type reach the caller', async () => {
    const sim = await simulator();
    // With the schema unavailable, a model newer than the built-in table gets its options unchecked,
    // and Oxen refuses the value.
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'status', status: 500 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), NO_RETRIES);
    const error = await failure(
      // Two images, so the unchecked input_image goes as the array flux-2-pro takes.
      retouch.edit({ model: 'oxen:flux-2-pro', prompt: 'hat', images: [PHOTO, PHOTO], aspectRatio: '7:5' }),
    );
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_params', isRetryable: false });
    expect((error as Error).message).toContain('Invalid parameters: Invalid value for aspect_ratio');
  });

  test('{"error":{"message":"Model not found: ..."}}: names the model and points to listModels', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'status', status: 503 }]);
    const retouch = client(provider(sim, { mode: 'queue' }), NO_RETRIES);
    const error = await failure(retouch.edit({ ...request, model: 'oxen:bad-model-name' }));
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, code: 'model_not_found', isRetryable: false });
    expect((error as Error).message).toContain('Model not found: bad-model-name');
    expect((error as Error).message).toContain('listModels()');
    expect(sim.billableCount).toBe(0);
  });

  test('429: RateLimitError with the Retry-After delay, provably not processed', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'rate-limit', retryAfterSeconds: 2 }]);
    const retouch = client(provider(sim, { mode: 'sse' }), {
      retry: { maxRetries: 0, maxRateLimitRetries: 0 },
    });
    const error = await failure(retouch.edit(request));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 429, retryAfterMs: 2_000, provablyNotProcessed: true });
  });

  test('5xx: a retryable ApiCallError', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'status', status: 502 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), NO_RETRIES);
    const error = await failure(retouch.edit(request));
    expect(error).toMatchObject({ name: 'ApiCallError', statusCode: 502, isRetryable: true });
  });
});

describe('an input URL Oxen cannot download', () => {
  test('sync: a non-retryable error saying the URL must be publicly downloadable', async () => {
    const sim = await simulator({ remoteImages: 'forbid' });
    const error = await failure(client(provider(sim, { mode: 'sync' }), NO_RETRIES).edit(request));
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'input_image_not_downloadable',
      isRetryable: false,
      statusCode: 400,
    });
    expect((error as Error).message).toMatch(
      /403 Client Error: Forbidden for url: https:\/\/example\.com\/photo\.png/,
    );
    expect((error as Error).message).toContain('must be publicly downloadable');
  });

  test('queued: the failed job says the same', async () => {
    const sim = await simulator({ remoteImages: 'forbid' });
    const error = await failure(client(provider(sim, { mode: 'queue' })).edit(request));
    expect(GenerationFailedError.isInstance(error)).toBe(true);
    expect((error as GenerationFailedError).providerMessage).toMatch(/403 Client Error: Forbidden for url/);
    expect((error as Error).message).toContain('publicly downloadable');
  });
});

describe('a failed job', () => {
  test.each(['queue', 'sse'] as const)(
    '%s: "Insufficient credits" is an InsufficientCreditsError',
    async (mode) => {
      const sim = await simulator();
      sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'job-fails', message: 'Insufficient credits' }]);
      const error = await failure(client(provider(sim, { mode })).edit(request));
      expect(InsufficientCreditsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /generation [0-9a-f-]{36} \(qwen-image-edit\) failed: Insufficient credits/,
      );
    },
  );

  test.each(['queue', 'sse'] as const)(
    '%s: another error_message is a GenerationFailedError',
    async (mode) => {
      const sim = await simulator();
      sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'job-fails', message: 'NSFW content detected' }]);
      const error = await failure(client(provider(sim, { mode })).edit(request));
      expect(GenerationFailedError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ providerMessage: 'NSFW content detected', provider: 'oxen' });
      expect((error as GenerationFailedError).jobId).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  test('credits refused at enqueue are an InsufficientCreditsError too', async () => {
    const sim = await simulator({ credits: 0.01 });
    const error = await failure(client(provider(sim, { mode: 'queue' })).edit(request));
    expect(InsufficientCreditsError.isInstance(error)).toBe(true);
    expect(sim.billableCount).toBe(0);
  });

  test('of several generations, the images made are returned with a warning for the rest', async () => {
    const sim = await simulator();
    sim.setFaults([
      { route: 'POST /api/ai/queue', kind: 'job-fails', message: 'NSFW content detected', after: 1 },
    ]);
    const result = await client(provider(sim, { mode: 'queue' })).edit({ ...request, n: 6 });
    expect(result.images).toHaveLength(4);
    expect(result.warnings).toEqual([
      {
        type: 'other',
        message: expect.stringMatching(/^2 of 6 generations did not produce an image .*NSFW/),
      },
    ]);
  });
});
