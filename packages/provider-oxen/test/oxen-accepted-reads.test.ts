import { createRetouch } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { provider, simulator } from './helpers.ts';

const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Add a moon',
  images: ['https://example.com/photo.png'],
};

describe('through the dispatcher, a queued Oxen job that was accepted is read until it settles', () => {
  test('twelve failed status reads (more than the adapter polls through alone) with maxRetries 2: the edit succeeds and is billed once', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/queue/:id', kind: 'status', status: 500, times: 12 }]);
    const retouch = createRetouch({
      providers: [provider(sim, { mode: 'queue' })],
      retry: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 40 },
    });
    const result = await retouch.edit(request);

    expect(result.images).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
    expect(sim.requests.filter((entry) => entry.path.startsWith('/api/ai/queue/')).length).toBeGreaterThan(5);
    await retouch.close();
  });

  test('a status read that hangs, with timeoutMs 3000: the edit still settles with its result', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/queue/:id', kind: 'hang', times: 1 }]);
    const retouch = createRetouch({
      providers: [provider(sim, { mode: 'queue' })],
      retry: { initialDelayMs: 10, maxDelayMs: 40 },
    });
    const result = await retouch.edit({ ...request, timeoutMs: 3_000 });

    expect(result.images).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
    await retouch.close();
  });
});
