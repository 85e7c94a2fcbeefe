import { createRetouch, type RetouchOptions } from '@retouch/core';
import { createHttpClient } from '@retouch/core/provider-utils';
import { laneLimitsSchema } from '@retouch/core/schemas';
import { describe, expect, test } from 'vitest';
import { createFakeProvider } from './support/fake-provider.ts';
import { createHttpProvider, startScriptedServer } from './support/http-provider.ts';

const fake = createFakeProvider();
const create = (options: Partial<Record<keyof RetouchOptions | string, unknown>>) => () =>
  createRetouch({ providers: [fake], ...options } as RetouchOptions);

describe('createRetouch checks its options with one schema, naming the option and the fix', () => {
  test.each([
    [
      { providers: [] },
      'createRetouch: providers must be a non-empty array of provider adapters, e.g. [oxen, edenai]',
    ],
    [
      { limits: { fake: { concurrency: 0 } } },
      'createRetouch: limits.fake.concurrency must be a whole number ≥ 1',
    ],
    [
      { limits: { fake: { requestsPerSecond: -2 } } },
      'createRetouch: limits.fake.requestsPerSecond must be a number > 0; omit it to let the lane adapt',
    ],
    [
      { limits: { nobody: {} } },
      'createRetouch: limits.nobody names no registered provider (registered: fake)',
    ],
    [{ retry: { maxRetries: 1.5 } }, 'createRetouch: retry.maxRetries must be a whole number ≥ 0'],
    [
      { retry: { initialDelayMs: 100, maxDelayMs: 10 } },
      'createRetouch: retry.maxDelayMs must be a number of milliseconds ≥ initialDelayMs',
    ],
    [{ budget: { maxUsd: -1 } }, 'createRetouch: budget.maxUsd must be a number of US dollars ≥ 0'],
    [
      { budget: { maxUsd: 1, unknownCost: 'maybe' } },
      'createRetouch: budget.unknownCost must be "refuse" or "allow"',
    ],
    [
      { budget: { maxUsd: 1, store: {} } },
      'createRetouch: budget.store must be a SpendStore, with reserve(), markPossiblyBilled(), settle(), release(), totals() and entries() (e.g. createMemorySpendStore())',
    ],
    [
      { fallback: ['nope'] },
      'createRetouch: fallback[0] must be "provider:model", e.g. "edenai:openai/gpt-image-2"',
    ],
    [
      { providers: [null] },
      'createRetouch: providers[0] must be a provider adapter, e.g. oxen() or edenai()',
    ],
    [{ budget: {} }, 'createRetouch: budget.maxUsd must be a number of US dollars ≥ 0'],
    [
      { limits: [] },
      'createRetouch: limits must be an object keyed by provider id, e.g. { edenai: { requestsPerSecond: 10 } }',
    ],
    [{ retry: { maxRetries: undefined } }, undefined],
    [{ strict: 'yes' }, 'createRetouch: strict must be true or false'],
    [{ onProgress: 3 }, 'createRetouch: onProgress must be a function (event) => void'],
    [
      { sharedLimits: {} },
      'createRetouch: sharedLimits must have a lane() method (see SharedLimits), e.g. from @retouch/queue',
    ],
    [{ limit: {} }, 'createRetouch: limit is not an option; did you mean "limits"?'],
    [
      { retry: { max_retries: 2 } },
      'createRetouch: retry.max_retries is not an option; did you mean "maxRetries"?',
    ],
    [
      { limits: { fake: { rps: 2 } } },
      'createRetouch: limits.fake.rps is not an option (options: concurrency, requestsPerSecond)',
    ],
  ])('%j', (options, message) => {
    if (message === undefined) expect(create(options)).not.toThrow();
    else expect(create(options)).toThrow(message);
  });
});

describe('laneLimitsSchema is the same lane rule for configuration read with zod', () => {
  test.each([
    [{ concurrency: 0 }, ['concurrency'], 'must be a whole number ≥ 1'],
    [{ requestsPerSecond: -1 }, ['requestsPerSecond'], 'must be a number > 0; omit it to let the lane adapt'],
    [{ rps: 2 }, [], 'rps is not an option (options: concurrency, requestsPerSecond)'],
    [{ concurency: 2 }, [], 'concurency is not an option; did you mean "concurrency"?'],
    ['fast', [], 'must be an object { concurrency?, requestsPerSecond? }'],
  ])('%j', (value, path, message) => {
    const parsed = laneLimitsSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path, message });
  });

  test('limits that hold pass as they are', () => {
    expect(laneLimitsSchema.parse({ concurrency: 4, requestsPerSecond: 10 })).toEqual({
      concurrency: 4,
      requestsPerSecond: 10,
    });
  });
});

describe('the HTTP layer', () => {
  test('a missing key is reported as such, not as a network failure, and nothing is sent', async () => {
    const server = await startScriptedServer();
    const http = createHttpClient({
      provider: 'wire',
      baseURL: server.url,
      apiKey: () => {
        throw new Error('No API key for Wire: set WIRE_API_KEY');
      },
    });
    await expect(http.request({ method: 'GET', path: '/jobs/1' })).rejects.toThrow(
      'No API key for Wire: set WIRE_API_KEY',
    );
    expect(server.received).toEqual([]);
    await server.close();
  });

  test('a POST marked free (an upload) does not count as a billable request that left', async () => {
    const server = await startScriptedServer();
    const adapter = createHttpProvider({ baseURL: server.url });
    adapter.edit = async (call) => {
      await call.http.request({ method: 'POST', path: '/edit', json: { upload: true }, billable: false });
      throw new Error('the edit could not be built');
    };
    adapter.estimateCost = async () => ({ usd: 0.5, source: 'estimated' });
    const retouch = createRetouch({ providers: [adapter], budget: { maxUsd: 1 } });
    await expect(
      retouch.edit({ model: 'wire:model', prompt: 'p', images: ['https://example.com/a.png'] }),
    ).rejects.toThrow('the edit could not be built');
    // Nothing billable left, so the $0.50 reserved is released, not counted as spent.
    expect(retouch.stats()).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    expect(server.received).toHaveLength(1);
    await retouch.close();
    await server.close();
  });
});
