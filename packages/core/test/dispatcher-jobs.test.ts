import {
  createRetouch,
  type EditRequest,
  InvalidRequestError,
  JobCancelledError,
  type ProgressEvent,
  RetouchError,
} from '@retouch/core';
import { editJobSnapshotSchema } from '@retouch/core/schemas';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createFakeProvider, FakeJobBackend, failures, TINY_PNG_BASE64 } from './support/fake-provider.ts';
import { createHttpProvider, startScriptedServer } from './support/http-provider.ts';
import { runOnVirtualClock, useVirtualClock } from './support/virtual-clock.ts';

const request = (extra: Partial<EditRequest> = {}): EditRequest => ({
  model: 'fake:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
  ...extra,
});

afterEach(() => {
  vi.useRealTimers();
});

const jobsProvider = (backend: FakeJobBackend) =>
  createFakeProvider({ jobs: true, pollIntervalMs: 10, backend, reportedUsd: 0.03 });

describe('submit', () => {
  test("resolves once the provider accepted the job, with the provider's id in the snapshot", async () => {
    // On a virtual clock: the job runs 30 ms, and on the machine's clock a loaded machine could let
    // it start and finish between two status reads, so that no read ever saw it running.
    useVirtualClock();
    const fake = jobsProvider(new FakeJobBackend({ queueMs: 30, durationMs: 30 }));
    const retouch = createRetouch({ providers: [fake] });
    const events: ProgressEvent[] = [];
    const { job, result } = await runOnVirtualClock({
      work: (async () => {
        const job = await retouch.submit(request());
        job.on((event) => events.push(event));

        expect(job.providerJobId).toBe('gen-1');
        expect(job.status).toBe('queued');
        expect(job.toJSON()).toMatchObject({
          type: 'retouch.edit-job',
          version: 1,
          id: job.id,
          status: 'queued',
          model: 'fake:model-a',
          provider: 'fake',
          providerJobId: 'gen-1',
        });
        return { job, result: await job.result() };
      })(),
      // No sockets: nothing is ever on its way while the clock stands.
      inTransit: () => false,
    });
    expect(result).toMatchObject({
      jobId: 'gen-1',
      model: 'fake:model-a',
      cost: { usd: 0.03, source: 'reported' },
    });
    expect(result.timings.runningMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBe(result.timings.queuedMs + result.timings.runningMs);
    expect(events.map((event) => [event.type, 'status' in event ? event.status : undefined])).toContainEqual([
      'status',
      'running',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'succeeded', status: 'succeeded', result });
    expect(job.status).toBe('succeeded');
    await retouch.close();
  });

  test('on a provider without jobs, runs the edit in this process and resolves at once', async () => {
    const fake = createFakeProvider({ latencyMs: 30 });
    const retouch = createRetouch({ providers: [fake] });
    const job = await retouch.submit(request());
    expect(job.providerJobId).toBeUndefined();
    expect(['queued', 'running']).toContain(job.status);
    await job.result();
    expect(fake.accepted).toHaveLength(1);
    await retouch.close();
  });

  test('rejects, like edit(), when the job cannot be started', async () => {
    const fake = jobsProvider(new FakeJobBackend());
    fake.script('submit', failures.insufficientCredits());
    const retouch = createRetouch({ providers: [fake] });
    await expect(retouch.submit(request())).rejects.toThrow(/Insufficient credits/);
    await expect(retouch.submit(request({ prompt: ' ' }))).rejects.toSatisfy((error) =>
      InvalidRequestError.isInstance(error),
    );
    await retouch.close();
  });
});

describe('per-request job preference', () => {
  test('a prefersJobs function decides for each request whether edit() goes through a job', async () => {
    const fake = createFakeProvider({
      jobs: true,
      pollIntervalMs: 10,
      backend: new FakeJobBackend({ queueMs: 5, durationMs: 5 }),
      prefersJobs: (request) => request.providerOptions.queued === true,
    });
    const retouch = createRetouch({ providers: [fake] });
    const [queued, direct] = await Promise.all([
      retouch.edit(request({ prompt: 'queued', providerOptions: { fake: { queued: true } } })),
      retouch.edit(request({ prompt: 'direct' })),
    ]);
    expect(fake.callsOf('submit').map((call) => call.prompt)).toEqual(['queued']);
    expect(fake.callsOf('edit').map((call) => call.prompt)).toEqual(['direct']);
    expect(queued.jobId).toBe('gen-1');
    expect(direct.jobId).toBeUndefined();
    await retouch.close();
  });

  test('a prefersJobs function without submit() is refused when the client is created', () => {
    const fake = createFakeProvider({ prefersJobs: () => true });
    expect(() => createRetouch({ providers: [fake] })).toThrow(/prefers jobs but has no submit\(\)/);
  });

  test('waitForCompletion is given the request, except for a resumed job, which has none', async () => {
    // The saved job must still be running when the second client resumes it (a finished one is read
    // once and never waited for), however slowly the first client closes on a busy machine.
    const backend = new FakeJobBackend({ queueMs: 5, durationMs: 1_000 });
    const options = { jobs: true, watch: true, prefersJobs: true, backend } as const;
    const before = createFakeProvider(options);
    const first = createRetouch({ providers: [before] });
    await first.edit(request({ prompt: 'watched', providerOptions: { fake: { via: 'events' } } }));
    const job = await first.submit(request({ prompt: 'saved' }));
    const saved = job.toJSON();
    await first.close();
    const waits = before.callsOf('wait');
    expect(waits[0]!.request).toMatchObject({ prompt: 'watched', providerOptions: { via: 'events' } });

    const after = createFakeProvider(options);
    const second = createRetouch({ providers: [after] });
    await (await second.resume(saved)).result();
    expect(after.callsOf('wait')).toHaveLength(1);
    expect(after.callsOf('wait')[0]!.request).toBeUndefined();
    await second.close();
  });
});

describe('toJSON and resume', () => {
  test('a job resumed by a new process is followed to its end, and paid for once', async () => {
    const backend = new FakeJobBackend({ queueMs: 20, durationMs: 80 });
    const before = jobsProvider(backend);
    const first = createRetouch({ providers: [before] });
    const job = await first.submit(request());
    const saved = JSON.parse(JSON.stringify(job));
    await first.close();

    // Closing detaches a submitted job: its provider job keeps running for whoever resumes it.
    const detached = await job.result().catch((caught: unknown) => caught);
    expect(JobCancelledError.isInstance(detached)).toBe(true);
    expect((detached as Error).message).toMatch(/left running: resume it with retouch\.resume/);
    expect(before.callsOf('cancel')).toEqual([]);

    const after = jobsProvider(backend);
    const second = createRetouch({ providers: [after] });
    const resumed = await second.resume(saved);
    expect(resumed).toMatchObject({ id: job.id, providerJobId: job.providerJobId, model: 'fake:model-a' });
    const result = await resumed.result();

    expect(result).toMatchObject({ jobId: job.providerJobId, cost: { usd: 0.03, source: 'reported' } });
    expect(await result.images[0]!.bytes()).toBeInstanceOf(Uint8Array);
    expect(backend.jobs.size).toBe(1);
    expect([...before.accepted, ...after.accepted]).toHaveLength(1);
    expect(after.callsOf('submit')).toEqual([]);
    expect(second.stats()).toMatchObject({ succeeded: 1, spentUsd: 0.03 });
    await second.close();
  });

  test('a snapshot taken after close() still resumes: the job was detached, not cancelled', async () => {
    const backend = new FakeJobBackend({ queueMs: 10, durationMs: 60 });
    const first = createRetouch({ providers: [jobsProvider(backend)] });
    const job = await first.submit(request());
    await first.close();
    const saved = JSON.parse(JSON.stringify(job));
    expect(job.status).toBe('cancelled');
    expect(saved).toMatchObject({ status: 'queued', providerJobId: job.providerJobId });
    expect(saved.error).toBeUndefined();

    const second = createRetouch({ providers: [jobsProvider(backend)] });
    const result = await (await second.resume(saved)).result();
    expect(result.jobId).toBe(job.providerJobId);
    await second.close();
  });

  test('a job that finished while nobody watched is read once', async () => {
    const backend = new FakeJobBackend({ queueMs: 1, durationMs: 1 });
    const first = createRetouch({ providers: [jobsProvider(backend)] });
    const job = await first.submit(request());
    const saved = job.toJSON();
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 10));

    const after = jobsProvider(backend);
    const second = createRetouch({ providers: [after] });
    await (await second.resume(saved)).result();
    expect(after.callsOf('status')).toHaveLength(1);
    await second.close();
  });

  test('a resumed wait has its own deadline, and cancels the provider job when it passes', async () => {
    const backend = new FakeJobBackend({ queueMs: 10, durationMs: 60_000 });
    const first = createRetouch({ providers: [jobsProvider(backend)] });
    const saved = (await first.submit(request())).toJSON();
    await first.close();

    const after = jobsProvider(backend);
    const second = createRetouch({ providers: [after] });
    const error = await (await second.resume(saved, { timeoutMs: 80 }))
      .result()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TimeoutError', stage: 'poll' });
    await second.close();
    expect(backend.jobs.get(saved.providerJobId!)?.cancelled).toBe(true);
  });

  test('the snapshot holds no key and no image bytes, and a settled one resumes without any call', async () => {
    const fake = createFakeProvider();
    const retouch = createRetouch({ providers: [fake] });
    const job = await retouch.submit(request());
    const original = await job.result();
    const text = JSON.stringify(job);

    expect(text).not.toContain(TINY_PNG_BASE64);
    expect(editJobSnapshotSchema.parse(JSON.parse(text))).toMatchObject({ status: 'succeeded' });
    const resumed = await retouch.resume(JSON.parse(text));
    const result = await resumed.result();
    expect(result).toMatchObject({ model: original.model, timings: original.timings, warnings: [] });
    expect(result.images[0]!.mediaType).toBe('image/png');
    await expect(result.images[0]!.bytes()).rejects.toThrow(/job snapshots keep no image bytes/);
    expect(fake.calls.filter((call) => call.kind === 'edit')).toHaveLength(1);
    await retouch.close();
  });

  test('a failed or cancelled job resumes as failed or cancelled', async () => {
    const fake = createFakeProvider();
    fake.script('edit', failures.generationFailed());
    const retouch = createRetouch({ providers: [fake] });
    const failed = await retouch.submit(request());
    await failed.result().catch(() => {});
    const error = await (await retouch.resume(failed.toJSON())).result().catch((caught: unknown) => caught);
    expect(RetouchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: 'GenerationFailedError', message: expect.stringMatching(/NSFW/) });

    const slow = createFakeProvider({
      id: 'slow',
      jobs: true,
      backend: new FakeJobBackend({ durationMs: 60_000 }),
    });
    const other = createRetouch({ providers: [slow] });
    const cancelled = await other.submit({ ...request(), model: 'slow:model-a' });
    await cancelled.cancel();
    await expect((await other.resume(cancelled.toJSON())).result()).rejects.toSatisfy((caught) =>
      JobCancelledError.isInstance(caught),
    );
    await Promise.all([retouch.close(), other.close()]);
  });

  test('an unfinished job of a provider without jobs cannot be re-attached, and says why', async () => {
    const fake = createFakeProvider({ latencyMs: 200 });
    const retouch = createRetouch({ providers: [fake] });
    const job = await retouch.submit(request());
    const saved = job.toJSON();
    await expect(retouch.resume(saved)).rejects.toThrow(
      /ran inside the process that submitted it .* had not finished, so there is nothing to re-attach to; it may have been billed/,
    );
    await retouch.close();
  });

  test('a snapshot that is not one, or names an unregistered provider, is refused', async () => {
    const retouch = createRetouch({ providers: [createFakeProvider()] });
    await expect(retouch.resume({ hello: 'world' })).rejects.toThrow(/snapshot\.type/);
    await expect(retouch.resume('{"type":"retouch.edit-job"}')).rejects.toThrow(
      /job\.toJSON\(\) returned, after JSON\.parse/,
    );
    const foreign = {
      type: 'retouch.edit-job',
      version: 1,
      id: 'job_1',
      status: 'queued',
      requestedModel: 'oxen:x',
      model: 'oxen:x',
      provider: 'oxen',
      providerJobId: 'abc',
      createdAt: 1,
      updatedAt: 1,
      warnings: [],
      attempts: [],
    };
    await expect(retouch.resume(foreign)).rejects.toThrow(/ran on "oxen", which is not registered/);
    await expect(retouch.resume({ ...foreign, version: 2 })).rejects.toThrow(/snapshot\.version/);
  });

  test('over HTTP: a job submitted before a restart is resumed by a new client and its key never saved', async () => {
    const server = await startScriptedServer();
    try {
      const provider = () => createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 10 });
      const first = createRetouch({ providers: [provider()] });
      const job = await first.submit({ ...request(), model: 'wire:model-a' });
      const text = JSON.stringify(job);
      await first.close();
      expect(text).not.toContain('wire-secret-key-123');

      const second = createRetouch({ providers: [provider()] });
      const result = await (await second.resume(JSON.parse(text))).result();
      expect(result.jobId).toBe(job.providerJobId);
      expect(server.receivedOn('POST /jobs')).toHaveLength(1);
      expect(server.receivedOn('DELETE /jobs')).toHaveLength(0);
      await second.close();
    } finally {
      await server.close();
    }
  });
});

describe('stats and onIdle', () => {
  test('count jobs by state and resolve when everything settled', async () => {
    const fake = createFakeProvider({ latencyMs: 40 });
    fake.script('edit', { delayMs: 40 }, failures.badRequest());
    const retouch = createRetouch({ providers: [fake], limits: { fake: { concurrency: 1 } } });
    const edits = [retouch.edit(request()), retouch.edit(request()), retouch.edit(request())];
    for (const edit of edits) edit.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(retouch.stats()).toMatchObject({ queued: 2, running: 1, succeeded: 0 });
    await retouch.onIdle();
    expect(retouch.stats()).toMatchObject({ queued: 0, running: 0, succeeded: 2, failed: 1, cancelled: 0 });
    await retouch.onIdle();
    await retouch.close();
  });
});
