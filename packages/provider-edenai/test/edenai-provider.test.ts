import { createRetouch, RetouchError } from '@retouch/core';
import { type EdenAISimulator, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createEdenAI, edenai } from '../src/index.ts';
import { pngBytes, requestsTo, retouchEdit } from './helpers.ts';

const KEY = 'eden-live-key-a8f3c2d1e9b7';
const EDITS = 'POST /v3/images/edits';

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ apiKey: KEY, rateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearRequests();
  sim.setFaults([]);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the API key', () => {
  test('missing: the error names EDENAI_API_KEY and nothing is sent', async () => {
    vi.stubEnv('EDENAI_API_KEY', '');
    const retouch = createRetouch({ providers: [createEdenAI({ baseURL: sim.url })] });
    try {
      const error = await retouch
        .edit({ model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [pngBytes()] })
        .catch((caught: unknown) => caught);
      expect(RetouchError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Eden AI API key is missing: set the EDENAI_API_KEY environment variable or pass { apiKey } to createEdenAI().',
      );
      await expect(retouch.listModels({ provider: 'edenai' })).rejects.toThrow(
        'Eden AI API key is missing: set the EDENAI_API_KEY environment variable',
      );
      expect(sim.requests).toHaveLength(0);
    } finally {
      await retouch.close();
    }
  });

  test('missing under a budget: the same error, before any estimate or request', async () => {
    vi.stubEnv('EDENAI_API_KEY', '');
    const retouch = createRetouch({
      providers: [createEdenAI({ baseURL: sim.url })],
      budget: { maxUsd: 2 },
    });
    try {
      for (const model of ['edenai:openai/gpt-image-2', 'edenai:bfl/flux-kontext-max']) {
        const request = { model, prompt: 'x', images: [pngBytes()] };
        const error = await retouch.edit(request).catch((caught: unknown) => caught);
        expect(RetouchError.isInstance(error)).toBe(true);
        expect((error as Error).name).not.toBe('BudgetExceededError');
        expect((error as Error).message).toBe(
          'Eden AI API key is missing: set the EDENAI_API_KEY environment variable or pass { apiKey } to createEdenAI().',
        );
        await expect(retouch.estimate(request)).rejects.toThrow(/^Eden AI API key is missing/);
      }
      expect(sim.requests).toHaveLength(0);
    } finally {
      await retouch.close();
    }
  });

  test('read from EDENAI_API_KEY at first use, not at creation', async () => {
    vi.stubEnv('EDENAI_API_KEY', '');
    const provider = createEdenAI({ baseURL: sim.url });
    vi.stubEnv('EDENAI_API_KEY', KEY);
    const result = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [pngBytes()],
    });
    expect(result.images).toHaveLength(1);
    expect(requestsTo(sim, EDITS)[0]!.authenticated).toBe(true);
  });

  test('never in a result, nor in what the default instance exposes', async () => {
    const provider = createEdenAI({ apiKey: KEY, baseURL: sim.url });
    const result = await retouchEdit(provider, {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
    });
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(JSON.stringify(provider)).not.toContain(KEY);
    expect(JSON.stringify(sim.requests)).not.toContain(KEY);
  });

  test('the default instance imports without a key and is the edenai adapter', () => {
    expect(edenai.id).toBe('edenai');
    expect(edenai.specificationVersion).toBe(2);
    expect(edenai.defaultLimits).toEqual({ requestsPerSecond: 10, concurrency: 10 });
    expect(edenai.http.baseURL).toBe('https://api.edenai.run');
    // One-shot edits only: Eden has no jobs, so there is nothing to submit, poll or watch.
    expect(
      ['submit', 'status', 'watch', 'cancel', 'prefersJobs', 'polling'].filter((key) => key in edenai),
    ).toEqual([]);
  });
});

describe('settings', () => {
  test('the EU host (with or without /v3) is where requests go, with the key', async () => {
    const seen: string[] = [];
    // A proxy-style fetch: the adapter targets the EU host, the proxy forwards to the simulator.
    const proxy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push(request.url);
      const target = new URL(request.url);
      return fetch(`${sim.url}${target.pathname}${target.search}`, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'GET' ? null : await request.arrayBuffer(),
      });
    };
    const provider = createEdenAI({ apiKey: KEY, baseURL: 'https://api.eu.edenai.run/v3', fetch: proxy });
    await retouchEdit(provider, {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
    });
    // The price lookup of the estimate, then the edit: both to the EU host.
    expect(seen).toEqual([
      'https://api.eu.edenai.run/v3/images/models',
      'https://api.eu.edenai.run/v3/images/edits',
    ]);
    expect(requestsTo(sim, EDITS)[0]!.authenticated).toBe(true);
  });

  test('extra headers go with every request', async () => {
    const provider = createEdenAI({ apiKey: KEY, baseURL: sim.url, headers: { 'x-team': 'imaging' } });
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [pngBytes()] });
    expect(requestsTo(sim, EDITS)[0]!.headers['x-team']).toBe('imaging');
    expect(requestsTo(sim, 'GET /v3/images/models')[0]!.headers['x-team']).toBe('imaging');
  });

  test('bad settings are refused at creation, with the fix', () => {
    expect(() => createEdenAI({ transport: 'xml' as never })).toThrow(
      'transport must be "auto", "json" or "multipart"',
    );
    expect(() => createEdenAI({ upload: 'sometimes' as never })).toThrow(
      'upload must be "never", "auto" or "always"',
    );
    expect(() => createEdenAI({ upload: 'always', transport: 'multipart' })).toThrow(
      'upload "always" sends inputs by file_id, which only a JSON body carries',
    );
    expect(() => createEdenAI({ headers: { Authorization: 'Bearer x' } })).toThrow(
      'pass the API key as { apiKey }',
    );
    expect(() => createEdenAI({ baseURL: 'api.edenai.run' })).toThrow('is not a URL');
    expect(() => createEdenAI({ timeoutMs: 0 })).toThrow('timeoutMs must be a positive number');
  });

  test('strict is no longer a provider setting: refused with where it went', () => {
    expect(() => createEdenAI({ strict: true } as never)).toThrow(
      'createEdenAI: strict is no longer a provider setting; pass it to the client instead, createRetouch({ providers, strict: true })',
    );
  });
});

describe('through the dispatcher', () => {
  test('an edit: reported cost, upstream provider, usage, deduplicated warnings', async () => {
    const retouch = createRetouch({ providers: [createEdenAI({ apiKey: KEY, baseURL: sim.url })] });
    try {
      const result = await retouch.edit({
        model: 'edenai:openai/gpt-image-2',
        prompt: 'Add a red scarf',
        images: [pngBytes({ width: 8, height: 8 })],
        n: 2,
        seed: 4,
      });
      expect(result.provider).toBe('edenai');
      expect(result.model).toBe('edenai:openai/gpt-image-2');
      expect(result.cost).toEqual({ usd: 0.106, source: 'reported' });
      expect(result.upstreamProvider).toBe('openai');
      expect(result.usage).toMatchObject({ total_tokens: expect.any(Number) });
      expect(result.images).toHaveLength(2);
      expect(result.warnings).toEqual([
        expect.objectContaining({ type: 'unsupported-option', option: 'seed' }),
      ]);
      expect(JSON.stringify(result)).not.toContain(KEY);
      expect(retouch.stats().spentUsd).toBe(0.106);
    } finally {
      await retouch.close();
    }
  });

  test('a 429 with retry_after is waited out and retried: one billable edit', async () => {
    sim.setFaults([{ route: EDITS, kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 }]);
    // Eden's documented rate, configured: an adaptive lane would also lower its rate after the 429,
    // and then wait for the estimate's price lookup to leave the window before the retry.
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: KEY, baseURL: sim.url })],
      limits: { edenai: { requestsPerSecond: 10 } },
    });
    try {
      const result = await retouch.edit({
        model: 'edenai:openai/gpt-image-2',
        prompt: 'x',
        images: [pngBytes()],
      });
      expect(result.images).toHaveLength(1);
      const [refused, retried] = requestsTo(sim, EDITS);
      expect([refused!.status, retried!.status]).toEqual([429, 200]);
      expect(sim.billableCount).toBe(1);
      // Eden asked for 50 ms: the retry follows about then (the bound is generous for a busy machine),
      // not a whole rate window later.
      expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(50);
      expect(retried!.at - refused!.at).toBeLessThan(500);
    } finally {
      await retouch.close();
    }
  });

  test('the estimate comes from the listed price', async () => {
    const retouch = createRetouch({ providers: [createEdenAI({ apiKey: KEY, baseURL: sim.url })] });
    try {
      expect(
        await retouch.estimate({
          model: 'edenai:openai/gpt-image-1-mini',
          prompt: 'x',
          images: [pngBytes()],
          n: 4,
        }),
      ).toEqual({ usd: 0.044, source: 'estimated' });
    } finally {
      await retouch.close();
    }
  });
});
