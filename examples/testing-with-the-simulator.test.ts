/**
 * Testing an app that edits images, with the simulators of @retouch/simulator: real HTTP on
 * 127.0.0.1 in each provider's wire format, so the tests see what went over the wire, script the
 * failures a real provider has, and count what would have been billed. No keys, no network.
 *
 * Run it: npx pnpm@10 test:examples
 */
// #region setup
import {
  ApiCallError,
  BudgetExceededError,
  createRetouch,
  type ProviderAdapter,
  type RetouchOptions,
} from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import {
  createTestImage,
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let oxenSimulator: OxenSimulator;
let edenaiSimulator: EdenAISimulator;
let providers: ProviderAdapter[];

beforeAll(async () => {
  // Short jobs keep the tests fast; port 0 (the default) picks a free port.
  oxenSimulator = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 20 } });
  edenaiSimulator = await startEdenAISimulator();
  // Each simulator accepts only its own key, like the real provider.
  providers = [
    createOxen({ baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey }),
    createEdenAI({ baseURL: edenaiSimulator.url, apiKey: edenaiSimulator.apiKey }),
  ];
});

afterAll(async () => {
  await Promise.all(providers.map((provider) => provider.close?.()));
  await Promise.all([oxenSimulator.close(), edenaiSimulator.close()]);
});

beforeEach(() => {
  for (const simulator of [oxenSimulator, edenaiSimulator]) {
    simulator.setFaults([]);
    simulator.clearRequests();
  }
});

/** A client as the app creates it, with short retry delays so the tests stay fast. */
function client(options: Partial<RetouchOptions> = {}) {
  return createRetouch({ providers, retry: { initialDelayMs: 10, maxDelayMs: 100 }, ...options });
}

// A small real PNG made on the spot: the simulators edit any picture, no fixture file needed.
const photo = createTestImage({ width: 64, height: 48 });
// #endregion setup

describe('an app that edits through Retouch', () => {
  // #region wire
  it("sends the request in Oxen's wire format, with the key only in the Authorization header", async () => {
    const retouch = client();
    const result = await retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'Add a rainbow',
      images: [photo],
      aspectRatio: '16:9',
    });
    await retouch.close();

    expect(result.images).toHaveLength(1);
    const enqueue = oxenSimulator.requests.find((request) => request.route === 'POST /api/ai/queue');
    expect(enqueue?.body).toMatchObject({
      model: 'qwen-image-edit',
      prompt: 'Add a rainbow',
      aspect_ratio: '16:9',
    });
    // Recordings redact the key, so they are safe to print in a failing test.
    expect(enqueue?.headers.authorization).toBe('Bearer [REDACTED]');
  });
  // #endregion wire

  // #region retries
  it('retries a rate-limited edit and pays for it once', async () => {
    edenaiSimulator.setFaults([
      { route: 'POST /v3/images/edits', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 2 },
    ]);
    const retouch = client();
    const result = await retouch.edit({
      model: 'edenai:openai/gpt-image-2',
      prompt: 'Add a rainbow',
      images: [photo],
    });
    await retouch.close();

    const edits = edenaiSimulator.requests.filter((request) => request.route === 'POST /v3/images/edits');
    expect(edits.map((request) => request.status)).toEqual([429, 429, 200]);
    expect(edenaiSimulator.billableCount).toBe(1);
    expect(result.cost).toEqual({ usd: 0.053, source: 'reported' });
  });

  it('never resends an edit the provider may already have accepted', async () => {
    // The connection drops after the provider read the whole request: it may be running, and billing.
    edenaiSimulator.setFaults([{ route: 'POST /v3/images/edits', kind: 'reset-after-body', times: 1 }]);
    const retouch = client();
    const error = await retouch
      .edit({ model: 'edenai:openai/gpt-image-2', prompt: 'Add a rainbow', images: [photo] })
      .catch((caught: unknown) => caught);
    await retouch.close();

    expect(ApiCallError.isInstance(error) && !error.provablyNotProcessed).toBe(true);
    expect(edenaiSimulator.billableCount).toBe(1);
    expect(
      edenaiSimulator.requests.filter((request) => request.route === 'POST /v3/images/edits'),
    ).toHaveLength(1);
  });
  // #endregion retries

  // #region fallback
  it('falls back to the next model when a job fails', async () => {
    oxenSimulator.setFaults([
      { route: 'POST /api/ai/queue', kind: 'job-fails', message: 'Insufficient credits' },
    ]);
    const retouch = client({ fallback: ['edenai:google/gemini-2.5-flash-image'] });
    const result = await retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'Add a rainbow',
      images: [photo],
    });
    await retouch.close();

    expect(result.model).toBe('edenai:google/gemini-2.5-flash-image');
    expect(result.attempts).toEqual([
      expect.objectContaining({ model: 'oxen:qwen-image-edit', errorName: 'InsufficientCreditsError' }),
    ]);
  });
  // #endregion fallback

  // #region budget
  it('refuses an edit that could cross the budget before sending anything', async () => {
    const retouch = client({ budget: { maxUsd: 0.05 } });
    const request = { model: 'oxen:qwen-image-edit', prompt: 'Add a rainbow', images: [photo] };
    await retouch.edit(request); // $0.03
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    await retouch.close();

    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(oxenSimulator.billableCount).toBe(1);
  });
  // #endregion budget
});
