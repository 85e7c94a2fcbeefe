import {
  BudgetExceededError,
  createMemorySpendStore,
  createRetouch,
  type EditRequest,
  type SpendEntry,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createFakeProvider, FakeJobBackend, failures } from './support/fake-provider.ts';
import { describeSpendStoreBehaviour } from './support/spend-store-behaviour.ts';

function request(overrides: Partial<EditRequest> = {}): EditRequest {
  return {
    model: 'fake:model-a',
    prompt: 'Make the sky purple',
    images: ['https://example.com/cat.png'],
    ...overrides,
  };
}

describe('the in-memory spend store', () => {
  describeSpendStoreBehaviour({ open: async () => createMemorySpendStore(), shared: false });

  test('forgets the oldest finished entries beyond `remember`, keeping their money counted', async () => {
    const store = createMemorySpendStore({ remember: 2 });
    for (const key of ['a', 'b', 'c']) {
      await store.reserve({ key, model: 'p:m', usd: 0.1 });
      await store.settle({ key, model: 'p:m' });
    }
    expect((await store.entries()).map((entry) => entry.key)).toEqual(['b', 'c']);
    expect((await store.totals()).settledUsd).toBe(0.3);
  });

  test('starts from the entries it is given', async () => {
    const earlier: SpendEntry[] = [
      { key: 'x', model: 'p:m', state: 'possibly-billed', estimateUsd: 0.2, updatedAt: 1 },
      { key: 'y', model: 'p:m', state: 'settled', estimateUsd: 0.2, costUsd: 0.1, updatedAt: 2 },
    ];
    const store = createMemorySpendStore({ entries: earlier });
    expect(await store.totals()).toEqual({ settledUsd: 0.1, possiblyBilledUsd: 0.2, reservedUsd: 0 });
    expect((await store.reserve({ key: 'z', model: 'p:m', usd: 0.8, maxUsd: 1 })).ok).toBe(false);
  });
});

describe('the spend ledger in the dispatcher', () => {
  test('a budget without a cap keeps its account in the store it names, refusing nothing', async () => {
    const store = createMemorySpendStore();
    const fake = createFakeProvider({ estimateUsd: 5, reportedUsd: 4 });
    const retouch = createRetouch({ providers: [fake], budget: { store } });
    await retouch.edit(request(), { billingKey: 'line-1' });
    await retouch.edit(request(), { billingKey: 'line-2' });
    expect(await store.totals()).toEqual({ settledUsd: 8, possiblyBilledUsd: 0, reservedUsd: 0 });
    // A later client with a cap counts it.
    const capped = createRetouch({ providers: [fake], budget: { maxUsd: 10, store } });
    await expect(capped.edit(request())).rejects.toSatisfy(BudgetExceededError.isInstance);
    expect(() => createRetouch({ providers: [fake], budget: {} })).toThrow('budget.maxUsd must be');
  });

  test('each edit is one entry under its billing key, settled with the reported cost', async () => {
    const store = createMemorySpendStore();
    const fake = createFakeProvider({ estimateUsd: 0.05, reportedUsd: 0.04 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1, store } });
    await retouch.edit(request(), { billingKey: 'catalogue:line-7' });
    const result = await retouch.edit(request());
    expect(await store.entries()).toEqual([
      expect.objectContaining({
        key: 'catalogue:line-7',
        state: 'settled',
        estimateUsd: 0.05,
        costUsd: 0.04,
        costSource: 'reported',
      }),
      expect.objectContaining({ key: expect.stringMatching(/^job_/), state: 'settled' }),
    ]);
    expect(result.cost).toEqual({ usd: 0.04, source: 'reported' });
    expect(retouch.stats()).toMatchObject({ spentUsd: 0.08, possiblyBilledUsd: 0, reservedUsd: 0 });
    await retouch.close();
  });

  test('a billing key the store already settled is refused before anything is sent', async () => {
    const store = createMemorySpendStore();
    const fake = createFakeProvider({ estimateUsd: 0.05, reportedUsd: 0.05 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1, store } });
    await retouch.edit(request(), { billingKey: 'line-1' });
    const refusal = await retouch.edit(request(), { billingKey: 'line-1' }).catch((caught) => caught);
    expect(BudgetExceededError.isInstance(refusal)).toBe(true);
    expect((refusal as Error).message).toMatch(/billing key "line-1" was already charged/);
    expect(fake.callsOf('edit')).toHaveLength(1);
    await retouch.close();
  });

  test('a hold left by a stopped process is inherited, not held twice, even at the cap', async () => {
    const store = createMemorySpendStore({
      entries: [{ key: 'job-9', model: 'fake:model-a', state: 'reserved', estimateUsd: 1, updatedAt: 1 }],
    });
    const fake = createFakeProvider({ estimateUsd: 1, reportedUsd: 1 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1, store } });
    await expect(retouch.edit(request())).rejects.toSatisfy((error) => BudgetExceededError.isInstance(error));
    await retouch.edit(request(), { billingKey: 'job-9' });
    expect(await store.totals()).toEqual({ settledUsd: 1, possiblyBilledUsd: 0, reservedUsd: 0 });
    await retouch.close();
  });

  test('fallback models are separate entries: the failed one possibly billed, the next settled', async () => {
    const store = createMemorySpendStore();
    const alpha = createFakeProvider({ id: 'alpha', estimateUsd: 0.1 });
    alpha.script('edit', failures.badGateway());
    const beta = createFakeProvider({ id: 'beta', estimateUsd: 0.2, reportedUsd: 0.2 });
    const retouch = createRetouch({
      providers: [alpha, beta],
      budget: { maxUsd: 1, store },
      fallback: ['beta:model-b'],
      retry: { maxRetries: 0 },
    });
    await retouch.edit(request({ model: 'alpha:model-a' }), { billingKey: 'k' });
    const entries = await store.entries();
    expect(entries.map((entry) => [entry.key, entry.state])).toEqual([
      ['k', 'possibly-billed'],
      ['k#1', 'settled'],
    ]);
    await retouch.close();
  });

  test('a job resumed in another process is charged once, under the key it was reserved with', async () => {
    const store = createMemorySpendStore();
    const backend = new FakeJobBackend({ queueMs: 20, durationMs: 60 });
    const options = { jobs: true, prefersJobs: true, backend, estimateUsd: 0.05 } as const;
    const first = createRetouch({ providers: [createFakeProvider(options)], budget: { maxUsd: 1, store } });
    const job = await first.submit(request(), { billingKey: 'queue:42' });
    const saved = JSON.parse(JSON.stringify(job));
    expect(saved.billingKey).toBe('queue:42');
    await first.close();
    expect(await store.totals()).toEqual({ settledUsd: 0, possiblyBilledUsd: 0.05, reservedUsd: 0 });

    // The new process knows no price and gets no reported cost: it charges the estimate held.
    const second = createRetouch({
      providers: [createFakeProvider({ jobs: true, prefersJobs: true, backend })],
      budget: { maxUsd: 1, store },
    });
    await (await second.resume(saved)).result();
    expect(await store.totals()).toEqual({ settledUsd: 0.05, possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(await store.entries()).toEqual([
      expect.objectContaining({ key: 'queue:42', state: 'settled', costUsd: 0.05, costSource: 'estimated' }),
    ]);
    await second.close();
  });

  test('a billing key that is not a non-empty string is refused, naming the option', async () => {
    const retouch = createRetouch({ providers: [createFakeProvider()] });
    await expect(retouch.edit(request(), { billingKey: '' })).rejects.toThrow(
      /billingKey must be a non-empty string/,
    );
    await retouch.close();
  });
});
