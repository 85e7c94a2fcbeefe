import { ApiCallError } from '@retouch/core';
import type { FaultRule, OxenSimulator } from '@retouch/simulator';
import { describe, expect, test } from 'vitest';
import { client, provider, received, simulator } from './helpers.ts';

/*
 * A billable request whose answer is lost after Oxen took it: the adapter finds the generation in
 * Oxen's own records and resumes it, so the edit is delivered, billed once and charged once. A
 * generation the records do not single out fails as possibly billed, saying why, and is never sent
 * again.
 */

const PRICE = 0.03; // qwen-image-edit, per image, in the simulator's catalogue
const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Put a hat on it',
  images: ['https://images.example.com/cat.png'],
};

async function billedUsd(sim: OxenSimulator): Promise<number> {
  const response = await fetch(`${sim.url}/api/ai/generations?page_size=1000`, {
    headers: { authorization: `Bearer ${sim.apiKey}` },
  });
  const { total_cost: total } = (await response.json()) as { total_cost: string | null };
  return Number(total ?? 0);
}

const lostAnswers: { name: string; fault: Omit<FaultRule, 'route'> }[] = [
  { name: 'accepted, then the connection drops', fault: { kind: 'reset-after-body' } },
  { name: 'billed, then a 500', fault: { kind: 'error-after-billing', status: 500 } },
  { name: 'billed, then a 502', fault: { kind: 'error-after-billing', status: 502 } },
  { name: 'a malformed answer after billing', fault: { kind: 'malformed-json' } },
  { name: 'an answer off its schema after billing', fault: { kind: 'schema-violation' } },
];

const modes = [
  { mode: 'queue', route: 'POST /api/ai/queue' },
  { mode: 'sse', route: 'POST /api/ai/queue' },
  { mode: 'sync', route: 'POST /api/ai/images/edit' },
] as const;

describe.each(modes)('$mode mode: a lost answer is recovered from Oxen’s records', ({ mode, route }) => {
  test.each(lostAnswers)('$name: delivered, billed once, charged once', async ({ fault }) => {
    const sim = await simulator();
    sim.setFaults([{ route, times: 1, ...fault }]);
    const retouch = client(provider(sim, { mode }), { budget: { maxUsd: 1 } });
    const result = await retouch.edit(request);
    expect((await result.images[0]!.bytes()).length).toBeGreaterThan(0);
    expect(result.warnings.map((warning) => warning.message).join('\n')).toMatch(
      /found in Oxen's records and resumed, not sent again/,
    );
    expect(received(sim, route)).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
    expect(await billedUsd(sim)).toBeCloseTo(PRICE, 6);
    expect(retouch.stats().spentUsd).toBeCloseTo(PRICE, 6);
    if (mode !== 'sync') expect(result.jobId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a lost answer that the records do not single out', () => {
  test('two identical generations in the window: possibly billed, the estimate charged, nothing resent', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'queue' });
    const retouch = client(oxen, { budget: { maxUsd: 1 } });
    // The same edit, made by someone else a moment before.
    await fetch(`${sim.url}/api/ai/queue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'qwen-image-edit',
        prompt: request.prompt,
        input_image: request.images[0],
      }),
    });
    sim.clearRequests();
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'reset-after-body', times: 1 }]);
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(
      /Oxen lists 2 generations of qwen-image-edit with this prompt enqueued between .* where this request made 1, so which are this request's cannot be told; it may have been billed/,
    );
    expect(received(sim, 'POST /api/ai/queue')).toHaveLength(1);
    expect(retouch.stats().possiblyBilledUsd).toBeCloseTo(PRICE, 6);
  });

  test('reset before Oxen read the body: no generation found, possibly billed, not sent again', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'reset-before-body', times: 1 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), { budget: { maxUsd: 1 } });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(
      /Oxen's records hold no generation of qwen-image-edit with this prompt enqueued between/,
    );
    expect(String(error)).toMatch(/may have accepted this billable request/);
    expect(received(sim, 'POST /api/ai/images/edit')).toHaveLength(1);
    expect(sim.billableCount).toBe(0);
    // Possibly billed: the estimate counts as possibly billed until the provider's records say otherwise.
    expect(retouch.stats().possiblyBilledUsd).toBeCloseTo(PRICE, 6);
  });

  test('records that cannot be read: the original failure, saying so', async () => {
    const sim = await simulator();
    sim.setFaults([
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', times: 1 },
      { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
    ]);
    const retouch = client(provider(sim, { mode: 'queue' }), { retry: { initialDelayMs: 1, maxDelayMs: 5 } });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/not found again in Oxen's records: they could not be read \(.*500/);
    expect(received(sim, 'POST /api/ai/queue')).toHaveLength(1);
  });

  test('n = 6 in queue mode: the second enqueue is recovered without taking the first one’s rows', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 1, times: 1 }]);
    const retouch = client(provider(sim, { mode: 'queue' }), { budget: { maxUsd: 1 } });
    const result = await retouch.edit({ ...request, n: 6 });
    expect(result.images).toHaveLength(6);
    expect(new Set(result.jobId!.split(',')).size).toBe(6);
    expect(received(sim, 'POST /api/ai/queue')).toHaveLength(2);
    expect(retouch.stats().spentUsd).toBeCloseTo(6 * PRICE, 6);
  });

  test('n = 2 in sync mode: the lost image is told apart from the answered one by its URL', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'error-after-billing', times: 1 }]);
    const retouch = client(provider(sim, { mode: 'sync' }), { budget: { maxUsd: 1 } });
    const result = await retouch.edit({ ...request, n: 2 });
    expect(result.images).toHaveLength(2);
    expect(new Set(result.images.map((image) => image.url)).size).toBe(2);
    expect(sim.billableCount).toBe(2);
    expect(retouch.stats().spentUsd).toBeCloseTo(2 * PRICE, 6);
  });

  test.each([
    { mode: 'queue', route: 'POST /api/ai/queue' },
    { mode: 'sync', route: 'POST /api/ai/images/edit' },
  ] as const)(
    '$mode: an identical edit this client made a moment before is not taken for the lost one',
    async ({ mode, route }) => {
      const sim = await simulator();
      const retouch = client(provider(sim, { mode }), { budget: { maxUsd: 1 } });
      await retouch.edit(request);
      // Not read by Oxen: nothing of it is in the records, and the earlier edit's row must not stand in.
      sim.setFaults([{ route, kind: 'reset-before-body', times: 1 }]);
      const error = await retouch.edit(request).catch((caught: unknown) => caught);
      expect(String(error)).toMatch(/Oxen's records hold no generation of qwen-image-edit with this prompt/);
      expect(sim.billableCount).toBe(1);
    },
  );

  test('an identical request still waiting for its answer makes the match ambiguous', async () => {
    const sim = await simulator();
    sim.setFaults([
      { route: 'POST /api/ai/queue', kind: 'slow', delayMs: 500, times: 1 },
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', times: 1 },
    ]);
    const retouch = client(provider(sim, { mode: 'queue' }), { budget: { maxUsd: 1 } });
    const [first, second] = await Promise.allSettled([retouch.edit(request), retouch.edit(request)]);
    const outcomes = [first, second].map((outcome) =>
      outcome.status === 'fulfilled' ? 'delivered' : String(outcome.reason),
    );
    expect(outcomes).toContain('delivered');
    expect(outcomes.find((outcome) => outcome !== 'delivered')).toMatch(
      /1 identical request is still waiting for an answer, so this request's generation cannot be told apart/,
    );
    expect(received(sim, 'POST /api/ai/queue')).toHaveLength(2);
  });
});
