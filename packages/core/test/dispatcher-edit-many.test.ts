import {
  createRetouch,
  type EditOutcome,
  type EditRequest,
  InvalidRequestError,
  type ProgressEvent,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createFakeProvider, failures } from './support/fake-provider.ts';

const request = (prompt: string): EditRequest => ({
  model: 'fake:model-a',
  prompt,
  images: ['https://example.com/cat.png'],
});

/** A source of `total` requests that counts how far it has been pulled and whether it was closed. */
function countingSource(total: number) {
  const state = { pulled: 0, closed: false };
  function* generate(): Generator<EditRequest> {
    try {
      for (let index = 0; index < total; index++) {
        state.pulled++;
        yield request(`edit ${index}`);
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, requests: generate() };
}

describe('editMany', () => {
  test('pulls lazily: never more than maxInFlight taken and not yet consumed', async () => {
    const fake = createFakeProvider({ latencyMs: 5 });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 2 } } });
    const { state, requests } = countingSource(1_000_000);
    let consumed = 0;
    let mostAhead = 0;
    for await (const outcome of retouch.editMany(requests)) {
      expect(outcome.ok).toBe(true);
      consumed++;
      mostAhead = Math.max(mostAhead, state.pulled - consumed);
      if (consumed === 1) {
        // A slow consumer: everything in flight settles meanwhile, yet nothing more is pulled.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(state.pulled).toBeLessThanOrEqual(consumed + 4);
      }
      if (consumed === 25) break;
    }
    // The default window is twice the lanes' total concurrency.
    expect(mostAhead).toBeLessThanOrEqual(4);
    expect(mostAhead).toBeGreaterThanOrEqual(2);
    expect(state.pulled).toBeLessThanOrEqual(25 + 4);
    expect(state.closed).toBe(true);
    expect(fake.maxInFlight).toBeLessThanOrEqual(2);
    await retouch.close();
  });

  test('leaving the loop early cancels the edits in flight', async () => {
    const fake = createFakeProvider();
    fake.script('edit', { delayMs: 10 }, { hang: true }, { hang: true }, { hang: true }, { hang: true });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 3 } } });
    const { state, requests } = countingSource(100);
    for await (const outcome of retouch.editMany(requests, { maxInFlight: 5 })) {
      expect(outcome.ok).toBe(true);
      break;
    }
    expect(state.closed).toBe(true);
    expect(retouch.stats()).toMatchObject({ queued: 0, running: 0, succeeded: 1, cancelled: 4 });
    // The first finished and freed a slot for the fourth; the fifth never left the lane.
    expect(fake.callsOf('edit')).toHaveLength(4);
    expect(fake.callsOf('edit').filter((call) => call.outcome === 'aborted')).toHaveLength(3);
    await retouch.close();
  });

  test('yields outcomes in completion order, each with its source index; failures are outcomes', async () => {
    const fake = createFakeProvider();
    fake.script('edit', { delayMs: 120 }, { delayMs: 10 }, { error: failures.badRequest(), afterMs: 60 });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 4 } } });
    const requests = [request('slow'), request('fast'), request('bad'), { ...request(''), prompt: '' }];
    const outcomes: EditOutcome[] = [];
    for await (const outcome of retouch.editMany(requests)) outcomes.push(outcome);

    expect(outcomes.map((outcome) => [outcome.index, outcome.ok])).toEqual([
      [3, false],
      [1, true],
      [2, false],
      [0, true],
    ]);
    expect(outcomes[0]!.request).toBe(requests[3]);
    const invalid = outcomes[0]!;
    expect(!invalid.ok && InvalidRequestError.isInstance(invalid.error)).toBe(true);
    await retouch.close();
  });

  test('takes an async iterable, and reports the batch progress to its own listener', async () => {
    const fake = createFakeProvider();
    const retouch = createRetouch({ providers: [fake] });
    async function* source(): AsyncGenerator<EditRequest> {
      for (let index = 0; index < 3; index++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield request(`edit ${index}`);
      }
    }
    const outside = retouch.edit(request('not in the batch'));
    const events: ProgressEvent[] = [];
    const outcomes: EditOutcome[] = [];
    for await (const outcome of retouch.editMany(source(), { onProgress: (event) => events.push(event) })) {
      outcomes.push(outcome);
    }
    await outside;
    expect(outcomes).toHaveLength(3);
    const jobs = new Set(events.map((event) => event.jobId));
    expect(jobs.size).toBe(3);
    expect(events.filter((event) => event.type === 'succeeded')).toHaveLength(3);
    await retouch.close();
  });

  test('an abort signal stops the batch: the loop throws its reason and the edits in flight are cancelled', async () => {
    const fake = createFakeProvider({ latencyMs: 200 });
    const retouch = createRetouch({ providers: [fake] });
    const controller = new AbortController();
    const reason = new Error('batch stopped');
    setTimeout(() => controller.abort(reason), 30);
    const { state, requests } = countingSource(50);
    await expect(
      (async () => {
        for await (const _ of retouch.editMany(requests, { signal: controller.signal, maxInFlight: 3 })) {
          // Nothing settles before the abort.
        }
      })(),
    ).rejects.toBe(reason);
    expect(state.pulled).toBe(3);
    expect(state.closed).toBe(true);
    expect(retouch.stats()).toMatchObject({ cancelled: 3, running: 0 });
    await retouch.close();
  });

  test('a source that throws ends the loop with its error, and the edits in flight are cancelled', async () => {
    const fake = createFakeProvider({ latencyMs: 200 });
    const retouch = createRetouch({ providers: [fake] });
    const broken = new Error('the source broke');
    let closed = false;
    function* source(): Generator<EditRequest> {
      try {
        yield request('edit 0');
        yield request('edit 1');
        throw broken;
      } finally {
        closed = true;
      }
    }
    const outcomes: EditOutcome[] = [];
    await expect(
      (async () => {
        for await (const outcome of retouch.editMany(source(), { maxInFlight: 4 })) outcomes.push(outcome);
      })(),
    ).rejects.toBe(broken);
    expect(outcomes).toEqual([]);
    expect(closed).toBe(true);
    expect(retouch.stats()).toMatchObject({ cancelled: 2, running: 0 });
    await retouch.close();
  });

  test('the source is pulled again only once the consumer comes back for more', async () => {
    const fake = createFakeProvider({ latencyMs: 5 });
    const retouch = createRetouch({ providers: [fake] });
    const { state, requests } = countingSource(10);
    const pulledAtEachOutcome: number[] = [];
    for await (const _ of retouch.editMany(requests, { maxInFlight: 2 })) {
      // Both edits in flight settle while the consumer is away; neither frees room by itself.
      await new Promise((resolve) => setTimeout(resolve, 30));
      pulledAtEachOutcome.push(state.pulled);
    }
    expect(pulledAtEachOutcome).toHaveLength(10);
    for (const [consumed, pulled] of pulledAtEachOutcome.entries()) {
      expect(pulled).toBeLessThanOrEqual(consumed + 2);
    }
    await retouch.close();
  });

  test('refuses a source that is not iterable, and a bad maxInFlight', () => {
    const retouch = createRetouch({ providers: [createFakeProvider()] });
    expect(() => retouch.editMany(42 as never)).toThrow(/iterable or async iterable of edit requests/);
    expect(() => retouch.editMany([], { maxInFlight: 0 })).toThrow(/maxInFlight must be a whole number ≥ 1/);
  });
});
