import { JobCancelledError } from '@retouch/core';
import type { ProviderJobStatus } from '@retouch/core/provider-utils';
import { describe, expect, test } from 'vitest';
import { call, client, context, provider, proxy, received, simulator, until } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };
// A safety interval far beyond the test: whatever settles a job here is the mechanism under test.
const NO_SAFETY_NET = { reconcileIntervalMs: 60_000 };

describe('sse mode: one shared stream', () => {
  test('200 concurrent jobs open exactly one event stream', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 50 } });
    const retouch = client(provider(sim, { mode: 'sse', events: NO_SAFETY_NET }), {
      limits: { oxen: { concurrency: 200 } },
    });
    const results = await Promise.all(Array.from({ length: 200 }, () => retouch.edit(request)));
    expect(results.every((result) => result.images.length === 1)).toBe(true);
    expect(new Set(results.map((result) => result.jobId)).size).toBe(200);
    expect(sim.counters.eventStreamsOpened).toBe(1);
    expect(received(sim, 'GET /api/events')).toHaveLength(1);
    expect(received(sim, 'POST /api/ai/queue')).toHaveLength(200);
    // Every job learned of its completion from the stream, none by polling.
    expect(sim.counters.statusReads).toBe(0);
  });

  test('the stream is closed when no job waits, and reopened for the next', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sse' }));
    await retouch.edit(request);
    await until(() => sim.counters.eventStreamsOpen === 0);
    await retouch.edit(request);
    expect(sim.counters.eventStreamsOpened).toBe(2);
    await until(() => sim.counters.eventStreamsOpen === 0);
  });

  test('retouch.close() after an sse edit: the simulator holds no event stream within 1 s', async () => {
    const sim = await simulator();
    // The default linger would keep the stream open two more seconds for a next edit.
    const retouch = client(provider(sim, { mode: 'sse', events: { lingerMs: 2_000 } }));
    await retouch.edit(request);
    expect(sim.counters.eventStreamsOpen).toBe(1);
    await retouch.close();
    await until(() => sim.counters.eventStreamsOpen === 0, 1_000);
  });

  test('retouch.close() while edits wait on the stream fails them and ends the stream within 1 s', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 10_000 } });
    const retouch = client(provider(sim, { mode: 'sse', events: { lingerMs: 2_000 } }));
    const pending = retouch.edit(request).catch((error: unknown) => error);
    await until(() => sim.counters.jobsEnqueued === 1);
    await retouch.close();
    await until(() => sim.counters.eventStreamsOpen === 0, 1_000);
    expect(String(await pending)).toMatch(/closed/);
  });

  test('an edit whose enqueue answer arrives after retouch.close() fails too, and no stream outlives the close', async () => {
    // The enqueue is accepted by Oxen but its answer is held back until after close(): the edit must
    // fail with the client, and nothing may open a new stream for it.
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 10_000 } });
    const man = await proxy(sim);
    man.enqueueDelayMs = 300;
    const retouch = client(provider(sim, { baseURL: man.url, mode: 'sse' }));
    const pending = retouch.edit(request).catch((error: unknown) => error);
    await until(() => sim.counters.jobsEnqueued === 1);
    await retouch.close();
    await until(() => sim.counters.eventStreamsOpen === 0, 1_000);
    expect(String(await pending)).toMatch(/closed/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sim.counters.eventStreamsOpened).toBe(1);
  });

  test('the provider’s own close() ends the stream; a job still waiting is then polled to its end', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 400 } });
    const oxen = provider(sim, { mode: 'sse', events: NO_SAFETY_NET });
    const retouch = client(oxen);
    const pending = retouch.edit(request);
    await until(() => sim.counters.jobsEnqueued === 1);
    await until(() => received(sim, 'POST /api/ai/queue')[0]?.status === 200);
    await oxen.close();
    await until(() => sim.counters.eventStreamsOpen === 0, 1_000);
    expect((await pending).images).toHaveLength(1);
    expect(sim.counters.statusReads).toBeGreaterThan(0);
  });
});

describe('sse mode: completion is never missed', () => {
  test('a job that completes before its enqueue answer arrives still resolves, from the stream', async () => {
    // The job finishes at once and its answer is held back: the completion event reaches the client
    // before the client knows the job's id, which is when a client subscribing after the enqueue
    // (as the documentation's examples do) would have missed it for good.
    const sim = await simulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
    const man = await proxy(sim);
    man.enqueueDelayMs = 200;
    const retouch = client(provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET }));
    const result = await retouch.edit(request);
    expect(sim.jobStatus(result.jobId!)).toBe('succeeded');
    expect(result.images[0]!.url).toMatch(/\/files\//);
    expect(sim.counters.statusReads).toBe(0);
  });

  test('a job finishing instantly resolves without any status read', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
    const retouch = client(provider(sim, { mode: 'sse', events: NO_SAFETY_NET }));
    const results = await Promise.all([retouch.edit(request), retouch.edit({ ...request, n: 3 })]);
    expect(results.map((result) => result.images.length)).toEqual([1, 3]);
    expect(sim.counters.statusReads).toBe(0);
  });

  test('a dropped stream is reopened, and the jobs waiting on it read their status', async () => {
    // The stream drops just before the first job's completion event; the second job is still running.
    const sim = await simulator({
      jobSchedule: (job) => ({ queuedMs: 5, processingMs: job.parameters.prompt === 'hat' ? 40 : 800 }),
    });
    sim.setFaults([{ route: 'GET /api/events', kind: 'sse-drop', times: 1 }]);
    // Polling while disconnected is slow here: what settles the jobs is the wake-up on the drop and on
    // the reconnect, and then the reopened stream.
    const retouch = client(provider(sim, { mode: 'sse', pollIntervalMs: 10_000, events: NO_SAFETY_NET }));
    const first = retouch.edit(request);
    await until(() => sim.counters.jobsEnqueued === 1);
    const second = retouch.edit({ ...request, prompt: 'a slower hat' });
    const [fast, slow] = await Promise.all([first, second]);
    expect(sim.counters.eventStreamsOpened).toBe(2);
    const reads = (jobId: string) =>
      received(sim, 'GET /api/ai/queue/:id').filter((sent) => sent.path === `/api/ai/queue/${jobId}`);
    // The first job's event was lost with the connection: one read found it done.
    expect(reads(fast.jobId!)).toHaveLength(1);
    // The second was read when the stream dropped and when it came back, then heard its event.
    expect(reads(slow.jobId!).length).toBeGreaterThanOrEqual(1);
    expect(reads(slow.jobId!).length).toBeLessThanOrEqual(2);
    expect(sim.jobStatus(slow.jobId!)).toBe('succeeded');
  });

  test('a stream that goes silent (no keep-alive) is treated as dead and reopened', async () => {
    // Keep-alives come well within the idle timeout, so only the silent stream looks dead; on a busy
    // machine a healthy stream may still be reopened once more, which is harmless. Polling while
    // disconnected is slow here, so the job is settled through the reopened stream.
    const sim = await simulator({
      keepAliveIntervalMs: 100,
      jobSchedule: { queuedMs: 5, processingMs: 1_000 },
    });
    const man = await proxy(sim);
    man.streams.push('silent');
    const retouch = client(
      provider(sim, {
        baseURL: man.url,
        mode: 'sse',
        pollIntervalMs: 10_000,
        events: { ...NO_SAFETY_NET, idleTimeoutMs: 600 },
      }),
    );
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    expect(man.connections[0]).toBe('silent');
    expect(man.connections.slice(1)).toContain('relay');
    expect(man.connections.slice(1).every((connection) => connection === 'relay')).toBe(true);
  });

  test('a hostile never-ending line is cut off, and the stream reopened', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 500 } });
    const man = await proxy(sim);
    man.streams.push('hostile-line');
    const retouch = client(
      provider(sim, {
        baseURL: man.url,
        mode: 'sse',
        pollIntervalMs: 10_000,
        events: { ...NO_SAFETY_NET, maxEventSize: 64 * 1024 },
      }),
    );
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    expect(man.connections).toEqual(['hostile-line', 'relay']);
  });

  test('unrelated events, keep-alives and malformed data are ignored', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 800 } });
    const man = await proxy(sim);
    const oxen = provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET });
    const submitted = await call(oxen, request);
    const { jobId: id } = await oxen.submit(submitted);
    const heard: (ProviderJobStatus | undefined)[] = [];
    const watch = oxen.watch(id, {
      ...context(oxen),
      request: submitted.request,
      notify: (status) => heard.push(status),
    });
    expect(watch.live).toBe(true);
    man.inject(
      [
        ': keep-alive\n\n',
        `event: deployment_status\ndata: {"generation_id":"${id}","status":"failed","error":"not ours"}\n\n`,
        `data: {"generation_id":"${id}","status":"failed","error":"no event name"}\n\n`,
        'event: media_generation_completed\ndata: {not json\n\n',
        'event: media_generation_completed\ndata: {"generation_id":"someone-else","status":"failed","error":"x"}\n\n',
        `event: media_generation_completed\ndata: {"generation_id":"${id}","status":"processing"}\n\n`,
      ].join(''),
    );
    await until(() => heard.length > 0);
    watch.stop();
    expect(heard).toEqual([expect.objectContaining({ state: 'succeeded' })]);
    expect(sim.counters.statusReads).toBe(0);
  });
});

describe('sse mode: the dispatcher’s one wait loop', () => {
  test('with the stream refused, the job is polled at the usual pace to its end', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 300 } });
    sim.setFaults([{ route: 'GET /api/events', kind: 'status', status: 503 }]);
    const retouch = client(provider(sim, { mode: 'sse', events: NO_SAFETY_NET }));
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    expect(received(sim, 'GET /api/events').every((sent) => sent.status === 503)).toBe(true);
    // Polled at pollIntervalMs (20 ms here), not at the 60 s of a live stream.
    expect(sim.counters.statusReads).toBeGreaterThan(1);
    const reads = received(sim, 'GET /api/ai/queue/:id');
    expect(reads.every((sent) => sent.path === `/api/ai/queue/${result.jobId}`)).toBe(true);
  });

  test('while the stream is unavailable through a proxy, waiting jobs are polled', async () => {
    const sim = await simulator();
    const man = await proxy(sim);
    man.streams.push(...Array.from({ length: 50 }, () => 'unavailable' as const));
    const retouch = client(provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET }));
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    expect(man.connections[0]).toBe('unavailable');
    expect(sim.counters.statusReads).toBeGreaterThan(0);
  });

  test('a start time comes from a status row read while the job ran', async () => {
    // The safety interval is short here, so the dispatcher reads the job while it runs; the event
    // that ends it carries no time, and the row's started_at (whole seconds) fills it in.
    const sim = await simulator({ jobSchedule: { queuedMs: 20, processingMs: 600 } });
    const oxen = provider(sim, { events: { reconcileIntervalMs: 100 } });
    const submitted = await call(oxen, request);
    const { jobId } = await oxen.submit(submitted);
    const heard: (ProviderJobStatus | undefined)[] = [];
    const watch = oxen.watch(jobId, {
      ...context(oxen),
      request: submitted.request,
      notify: (s) => heard.push(s),
    });
    await until(() => sim.jobStatus(jobId) === 'processing');
    expect((await oxen.status(jobId, context(oxen))).state).toBe('running');
    await until(() => heard.length > 0);
    watch.stop();
    const [final] = heard;
    if (final?.state !== 'succeeded') throw new Error('expected the event to bring the result');
    expect(final.output.startedAt).toBeTypeOf('number');
    expect(final.output.startedAt! % 1000).toBe(500);
    expect(final.output.startedAt!).toBeLessThanOrEqual(Date.now());
  });

  test('a start time is absent when no row was read: the event alone carries no time', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim));
    const result = await retouch.edit(request);
    expect(received(sim, 'GET /api/ai/queue/:id')).toEqual([]);
    expect(result.timings.runningMs).toBeGreaterThanOrEqual(0);
  });

  test('a request in queue mode gets no live watch: the dispatcher polls it', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sse' });
    const submitted = await call(oxen, { ...request, providerOptions: { oxen: { mode: 'queue' } } });
    const { jobId } = await oxen.submit(submitted);
    const watch = oxen.watch(jobId, { ...context(oxen), request: submitted.request, notify: () => {} });
    expect(watch.live).toBe(false);
    watch.stop();
    expect(received(sim, 'GET /api/events')).toEqual([]);
  });
});

describe('sse mode: cancelled jobs settle', () => {
  const slow = { jobSchedule: { queuedMs: 5, processingMs: 30_000 } };

  test('cancel() wakes a watch at once, though Oxen sends no event for it', async () => {
    const sim = await simulator(slow);
    const oxen = provider(sim, { mode: 'sse', events: NO_SAFETY_NET });
    const submitted = await call(oxen, request);
    const { jobId } = await oxen.submit(submitted);
    let woken = 0;
    const watch = oxen.watch(jobId, { ...context(oxen), request: submitted.request, notify: () => woken++ });
    await oxen.cancel(jobId, context(oxen));
    expect(woken).toBe(1);
    watch.stop();
    expect(await oxen.status(jobId, context(oxen))).toMatchObject({ state: 'cancelled' });
    expect(received(sim, 'DELETE /api/ai/queue/:id').map((sent) => sent.path)).toEqual([
      `/api/ai/queue/${jobId}`,
    ]);
    expect(sim.jobStatus(jobId)).toBe('cancelled');
  });

  test('a job cancelled elsewhere is found by the safety interval: JobCancelledError', async () => {
    const sim = await simulator(slow);
    const retouch = client(provider(sim, { mode: 'sse', events: { reconcileIntervalMs: 200 } }));
    const pending = retouch.edit(request);
    await until(() => sim.counters.jobsEnqueued === 1);
    const [enqueue] = received(sim, 'POST /api/ai/queue');
    await until(() => enqueue!.status === 200);
    const id = [...(await listJobs(sim.url, sim.apiKey))][0]!;
    // Another client (the dashboard, a second process) cancels it.
    const response = await fetch(`${sim.url}/api/ai/queue/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    expect(response.status).toBe(200);
    await expect(pending).rejects.toSatisfy(
      (error) => JobCancelledError.isInstance(error) && error.jobId === id && error.provider === 'oxen',
    );
  });

  test('aborting an edit cancels its job on Oxen', async () => {
    const sim = await simulator(slow);
    const retouch = client(provider(sim, { mode: 'sse' }));
    const controller = new AbortController();
    const pending = retouch.edit({ ...request, signal: controller.signal });
    await until(() => sim.counters.jobsEnqueued === 1);
    const id = [...(await listJobs(sim.url, sim.apiKey))][0]!;
    await until(() => received(sim, 'POST /api/ai/queue')[0]?.status === 200);
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    await until(() => sim.jobStatus(id) === 'cancelled');
  });
});

async function listJobs(url: string, apiKey: string): Promise<Set<string>> {
  for (;;) {
    const response = await fetch(`${url}/api/ai/queue`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await response.json()) as { generations: { generation_id: string }[] };
    if (body.generations.length > 0) return new Set(body.generations.map((row) => row.generation_id));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
