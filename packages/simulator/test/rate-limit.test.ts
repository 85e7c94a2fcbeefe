import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type EdenAISimulator, startEdenAISimulator } from '../src/index.ts';
import { SlidingWindowRateLimiter } from '../src/shared/rate-limiter.ts';
import { samplePngDataUrl, sleep } from './helpers.ts';

describe('SlidingWindowRateLimiter', () => {
  it('accepts N in any window and says when the next slot frees', () => {
    const limiter = new SlidingWindowRateLimiter({ requestsPerSecond: 3, windowMs: 1000 });
    const take = (now: number) => limiter.take({ account: 'a', now });
    expect([take(0), take(100), take(200)].every((verdict) => verdict.ok)).toBe(true);
    expect(take(300)).toEqual({ ok: false, retryAfterMs: 700 });
    expect(take(1000).ok).toBe(true);
    expect(take(1050)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(limiter.take({ account: 'b', now: 1050 }).ok).toBe(true);
  });

  it('never accepts more than N in a window, and refuses only when N were accepted in it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 80 }),
        (limit, gaps) => {
          const limiter = new SlidingWindowRateLimiter({ requestsPerSecond: limit, windowMs: 100 });
          const accepted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const inWindow = accepted.filter((time) => time > now - 100).length;
            const verdict = limiter.take({ account: 'a', now });
            expect(verdict.ok).toBe(inWindow < limit);
            if (verdict.ok) accepted.push(now);
          }
          for (let index = limit; index < accepted.length; index++) {
            expect(accepted[index]! - accepted[index - limit]!).toBeGreaterThanOrEqual(100);
          }
        },
      ),
    );
  });
});

describe('Eden AI per-account rate limit', () => {
  let sim: EdenAISimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const edit = { model: 'bfl/flux-kontext-pro', prompt: 'x', images: [{ image_url: samplePngDataUrl() }] };

  function post(simulator: EdenAISimulator): Promise<Response> {
    return fetch(`${simulator.url}/v3/images/edits`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${simulator.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(edit),
    });
  }

  it('answers 429 with retry_after beyond the limit; refused requests are not billable', async () => {
    // All seven requests must arrive within one window for exactly four to pass: a second leaves room
    // for a busy machine to spread them out.
    sim = await startEdenAISimulator({ rateLimit: { requestsPerSecond: 4, windowMs: 1_000 } });
    const responses = await Promise.all(Array.from({ length: 7 }, () => post(sim!)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429]);
    const limited = responses.find((response) => response.status === 429)!;
    const body = (await limited.json()) as { retry_after: number };
    expect(body).toEqual({
      detail: 'Rate limit exceeded',
      error_code: 'RATE_LIMITED',
      retry_after: expect.any(Number),
    });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(1);
    expect(sim.billableCount).toBe(4);
    expect(sim.counters.rateLimited).toBe(3);
    await sleep(body.retry_after * 1000 + 20);
    expect((await post(sim)).status).toBe(200);
  });

  it('defaults to 10 requests per second and can be turned off', async () => {
    sim = await startEdenAISimulator();
    const headers = { Authorization: `Bearer ${sim.apiKey}` };
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${sim!.url}/v3/images/models`, { headers }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    await sim.close();
    sim = await startEdenAISimulator({ rateLimit: false });
    const unlimited = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${sim!.url}/v3/images/models`, { headers: { Authorization: `Bearer ${sim!.apiKey}` } }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(unlimited.every((status) => status === 200)).toBe(true);
  });
});
