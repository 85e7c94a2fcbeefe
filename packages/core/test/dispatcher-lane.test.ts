import { createRetouch, type EditRequest, type EditResult, type ProviderAdapter } from '@retouch/core';
import { createGeneratedImage, createHttpClient } from '@retouch/core/provider-utils';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { MAX_WINDOW_MARGIN_MS, WINDOW_MARGIN_MS } from '../src/dispatcher/lane.ts';
import { createFakeProvider, failures, TINY_PNG_BASE64 } from './support/fake-provider.ts';
import { startScriptedServer } from './support/http-provider.ts';
import { maxInWindow, recordingFetch } from './support/request-windows.ts';
import { CLOCK_STEP_MS, runOnVirtualClock, useVirtualClock } from './support/virtual-clock.ts';

const request = (prompt = 'add a hat'): EditRequest => ({
  model: 'fake:model-a',
  prompt,
  images: ['https://example.com/cat.png'],
});

/** Starts the edits, advances the fake clock until they settle, and returns their outcomes. */
async function runAll(
  promises: Promise<EditResult>[],
  options: { stepMs?: number; maxMs?: number } = {},
): Promise<PromiseSettledResult<EditResult>[]> {
  const all = Promise.allSettled(promises);
  let done = false;
  void all.then(() => {
    done = true;
  });
  for (let elapsed = 0; !done && elapsed < (options.maxMs ?? 120_000); elapsed += options.stepMs ?? 50) {
    await vi.advanceTimersByTimeAsync(options.stepMs ?? 50);
  }
  return all;
}

// The first edit loads the schemas (and zod) with a dynamic import: real I/O, which a fake clock
// advanced in steps would run past. Loading them first keeps every test on the fake clock alone.
beforeAll(async () => {
  await import('@retouch/core/schemas');
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the rate window', () => {
  test('no more than requestsPerSecond starts in any sliding one-second window', async () => {
    const fake = createFakeProvider({ latencyMs: 30 });
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 10, requestsPerSecond: 5 } },
    });
    const outcomes = await runAll(
      Array.from({ length: 23 }, (_, index) => retouch.edit(request(`edit ${index}`))),
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const starts = fake.callsOf('edit').map((call) => call.at);
    expect(starts).toHaveLength(23);
    // The window is used fully, and never overfilled wherever it is placed (a fixed window would let
    // 10 start around each boundary).
    expect(maxInWindow(starts, 1_000)).toBe(5);
    await retouch.close();
  });

  test('starts are spaced by the window plus a margin, so requests that reach the provider late by less than the margin still find room', async () => {
    const fake = createFakeProvider({ latencyMs: 10 });
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 10, requestsPerSecond: 5 } },
    });
    const outcomes = await runAll(
      Array.from({ length: 16 }, (_, index) => retouch.edit(request(`edit ${index}`))),
      { stepMs: 5 },
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const starts = fake.callsOf('edit').map((call) => call.at);
    // A provider counting arrivals in its own one-second window sees at most 5 even when one request
    // of a pair `cap` apart arrived up to WINDOW_MARGIN_MS - 1 ms later than the other.
    expect(maxInWindow(starts, 1_000 + WINDOW_MARGIN_MS - 1)).toBe(5);
    // The margin is all the lane gives up: the next five start as soon as the window and margin allow,
    // counted from the answers of the first five (10 ms after they left: see ANSWERED_RESTAMP_MS).
    expect(maxInWindow(starts, 1_000 + WINDOW_MARGIN_MS + 10 + 1)).toBe(10);
    await retouch.close();
  });

  test('a 429 in a configured lane widens the margin: arrivals spread wider than it was', async () => {
    const fake = createFakeProvider({ latencyMs: 10 });
    fake.script('edit', { error: failures.rateLimited({ retryAfterMs: 20 }), afterMs: 10 });
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 10, requestsPerSecond: 5 } },
    });
    const outcomes = await runAll(
      Array.from({ length: 16 }, (_, index) => retouch.edit(request(`edit ${index}`))),
      { stepMs: 5 },
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const accepted = fake
      .callsOf('edit')
      .slice(1)
      .map((call) => call.at);
    expect(maxInWindow(accepted, 1_000 + WINDOW_MARGIN_MS + 9)).toBe(5);
    expect(maxInWindow(accepted, 1_000 + MAX_WINDOW_MARGIN_MS + 1)).toBe(10);
    await retouch.close();
  });

  test('a rate below one a second spaces starts evenly', async () => {
    const fake = createFakeProvider({ latencyMs: 10 });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { requestsPerSecond: 0.5 } } });
    await runAll([retouch.edit(request()), retouch.edit(request()), retouch.edit(request())]);
    const starts = fake.callsOf('edit').map((call) => call.at);
    expect(maxInWindow(starts, 2_000)).toBe(1);
    await retouch.close();
  });

  test('concurrency bounds the edits in flight', async () => {
    const fake = createFakeProvider({ latencyMs: 200 });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 3 } } });
    await runAll(Array.from({ length: 10 }, () => retouch.edit(request())));
    expect(fake.maxInFlight).toBe(3);
    await retouch.close();
  });

  test('a higher priority starts first', async () => {
    const fake = createFakeProvider({ latencyMs: 50 });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 1 } } });
    const edits = [
      retouch.edit(request('first')),
      retouch.edit(request('low 1')),
      retouch.edit(request('low 2')),
      retouch.edit(request('urgent'), { priority: 10 }),
    ];
    await runAll(edits);
    expect(fake.callsOf('edit').map((call) => call.prompt)).toEqual(['first', 'urgent', 'low 1', 'low 2']);
    await retouch.close();
  });
});

describe('a 429 pauses the whole lane', () => {
  test("for the provider's Retry-After, not just the throttled request", async () => {
    const fake = createFakeProvider({ latencyMs: 100 });
    fake.script('edit', { error: failures.rateLimited({ retryAfterMs: 800 }), afterMs: 50 });
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 4, requestsPerSecond: 100 } },
    });
    const outcomes = await runAll(
      Array.from({ length: 12 }, (_, index) => retouch.edit(request(`edit ${index}`))),
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const calls = fake.callsOf('edit');
    const throttledAt = calls[0]!.at + 50;
    const startsDuringPause = calls.filter((call) => call.at >= throttledAt && call.at < throttledAt + 800);
    expect(startsDuringPause).toEqual([]);
    // The three already in flight finished; the nine others and the retry waited out the pause.
    expect(calls.filter((call) => call.at >= throttledAt + 800)).toHaveLength(9);
    expect(fake.accepted).toHaveLength(12);
    expect(retouch.stats()).toMatchObject({ succeeded: 12, failed: 0, retries: 1 });
    await retouch.close();
  });

  test('without Retry-After, for a backoff that grows with consecutive 429s', async () => {
    const fake = createFakeProvider({ latencyMs: 10 });
    fake.script('edit', failures.rateLimited(), failures.rateLimited());
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 1, requestsPerSecond: 100 } },
      retry: { initialDelayMs: 300, maxRetries: 3 },
    });
    await runAll([retouch.edit(request()), retouch.edit(request())]);
    const starts = fake.callsOf('edit').map((call) => call.at);
    expect(starts).toHaveLength(4);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(300);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(600);
    await retouch.close();
  });

  test('the retrying event carries the reason and the delay', async () => {
    const fake = createFakeProvider({ latencyMs: 10 });
    fake.script('edit', failures.rateLimited({ retryAfterMs: 1_500 }));
    const events: { type: string; reason?: string; delayMs?: number; attempt?: number }[] = [];
    const retouch = createRetouch({ providers: [fake], onProgress: (event) => events.push(event) });
    await runAll([retouch.edit(request())]);
    const retrying = events.find((event) => event.type === 'retrying');
    expect(retrying).toMatchObject({ attempt: 2, delayMs: 1_500 });
    expect(retrying?.reason).toMatch(/429 rate limited; the provider asked to wait 1500 ms/);
    // The job stays running while its retry waits: it left the queue once.
    expect(events.map((event) => event.type)).toEqual([
      'queued',
      'status',
      'started',
      'retrying',
      'started',
      'succeeded',
    ]);
    await retouch.close();
  });
});

describe('a short Retry-After is honoured promptly', () => {
  test.each([
    ['an adaptive lane', undefined],
    ['a fixed rate of 10 a second', 10],
  ])(
    'in %s, the retry starts once the 50 ms are up, not a second later',
    async (_name, requestsPerSecond) => {
      const fake = createFakeProvider({
        latencyMs: 10,
        // Eden AI's documented limit, which an adaptive lane starts from.
        defaultLimits: { concurrency: 10, requestsPerSecond: 10 },
      });
      fake.script('edit', { error: failures.rateLimited({ retryAfterMs: 50 }), afterMs: 10 });
      const retouch = createRetouch({
        providers: [fake],
        ...(requestsPerSecond ? { limits: { fake: { requestsPerSecond } } } : {}),
      });
      const outcomes = await runAll([retouch.edit(request())], { stepMs: 5 });
      expect(outcomes[0]!.status).toBe('fulfilled');
      const [refused, retry] = fake.callsOf('edit').map((call) => call.at);
      const throttledAt = refused! + 10;
      expect(retry! - throttledAt).toBeGreaterThanOrEqual(50);
      expect(retry! - throttledAt).toBeLessThan(500);
      await retouch.close();
    },
  );

  test('the pause still holds the whole lane; a lone 429 with a delay leaves the adaptive rate as it was', async () => {
    const fake = createFakeProvider({
      latencyMs: 10,
      defaultLimits: { concurrency: 10, requestsPerSecond: 10 },
    });
    fake.script('edit', { error: failures.rateLimited({ retryAfterMs: 200 }), afterMs: 10 });
    const retouch = createRetouch({ providers: [fake] });
    const first = retouch.edit(request('first'));
    await vi.advanceTimersByTimeAsync(15);
    const later = Array.from({ length: 4 }, (_, index) => retouch.edit(request(`later ${index}`)));
    await runAll([first, ...later], { stepMs: 5 });
    const calls = fake.callsOf('edit');
    const throttledAt = calls[0]!.at + 10;
    expect(calls.filter((call) => call.at > throttledAt && call.at < throttledAt + 200)).toEqual([]);
    // The provider said when to come back; one 429 is not evidence that the rate is too high.
    expect(retouch.stats().lanes.fake!.requestsPerSecond).toBe(10);
    await retouch.close();
  });
});

describe('an adaptive lane (no requestsPerSecond configured)', () => {
  test('converges under an unknown server limit without losing or double-sending edits', async () => {
    const fake = createFakeProvider({ latencyMs: 20, serverRateLimit: { requests: 6, windowMs: 1_000 } });
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 8 } },
      retry: { initialDelayMs: 200, maxDelayMs: 2_000 },
    });
    const outcomes = await runAll(
      Array.from({ length: 80 }, (_, index) => retouch.edit(request(`edit ${index}`))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(fake.accepted).toHaveLength(80);
    const first = fake.calls[0]!.at;
    const last = fake.accepted.at(-1)!.at;
    const early = fake.throttled.filter((call) => call.at < first + 3_000).length;
    const late = fake.throttled.filter((call) => call.at >= first + 3_000);
    // The first burst overshoots; once the rate is learned, throttling is rare: a probe now and then.
    expect(early).toBeGreaterThan(0);
    expect(late.length).toBeLessThanOrEqual(Math.ceil((last - first - 3_000) / 3_000) + 1);
    const rate = retouch.stats().lanes.fake!.requestsPerSecond!;
    expect(rate).toBeGreaterThanOrEqual(2);
    expect(rate).toBeLessThanOrEqual(7);
    await retouch.close();
  });

  test('probes back up after a run of successes when the limit rises', async () => {
    const serverRateLimit = { requests: 2, windowMs: 1_000 };
    const fake = createFakeProvider({ latencyMs: 10, serverRateLimit });
    const retouch = createRetouch({
      providers: [fake],
      retry: { initialDelayMs: 100, maxDelayMs: 1_000 },
    });
    await runAll(Array.from({ length: 12 }, () => retouch.edit(request())));
    const learned = retouch.stats().lanes.fake!.requestsPerSecond!;
    // The window lets through whole requests: floor(rate) a second.
    expect(Math.floor(learned)).toBeLessThanOrEqual(2);

    serverRateLimit.requests = 50;
    const before = fake.throttled.length;
    await runAll(Array.from({ length: 60 }, () => retouch.edit(request())));
    expect(fake.throttled.length).toBe(before);
    expect(retouch.stats().lanes.fake!.requestsPerSecond!).toBeGreaterThan(learned + 2);
    await retouch.close();
  });

  test('one round of 429s costs the rate 30% at most, not half', async () => {
    const fake = createFakeProvider({
      latencyMs: 10,
      defaultLimits: { concurrency: 10, requestsPerSecond: 10 },
    });
    const throttled = { error: failures.rateLimited({ retryAfterMs: 50 }), afterMs: 10 };
    fake.script('edit', throttled, throttled, throttled);
    const retouch = createRetouch({ providers: [fake] });
    const outcomes = await runAll(
      Array.from({ length: 10 }, (_, index) => retouch.edit(request(`edit ${index}`))),
      { stepMs: 5 },
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(fake.callsOf('edit')).toHaveLength(13);
    const rate = retouch.stats().lanes.fake!.requestsPerSecond!;
    expect(rate).toBeGreaterThanOrEqual(7);
    expect(rate).toBeLessThan(10);
    await retouch.close();
  });

  test("starts at the provider's documented rate and never probes past it", async () => {
    const fake = createFakeProvider({
      latencyMs: 5,
      defaultLimits: { concurrency: 4, requestsPerSecond: 3 },
    });
    const retouch = createRetouch({ providers: [fake] });
    await runAll(Array.from({ length: 30 }, () => retouch.edit(request())));
    expect(
      maxInWindow(
        fake.callsOf('edit').map((call) => call.at),
        1_000,
      ),
    ).toBe(3);
    expect(retouch.stats().lanes.fake).toMatchObject({
      concurrency: 4,
      requestsPerSecond: 3,
      adaptive: true,
    });
    await retouch.close();
  });
});

describe('every request of a call goes through the lane', () => {
  /**
   * An adapter whose every edit sends two requests over HTTP, an upload then the edit, as Eden AI's may.
   * Its requests go through `fetch`, which records them: the clock moves only while none is on its way.
   */
  function uploadingAdapter(options: {
    baseURL: string;
    fetch: typeof globalThis.fetch;
    order?: string[];
  }): ProviderAdapter {
    const { baseURL, fetch, order = [] } = options;
    const http = createHttpClient({ provider: 'fake', baseURL, apiKey: 'lane-test-key', fetch });
    return {
      id: 'fake',
      specificationVersion: 2,
      http,
      async edit(call) {
        order.push(`start ${call.request.prompt}`);
        await call.http.request({ method: 'POST', path: '/edit', json: { upload: call.request.prompt } });
        await call.http.request({ method: 'POST', path: '/edit', json: { prompt: call.request.prompt } });
        order.push(`second request of ${call.request.prompt}`);
        return {
          images: [createGeneratedImage({ provider: 'fake', base64: TINY_PNG_BASE64 })],
          warnings: [],
          raw: {},
        };
      },
    };
  }

  // Real sockets on a virtual clock: the server's arrival times are the lane's starts to within a
  // step of the clock, whatever the machine's load (support/virtual-clock.ts).
  beforeEach(() => {
    vi.useRealTimers();
    useVirtualClock();
  });

  test('no sliding one-second window at the server holds more than requestsPerSecond requests', async () => {
    const server = await startScriptedServer();
    const sent = recordingFetch();
    const retouch = createRetouch({
      providers: [uploadingAdapter({ baseURL: server.url, fetch: sent.fetch })],
      limits: { fake: { requestsPerSecond: 2, concurrency: 4 } },
    });
    const outcomes = await runOnVirtualClock({
      work: Promise.allSettled(
        Array.from({ length: 4 }, (_, index) => retouch.edit(request(`edit ${index}`))),
      ),
      inTransit: () => server.received.length < sent.handOffs.length,
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(4).fill('fulfilled'));
    const arrivals = server.received.map((entry) => entry.at);
    expect(arrivals).toHaveLength(8);
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(2);
    await retouch.close();
    await server.close();
  });

  test('a request that left late is counted from when it arrived, so the next window at the server still holds', async () => {
    const server = await startScriptedServer();
    const sent = recordingFetch();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let late = true;
    // The first request leaves 150 ms after its start (a busy machine); every answer takes 10 ms.
    const slowToLeave: typeof globalThis.fetch = async (input, init) => {
      if (late) {
        late = false;
        await sleep(150);
      }
      const response = await sent.fetch(input, init);
      await sleep(10);
      return response;
    };
    const retouch = createRetouch({
      providers: [uploadingAdapter({ baseURL: server.url, fetch: slowToLeave })],
      limits: { fake: { requestsPerSecond: 2, concurrency: 2 } },
    });
    const outcomes = await runOnVirtualClock({
      work: Promise.allSettled([retouch.edit(request('first')), retouch.edit(request('second'))]),
      inTransit: () => server.received.length < sent.handOffs.length,
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    const arrivals = server.received.map((entry) => entry.at);
    expect(arrivals).toHaveLength(4);
    // Counted from its start, the late request would let both second requests leave one window after
    // the first two started: three arrivals within a second at the server. One step of the virtual
    // clock is how far the lane's estimate of an arrival may be off.
    expect(maxInWindow(arrivals, 1000 - CLOCK_STEP_MS)).toBeLessThanOrEqual(2);
    await retouch.close();
    await server.close();
  });

  test("a running call's next request goes before the requests of calls started after it", async () => {
    const server = await startScriptedServer();
    const order: string[] = [];
    const sent = recordingFetch();
    const retouch = createRetouch({
      providers: [uploadingAdapter({ baseURL: server.url, fetch: sent.fetch, order })],
      limits: { fake: { requestsPerSecond: 1, concurrency: 2 } },
    });
    await runOnVirtualClock({
      work: Promise.all([retouch.edit(request('first')), retouch.edit(request('second'))]),
      inTransit: () => server.received.length < sent.handOffs.length,
    });
    const bodies = server.received.map((entry) => JSON.stringify(entry.body));
    expect(bodies).toEqual([
      '{"upload":"first"}',
      '{"prompt":"first"}',
      '{"upload":"second"}',
      '{"prompt":"second"}',
    ]);
    expect(
      maxInWindow(
        server.received.map((entry) => entry.at),
        1000,
      ),
    ).toBeLessThanOrEqual(1);
    await retouch.close();
    await server.close();
  });
});
