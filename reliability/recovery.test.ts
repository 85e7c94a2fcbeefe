/**
 * Paid results and prices under faults. An ambiguous send to Oxen (its answer lost after Oxen may
 * have taken the request) is found again in Oxen's own records and resumed: delivered, billed once,
 * charged once. Eden AI keeps no such records: its ambiguous edits stay possibly billed, with their
 * estimate charged, and nothing is sent again. And a refused first price read must not leave a
 * listed model "cannot be estimated" under a budget. Each test prints what it measured.
 */
import {
  BudgetExceededError,
  createRetouch,
  type EditRequest,
  type Retouch,
  RetouchError,
} from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type FaultRule,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterEach, describe, expect, test } from 'vitest';
import { pngBytes } from './support/png.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The faults that lose the answer to a request the provider took and billed. */
const lostAnswers: readonly { label: string; rule: Omit<FaultRule, 'route'> }[] = [
  { label: 'accepted, then the connection drops', rule: { kind: 'reset-after-body' } },
  { label: 'billed, then a 500', rule: { kind: 'error-after-billing', status: 500 } },
  { label: 'billed, then a 502', rule: { kind: 'error-after-billing', status: 502 } },
  { label: 'a malformed answer after billing', rule: { kind: 'malformed-json' } },
];

async function oxenSetup(mode: 'queue' | 'sync'): Promise<{ sim: OxenSimulator; retouch: Retouch }> {
  const sim = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 20 } });
  const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url, mode, pollIntervalMs: 20 });
  const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 1 } });
  cleanups.push(async () => {
    await retouch.close();
    await sim.close();
  });
  return { sim, retouch };
}

/** What Oxen's history says it charged, in USD. */
async function oxenBilledUsd(sim: OxenSimulator): Promise<number> {
  const response = await fetch(`${sim.url}/api/ai/generations?page_size=1000`, {
    headers: { authorization: `Bearer ${sim.apiKey}` },
  });
  const { total_cost: total } = (await response.json()) as { total_cost: string | null };
  return Number(total ?? 0);
}

const usd = (amount: number): string => `$${amount.toFixed(4)}`;

describe('an ambiguous send to Oxen is recovered from its records', () => {
  const cases = (['queue', 'sync'] as const).flatMap((mode) =>
    lostAnswers.map((fault) => ({ mode, ...fault })),
  );

  test.each(cases)('$mode: $label', async ({ mode, label, rule }) => {
    const { sim, retouch } = await oxenSetup(mode);
    const route = mode === 'queue' ? 'POST /api/ai/queue' : 'POST /api/ai/images/edit';
    sim.setFaults([{ route, times: 1, ...rule }]);
    const result = await retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: `recover: ${label}`,
      images: ['https://images.example.com/cat.png'],
    });
    const bytes = (await result.images[0]!.bytes()).length;
    const sends = sim.requests.filter((request) => request.route === route).length;
    const billedUsd = await oxenBilledUsd(sim);
    const chargedUsd = retouch.stats().spentUsd;
    console.log(
      `Oxen ${mode === 'queue' ? 'enqueue' : 'sync edit'}, ${label}: recovered (${bytes} bytes), sent ${sends}×, billed ${sim.billableCount}× ${usd(billedUsd)}, charged ${usd(chargedUsd)}`,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(sends).toBe(1);
    expect(sim.billableCount).toBe(1);
    expect(chargedUsd).toBeCloseTo(billedUsd, 9);
  });
});

describe('an ambiguous send to Eden AI stays possibly billed', () => {
  test.each(lostAnswers)('$label', async ({ label, rule }) => {
    const sim: EdenAISimulator = await startEdenAISimulator({ rateLimit: false });
    const eden = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [eden], budget: { maxUsd: 1 } });
    cleanups.push(async () => {
      await retouch.close();
      await sim.close();
    });
    sim.setFaults([{ route: 'POST /v3/images/edits', times: 1, ...rule }]);
    const request: EditRequest = {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: `possibly billed: ${label}`,
      images: [pngBytes()],
    };
    const estimate = await retouch.estimate(request);
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    const sends = sim.requests.filter((recorded) => recorded.route === 'POST /v3/images/edits').length;
    // An edit that may have been billed counts its estimate as possibly billed, not spent.
    const { spentUsd, possiblyBilledUsd } = retouch.stats();
    const chargedUsd = spentUsd + possiblyBilledUsd;
    console.log(
      `Eden AI edit, ${label}: ${RetouchError.isInstance(error) ? error.name : 'no error'}, sent ${sends}×, billed ${sim.billableCount}×, charged ${usd(chargedUsd)} (estimate ${usd(estimate?.usd ?? Number.NaN)})`,
    );
    expect(RetouchError.isInstance(error)).toBe(true);
    expect(sends).toBe(1);
    expect(sim.billableCount).toBe(1);
    expect(chargedUsd).toBe(estimate?.usd);
  });
});

describe('a 429 on every first price read', () => {
  test('Oxen: every model of the built-in table, each first schema read refused', async () => {
    const sim = await startOxenSimulator();
    cleanups.push(() => sim.close());
    const models = [
      'qwen-image-edit',
      'qwen-image-edit-plus',
      'qwen-image-edit-2511',
      'gpt-image-2',
      'nano-banana-2',
      'xai-grok-imagine-image-edit',
      'flux-kontext-dev',
    ];
    sim.setFaults(
      models.map((model) => ({
        route: `GET /api/ai/models/${model}`,
        kind: 'rate-limit',
        retryAfterSeconds: 0.05,
        times: 1,
      })),
    );
    const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url, mode: 'sync' });
    const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 10 } });
    cleanups.push(() => retouch.close());
    const outcomes = await Promise.all(
      models.map((model) =>
        retouch
          .edit({ model: `oxen:${model}`, prompt: 'a hat', images: ['https://images.example.com/cat.png'] })
          .then(
            () => 'ok' as const,
            (error: unknown) => (BudgetExceededError.isInstance(error) ? 'refused' : 'failed'),
          ),
      ),
    );
    const refused = outcomes.filter((outcome) => outcome === 'refused').length;
    const limited = sim.requests.filter((request) => request.fault === 'rate-limit').length;
    console.log(
      `Oxen, a 429 on every first price read: ${models.length} listed models, ${limited} reads refused, ${refused} budget refusals, ${outcomes.filter((outcome) => outcome === 'ok').length} edits done`,
    );
    expect(limited).toBe(models.length);
    expect(refused).toBe(0);
    expect(outcomes.every((outcome) => outcome === 'ok')).toBe(true);
  });

  test('Eden AI: the first catalogue read refused, every listed model still estimated', async () => {
    const sim = await startEdenAISimulator({ rateLimit: false });
    cleanups.push(() => sim.close());
    sim.setFaults([
      { route: 'GET /v3/images/models', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 },
    ]);
    const eden = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [eden], budget: { maxUsd: 10 } });
    cleanups.push(() => retouch.close());
    const models = ['openai/gpt-image-1-mini', 'google/gemini-2.5-flash-image', 'bfl/flux-kontext-pro'];
    const outcomes = [];
    for (const model of models) {
      outcomes.push(
        await retouch.edit({ model: `edenai:${model}`, prompt: 'a hat', images: [pngBytes()] }).then(
          () => 'ok' as const,
          (error: unknown) => (BudgetExceededError.isInstance(error) ? 'refused' : 'failed'),
        ),
      );
    }
    const refused = outcomes.filter((outcome) => outcome === 'refused').length;
    console.log(
      `Eden AI, a 429 on the first catalogue read: ${models.length} listed models, ${refused} budget refusals`,
    );
    expect(refused).toBe(0);
    expect(outcomes.every((outcome) => outcome === 'ok')).toBe(true);
  });
});
