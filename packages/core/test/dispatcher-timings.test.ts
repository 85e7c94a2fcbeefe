import { createRetouch, type EditRequest, type EditResult } from '@retouch/core';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createFakeProvider, FakeJobBackend, type FakeProviderOptions } from './support/fake-provider.ts';

const request: EditRequest = {
  model: 'fake:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};

/** The provider queues each job 300 ms and runs it 200 ms. */
const QUEUE_MS = 300;
const DURATION_MS = 200;

/** Runs one edit on the fake clock and returns its result. */
async function editOnce(options: FakeProviderOptions): Promise<EditResult> {
  const fake = createFakeProvider({
    jobs: true,
    prefersJobs: true,
    pollIntervalMs: 50,
    backend: new FakeJobBackend({ queueMs: QUEUE_MS, durationMs: DURATION_MS }),
    ...options,
  });
  const retouch = createRetouch({ providers: [fake] });
  let settled: PromiseSettledResult<EditResult> | undefined;
  void retouch.edit(request).then(
    (value) => {
      settled = { status: 'fulfilled', value };
    },
    (reason: unknown) => {
      settled = { status: 'rejected', reason };
    },
  );
  for (let elapsed = 0; settled === undefined && elapsed < 10_000; elapsed += 10) {
    await vi.advanceTimersByTimeAsync(10);
  }
  await retouch.close();
  if (settled?.status !== 'fulfilled') throw settled?.reason ?? new Error('the edit did not settle');
  return settled.value;
}

// The first edit loads the schemas (and zod) with a dynamic import: real I/O, which a fake clock
// advanced in steps would run past. Loading them first keeps every test on the fake clock alone.
beforeAll(async () => {
  await import('@retouch/core/schemas');
});

beforeEach(() => {
  vi.useFakeTimers();
  // Just before a whole second, so a provider clock of whole seconds rounds the start far back.
  vi.setSystemTime(1_800_000_000_900);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timings of an edit run as a provider job', () => {
  test("with the provider's start time, the provider's queue counts as waiting", async () => {
    const { timings } = await editOnce({
      watch: true,
      waitReports: 'nothing',
      reportsTimes: 'exact',
    });
    expect(timings.queuedMs).toBeGreaterThanOrEqual(QUEUE_MS);
    expect(timings.runningMs).toBeGreaterThanOrEqual(DURATION_MS);
    expect(timings.runningMs).toBeLessThan(QUEUE_MS + DURATION_MS);
    expect(timings.queuedMs + timings.runningMs).toBe(timings.totalMs);
  });

  test('a provider clock of whole seconds is kept within the edit, never turning the run into zero', async () => {
    const { timings } = await editOnce({ watch: true, reportsTimes: 'seconds' });
    // Started and finished within one whole second as the provider counts: still a real run.
    expect(timings.runningMs).toBeGreaterThanOrEqual(DURATION_MS);
    expect(timings.queuedMs).toBeGreaterThanOrEqual(0);
    expect(timings.queuedMs + timings.runningMs).toBe(timings.totalMs);
  });

  test('when the provider only announces the end, the run counts from the accepted submission', async () => {
    const { timings } = await editOnce({ watch: true, waitReports: 'nothing' });
    expect(timings.runningMs).toBeGreaterThanOrEqual(QUEUE_MS + DURATION_MS);
    expect(timings.queuedMs).toBeLessThan(QUEUE_MS);
    expect(timings.queuedMs + timings.runningMs).toBe(timings.totalMs);
  });

  test('when polling sees the job running, the run counts from then', async () => {
    const { timings } = await editOnce({});
    expect(timings.runningMs).toBeGreaterThanOrEqual(DURATION_MS);
    expect(timings.runningMs).toBeLessThan(QUEUE_MS + DURATION_MS);
    expect(timings.queuedMs + timings.runningMs).toBe(timings.totalMs);
  });
});

test('a one-shot edit runs from the moment it was sent', async () => {
  const { timings } = await editOnce({ jobs: false, prefersJobs: false, latencyMs: 400 });
  expect(timings.runningMs).toBeGreaterThanOrEqual(400);
  expect(timings.queuedMs + timings.runningMs).toBe(timings.totalMs);
});
