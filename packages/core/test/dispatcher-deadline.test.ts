import {
  createRetouch,
  type EditRequest,
  JobCancelledError,
  type ProgressEvent,
  RateLimitError,
  TimeoutError,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createFakeProvider, FakeJobBackend, failures } from './support/fake-provider.ts';

const request = (extra: Partial<EditRequest> = {}): EditRequest => ({
  model: 'fake:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
  ...extra,
});

/** A provider whose jobs stay queued/running far longer than any test. */
function slowJobs(options: { watch?: boolean } = {}) {
  return createFakeProvider({
    jobs: true,
    prefersJobs: true,
    pollIntervalMs: 20,
    backend: new FakeJobBackend({ queueMs: 20, durationMs: 60_000 }),
    ...options,
  });
}

describe('timeoutMs bounds the whole edit', () => {
  test('while it waits in the lane: TimeoutError stage "queue", and nothing is sent', async () => {
    const fake = createFakeProvider();
    fake.script('edit', { hang: true });
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 1 } } });
    const blocker = new AbortController();
    const first = retouch.edit(request({ signal: blocker.signal }));
    const error = await retouch.edit(request({ timeoutMs: 60 })).catch((caught: unknown) => caught);

    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stage: 'queue', timeoutMs: 60 });
    expect((error as Error).message).toMatch(/waited in the provider lane/);
    expect(fake.callsOf('edit')).toHaveLength(1);
    blocker.abort();
    await first.catch(() => {});
    expect(retouch.stats()).toMatchObject({ failed: 1, cancelled: 1, queued: 0, running: 0 });
    await retouch.close();
  });

  test('while the request is in flight: stage "request", and the call is aborted', async () => {
    const fake = createFakeProvider();
    fake.script('edit', { hang: true });
    const retouch = createRetouch({ providers: [fake] });
    const error = await retouch.edit(request({ timeoutMs: 60 })).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'TimeoutError', stage: 'request' });
    expect(fake.callsOf('edit')[0]!.outcome).toBe('aborted');
    await retouch.close();
  });

  test('while it waits for the provider\'s job: stage "poll", and the job is cancelled on the provider', async () => {
    const fake = slowJobs();
    const retouch = createRetouch({ providers: [fake] });
    const error = await retouch.edit(request({ timeoutMs: 150 })).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'TimeoutError', stage: 'poll' });
    expect(fake.callsOf('submit')).toHaveLength(1);
    expect(fake.callsOf('status').length).toBeGreaterThan(0);
    await retouch.onIdle();
    await retouch.close();
    const cancels = fake.callsOf('cancel');
    expect(cancels).toHaveLength(1);
    expect(fake.backend.jobs.get(cancels[0]!.jobId!)?.cancelled).toBe(true);
  });

  test('the same through an adapter that waits on an event stream', async () => {
    const fake = slowJobs({ watch: true });
    const retouch = createRetouch({ providers: [fake] });
    const error = await retouch.edit(request({ timeoutMs: 120 })).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'TimeoutError', stage: 'poll' });
    expect(fake.callsOf('wait')).toHaveLength(1);
    expect(fake.callsOf('status')).toHaveLength(0);
    await retouch.close();
    expect(fake.callsOf('cancel')).toHaveLength(1);
  });

  test('a retry whose wait would pass the deadline is not attempted, and the error says so', async () => {
    const fake = createFakeProvider();
    fake.script('edit', failures.rateLimited({ retryAfterMs: 5_000 }));
    const retouch = createRetouch({ providers: [fake] });
    const error = await retouch.edit(request({ timeoutMs: 1_000 })).catch((caught: unknown) => caught);

    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /not retried: waiting \d+ ms would pass the deadline set by timeoutMs/,
    );
    expect(fake.callsOf('edit')).toHaveLength(1);
    await retouch.close();
  });

  test('a lane paused by another request\'s 429 counts against the deadline: stage "queue"', async () => {
    const fake = createFakeProvider();
    fake.script('edit', failures.rateLimited({ retryAfterMs: 400 }));
    const retouch = createRetouch({
      providers: [fake],
      limits: { fake: { concurrency: 1, requestsPerSecond: 100 } },
    });
    const throttled = retouch.edit(request());
    const error = await retouch.edit(request({ timeoutMs: 100 })).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'TimeoutError', stage: 'queue' });
    await throttled;
    expect(fake.callsOf('edit')).toHaveLength(2);
    expect(fake.accepted).toHaveLength(1);
    await retouch.close();
  });
});

describe('an abort signal settles the job at any stage, with its own reason', () => {
  const stages = {
    'before anything starts': async () => {
      const fake = createFakeProvider();
      const controller = new AbortController();
      const reason = new Error('user changed their mind');
      controller.abort(reason);
      return { fake, controller, reason, expectSent: 0 };
    },
    'while queued in the lane': async () => {
      const fake = createFakeProvider();
      fake.script('edit', { delayMs: 300 });
      return { fake, controller: new AbortController(), reason: new Error('stop'), expectSent: 1, limits: 1 };
    },
    'while the request is in flight': async () => {
      const fake = createFakeProvider();
      fake.script('edit', { hang: true });
      return { fake, controller: new AbortController(), reason: 'plain string reason', expectSent: 1 };
    },
  };

  for (const [name, setup] of Object.entries(stages)) {
    test(name, async () => {
      const { fake, controller, reason, expectSent, limits } = { limits: undefined, ...(await setup()) };
      const retouch = createRetouch({
        providers: [fake],
        ...(limits ? { limits: { fake: { concurrency: limits } } } : {}),
      });
      const blocker = limits ? retouch.edit(request()) : undefined;
      const events: ProgressEvent[] = [];
      retouch.subscribe((event) => events.push(event));
      const pending = retouch.edit(request({ signal: controller.signal }));
      setTimeout(() => controller.abort(reason), 30);
      await expect(pending).rejects.toBe(reason);
      await blocker;
      expect(fake.callsOf('edit')).toHaveLength(expectSent);
      expect(events.filter((event) => event.type === 'failed')).toMatchObject([
        { type: 'failed', status: 'cancelled', error: reason },
      ]);
      expect(retouch.stats().cancelled).toBe(1);
      await retouch.close();
    });
  }

  test("while waiting for the provider's job: cancelled on the provider too", async () => {
    const fake = slowJobs();
    const retouch = createRetouch({ providers: [fake] });
    const controller = new AbortController();
    const job = await retouch.submit(request({ signal: controller.signal }));
    controller.abort(new DOMException('The operation was aborted.', 'AbortError'));

    const error = await job.result().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DOMException);
    expect(job.status).toBe('cancelled');
    await retouch.close();
    expect(fake.callsOf('cancel').map((call) => call.jobId)).toEqual([job.providerJobId]);
    expect(fake.backend.jobs.get(job.providerJobId!)?.cancelled).toBe(true);
  });
});

describe('job.cancel()', () => {
  test('settles the job as cancelled and cancels it on the provider', async () => {
    const fake = slowJobs();
    const retouch = createRetouch({ providers: [fake] });
    const job = await retouch.submit(request());
    await job.cancel();

    await expect(job.result()).rejects.toSatisfy((error) => JobCancelledError.isInstance(error));
    expect(job.status).toBe('cancelled');
    expect(fake.backend.jobs.get(job.providerJobId!)?.cancelled).toBe(true);
    expect(retouch.stats()).toMatchObject({ cancelled: 1, queued: 0, running: 0 });
    await job.cancel();
    expect(fake.callsOf('cancel')).toHaveLength(1);
    await retouch.close();
  });

  test('rejects when the provider refuses the cancel, so the caller knows the job may still run', async () => {
    const fake = slowJobs();
    fake.script('cancel', failures.badRequest());
    const retouch = createRetouch({ providers: [fake] });
    const job = await retouch.submit(request());
    await expect(job.cancel()).rejects.toThrow(/400/);
    expect(job.status).toBe('cancelled');
    await retouch.close();
  });
});
