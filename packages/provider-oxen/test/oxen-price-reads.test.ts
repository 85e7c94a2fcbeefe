import { BudgetExceededError } from '@retouch/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { client, provider, received, simulator } from './helpers.ts';

/*
 * A model's schema read carries its prices, which a budget needs: a refused or slow read must not
 * leave a listed model "cannot be estimated". The read is a free one, sent again through the lane
 * after a 429 or 5xx, and a read that still fails is tried again a few seconds later, not a minute.
 */

const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Put a hat on it',
  images: ['https://images.example.com/cat.png'],
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('price reads', () => {
  test('a 429 on the first read: the read is sent again, and a budgeted edit goes through', async () => {
    const sim = await simulator();
    sim.setFaults([
      { route: 'GET /api/ai/models/:name', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 },
    ]);
    const retouch = client(provider(sim, { mode: 'sync' }), { budget: { maxUsd: 1 } });
    const result = await retouch.edit(request);
    expect(result.cost).toEqual({ usd: 0.03, source: 'estimated' });
    expect(received(sim, 'GET /api/ai/models/:name').map((read) => read.fault)).toEqual([
      'rate-limit',
      undefined,
    ]);
  });

  test('a slow read is shared by the edits waiting on it: one read, no refusal', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'slow', delayMs: 300, times: 1 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), { budget: { maxUsd: 1 } });
    const results = await Promise.all(Array.from({ length: 4 }, () => retouch.edit(request)));
    expect(results.map((result) => result.cost?.usd)).toEqual([0.03, 0.03, 0.03, 0.03]);
    expect(received(sim, 'GET /api/ai/models/:name')).toHaveLength(1);
  });

  test('a read that still fails is not kept for long: an edit a few seconds on reads again', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'status', status: 500 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), { budget: { maxUsd: 1 } });
    const first = await retouch.edit(request).catch((caught: unknown) => caught);
    // The built-in table stood in, without a price: the budget could not be kept.
    expect(BudgetExceededError.isInstance(first)).toBe(true);
    expect(received(sim, 'GET /api/ai/models/:name')).toHaveLength(3);

    sim.setFaults([]);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 6_000);
    const second = await retouch.edit(request);
    expect(second.cost).toEqual({ usd: 0.03, source: 'estimated' });
    expect(received(sim, 'GET /api/ai/models/:name')).toHaveLength(4);
  });
});
