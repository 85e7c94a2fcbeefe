import { describe, expect, test } from 'vitest';
import { MAX_WINDOW_MARGIN_MS, RateController, WINDOW_MARGIN_MS } from '../src/dispatcher/rate-controller.ts';

/** A controller on a clock the test moves by hand: no timer, no waiting. */
function controlled(settings: { requestsPerSecond?: number; adaptiveCeiling?: number } = {}) {
  let now = 1_000_000;
  const rate = new RateController({ ...settings, initialPauseMs: 500, maxPauseMs: 8_000, now: () => now });
  return {
    rate,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    /** Sends as many requests as the window lets through, each at the moment it opens, for `ms`. */
    sendFor(ms: number): number[] {
      const end = now + ms;
      const starts: number[] = [];
      for (;;) {
        const openAt = rate.opensAt({ waiting: true });
        if (openAt >= end) break;
        now = openAt;
        starts.push(rate.record());
      }
      now = end;
      return starts;
    },
  };
}

describe('RateController (injected clock)', () => {
  test('a configured rate lets R requests start in any window of one second plus the margin', () => {
    const { rate, sendFor } = controlled({ requestsPerSecond: 4 });
    const starts = sendFor(10_000);
    const window = 1_000 + WINDOW_MARGIN_MS;
    for (const start of starts) {
      expect(starts.filter((other) => other >= start && other < start + window).length).toBeLessThanOrEqual(
        4,
      );
    }
    // Full use of the window: 4 per (1 s + margin), give or take the first burst.
    expect(starts.length).toBeGreaterThanOrEqual(Math.floor((10_000 / window) * 4));
    expect(rate.requestsPerSecond).toBe(4);
  });

  test('below one request a second, starts are spaced evenly', () => {
    const { sendFor } = controlled({ requestsPerSecond: 0.5 });
    const starts = sendFor(9_000);
    const gaps = starts.slice(1).map((start, index) => start - starts[index]!);
    expect(gaps.every((gap) => gap === 2_000 + WINDOW_MARGIN_MS)).toBe(true);
  });

  test('a 429 pauses for its Retry-After, gives its place back, and widens a configured margin', () => {
    const { rate, now, advance } = controlled({ requestsPerSecond: 1 });
    const startedAt = rate.record();
    rate.rateLimited({ startedAt, retryAfterMs: 1_500 });
    expect(rate.pausedForMs()).toBe(1_500);
    expect(rate.opensAt()).toBe(now() + 1_500);
    expect(rate.marginMs).toBe(WINDOW_MARGIN_MS + 10);
    advance(1_500);
    // The refused request no longer holds the window: the retry may go as soon as the pause ends.
    expect(rate.opensAt()).toBe(now());
  });

  test('429s without Retry-After pause for a doubling time; a success resets it', () => {
    const { rate, now, advance } = controlled({ requestsPerSecond: 10 });
    const pauses: number[] = [];
    for (let index = 0; index < 6; index++) {
      rate.rateLimited({ startedAt: rate.record() });
      pauses.push(rate.pausedForMs());
      advance(rate.pausedForMs());
    }
    expect(pauses).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    rate.succeeded({ startedAt: now() });
    rate.rateLimited({ startedAt: rate.record() });
    expect(rate.pausedForMs()).toBe(500);
  });

  test('the margin stops widening at its maximum', () => {
    const { rate } = controlled({ requestsPerSecond: 5 });
    for (let index = 0; index < 20; index++) rate.rateLimited({ startedAt: rate.record(), retryAfterMs: 0 });
    expect(rate.marginMs).toBe(MAX_WINDOW_MARGIN_MS);
  });

  test('adaptive: unbounded until a 429, halved from the observed rate, then cut by 0.7 at most once a window', () => {
    const { rate, advance } = controlled();
    expect(rate.adaptive).toBe(true);
    expect(rate.requestsPerSecond).toBeUndefined();
    const starts = Array.from({ length: 12 }, () => rate.record());
    rate.rateLimited({ startedAt: starts.at(-1)! });
    expect(rate.requestsPerSecond).toBe(6);
    // More 429s from the same burst are the same overshoot.
    rate.rateLimited({ startedAt: starts.at(-2)! });
    expect(rate.requestsPerSecond).toBe(6);
    advance(2_000);
    // A 429 after a single request in a second: the quota is spent elsewhere; the pause answers it.
    rate.rateLimited({ startedAt: rate.record() });
    expect(rate.requestsPerSecond).toBe(6);
    advance(2_000);
    const round = Array.from({ length: 4 }, () => rate.record());
    rate.rateLimited({ startedAt: round.at(-1)! });
    expect(rate.requestsPerSecond).toBeCloseTo(4 * 0.7, 5);
  });

  test('adaptive: probes up by one after a window of successes that the rate held back, up to the ceiling', () => {
    const { rate, sendFor } = controlled({ adaptiveCeiling: 10 });
    const burst = Array.from({ length: 8 }, () => rate.record());
    rate.rateLimited({ startedAt: burst.at(-1)! });
    // 0.7 of the 8 requests observed in the last second.
    expect(rate.requestsPerSecond).toBeCloseTo(5.6, 5);
    let rose = 0;
    for (let round = 0; round < 30; round++) {
      for (const startedAt of sendFor(1_100)) if (rate.succeeded({ startedAt })) rose++;
    }
    expect(rose).toBeGreaterThan(0);
    expect(rate.requestsPerSecond).toBe(10);
  });

  test('adaptive: a rate nobody reaches is not raised', () => {
    const { rate, advance } = controlled({ adaptiveCeiling: 10 });
    rate.rateLimited({ startedAt: rate.record() });
    const learned = rate.requestsPerSecond;
    for (let index = 0; index < 100; index++) {
      // One request every two seconds: the window of one a second never holds it back.
      advance(2_000);
      rate.opensAt({ waiting: true });
      rate.succeeded({ startedAt: rate.record() });
    }
    expect(rate.requestsPerSecond).toBe(learned);
  });
});

describe('RateController: a lone 429 with Retry-After is a blip', () => {
  test('it pauses the lane but leaves the adaptive rate; a second 429 within a second cuts it', () => {
    const { rate } = controlled({ adaptiveCeiling: 10 });
    const burst = Array.from({ length: 6 }, () => rate.record());
    rate.rateLimited({ startedAt: burst[0]!, retryAfterMs: 200 });
    expect(rate.pausedForMs()).toBe(200);
    expect(rate.requestsPerSecond).toBe(10);
    rate.rateLimited({ startedAt: burst[1]!, retryAfterMs: 200 });
    // 0.7 of the six requests sent in the last second.
    expect(rate.requestsPerSecond).toBeCloseTo(6 * 0.7, 5);
  });

  test('429s seconds apart are each a blip', () => {
    const { rate, advance } = controlled({ adaptiveCeiling: 10 });
    for (let round = 0; round < 3; round++) {
      rate.rateLimited({ startedAt: rate.record(), retryAfterMs: 100 });
      advance(100);
      rate.succeeded({ startedAt: rate.record() });
      advance(2_000);
    }
    expect(rate.requestsPerSecond).toBe(10);
  });
});

describe('RateController: a request slow to leave counts from when it most likely arrived', () => {
  test("requests that left on time keep their start: the provider's own answer time costs nothing", () => {
    const { rate, advance, now } = controlled({ requestsPerSecond: 1 });
    const first = rate.record();
    advance(20);
    rate.succeeded({ startedAt: first });
    // Its round trip is the quickest seen, so it arrived about when it left.
    expect(rate.opensAt()).toBe(first + 1_000 + WINDOW_MARGIN_MS);
    void now;
  });

  test('one that took 80 ms longer than the quickest round trip is counted the 40 ms past the margin later', () => {
    const { rate, advance } = controlled({ requestsPerSecond: 1 });
    const quick = rate.record();
    advance(20);
    rate.succeeded({ startedAt: quick });
    advance(1_100);
    const slow = rate.record();
    advance(100);
    rate.succeeded({ startedAt: slow });
    // Answered 100 ms after it left where 20 ms is usual: it reached the provider about 80 ms late, 40 ms
    // more than the window's margin covers.
    expect(rate.opensAt()).toBe(slow + (80 - WINDOW_MARGIN_MS) + 1_000 + WINDOW_MARGIN_MS);
  });

  test('a long request keeps its start: the margin covers its arrival', () => {
    const { rate, advance, now } = controlled({ requestsPerSecond: 1 });
    const startedAt = rate.record();
    advance(5_000);
    rate.succeeded({ startedAt });
    expect(rate.opensAt()).toBe(now());
  });
});
