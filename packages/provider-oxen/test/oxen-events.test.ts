import { JobCancelledError } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { call, provider, proxy, received, simulator, until } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };
// A safety interval far beyond the test: whatever settles a job here is the mechanism under test.
const NO_SAFETY_NET = { reconcileIntervalMs: 60_000 };

describe('sse mode: one shared stream', () => {
  test('200 concurrent jobs open exactly one event stream', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 50 } });
    const oxen = provider(sim, { mode: 'sse', events: NO_SAFETY_NET });
    const calls = await Promise.all(Array.from({ length: 200 }, () => call(request)));
    const results = await Promise.all(calls.map((edit) => oxen.edit(edit)));
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
    const oxen = provider(sim, { mode: 'sse' });
    await oxen.edit(await call(request));
    await until(() => sim.counters.eventStreamsOpen === 0);
    await oxen.edit(await call(request));
    expect(sim.counters.eventStreamsOpened).toBe(2);
    await until(() => sim.counters.eventStreamsOpen === 0);
  });

  test('close() ends the stream and fails the jobs still waiting', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 10_000 } });
    const oxen = provider(sim, { mode: 'sse' });
    const pending = oxen.edit(await call(request));
    await until(() => sim.counters.jobsEnqueued === 1);
    await oxen.close();
    await expect(pending).rejects.toThrow(/closed/);
    await until(() => sim.counters.eventStreamsOpen === 0);
  });

  test('an edit whose enqueue answer arrives after close() fails too, and its job is cancelled', async () => {
    // The enqueue is accepted by Oxen but its answer is held back until after close(): the edit must
    // not open a new stream and wait on it; nobody would collect the result, so the job is cancelled.
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 10_000 } });
    const man = await proxy(sim);
    man.enqueueDelayMs = 300;
    const oxen = provider(sim, { baseURL: man.url, mode: 'sse' });
    const pending = oxen.edit(await call(request));
    await until(() => sim.counters.jobsEnqueued === 1);
    await oxen.close();
    await expect(pending).rejects.toThrow(/closed/);
    const cancels = sim.requests.filter((recorded) => recorded.method === 'DELETE');
    expect(cancels).toHaveLength(1);
    await until(() => sim.counters.eventStreamsOpen === 0);
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
    const oxen = provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET });
    const result = await oxen.edit(await call(request));
    expect(sim.jobStatus(result.jobId!)).toBe('succeeded');
    expect(result.images[0]!.url).toMatch(/\/files\//);
    expect(sim.counters.statusReads).toBe(0);
  });

  test('a job finishing instantly resolves without any status read', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
    const oxen = provider(sim, { mode: 'sse', events: NO_SAFETY_NET });
    const results = await Promise.all([
      oxen.edit(await call(request)),
      oxen.edit(await call({ ...request, n: 3 })),
    ]);
    expect(results.map((result) => result.images.length)).toEqual([1, 3]);
    expect(sim.counters.statusReads).toBe(0);
  });

  test('a dropped stream is reopened and the waiting jobs reconciled', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/events', kind: 'sse-drop', times: 1 }]);
    // Polling while disconnected is slow here, so what settles the job is the reconnect's reconciliation.
    const oxen = provider(sim, { mode: 'sse', pollIntervalMs: 10_000, events: NO_SAFETY_NET });
    const result = await oxen.edit(await call(request));
    expect(result.images).toHaveLength(1);
    expect(sim.counters.eventStreamsOpened).toBe(2);
    expect(received(sim, 'GET /api/ai/queue/:id').map((sent) => sent.path)).toEqual([
      `/api/ai/queue/${result.jobId}`,
    ]);
  });

  test('many waiting jobs are reconciled with one listing after a drop', async () => {
    const sim = await simulator({
      jobSchedule: (job) => ({ queuedMs: 5, processingMs: 40 + job.index * 400 }),
    });
    sim.setFaults([{ route: 'GET /api/events', kind: 'sse-drop', times: 1 }]);
    const oxen = provider(sim, { mode: 'sse', pollIntervalMs: 10_000, events: NO_SAFETY_NET });
    const result = await oxen.edit(await call({ ...request, n: 4 }));
    expect(result.images).toHaveLength(4);
    expect(received(sim, 'GET /api/ai/queue')).toHaveLength(1);
    // Only the generations missing from the active list are read one by one.
    expect(received(sim, 'GET /api/ai/queue/:id').length).toBeLessThan(4);
  });

  test('a stream that goes silent (no keep-alive) is treated as dead and reopened', async () => {
    // Keep-alives come well within the idle timeout, so only the silent stream looks dead; on a busy
    // machine a healthy stream may still be reopened once more, which is harmless. Polling while
    // disconnected is slow here, so the job is settled through the reopened stream, not by a status
    // read that wins the race against the reconnect.
    const sim = await simulator({ keepAliveIntervalMs: 100 });
    const man = await proxy(sim);
    man.streams.push('silent');
    const oxen = provider(sim, {
      baseURL: man.url,
      mode: 'sse',
      pollIntervalMs: 10_000,
      events: { ...NO_SAFETY_NET, idleTimeoutMs: 600 },
    });
    const result = await oxen.edit(await call(request));
    expect(result.images).toHaveLength(1);
    expect(man.connections[0]).toBe('silent');
    expect(man.connections.slice(1)).toContain('relay');
    expect(man.connections.slice(1).every((connection) => connection === 'relay')).toBe(true);
  });

  test('a hostile never-ending line is cut off, and the stream reopened', async () => {
    const sim = await simulator();
    const man = await proxy(sim);
    man.streams.push('hostile-line');
    // Slow polling while disconnected: the job settles through the reopened stream, not a status read.
    const oxen = provider(sim, {
      baseURL: man.url,
      mode: 'sse',
      pollIntervalMs: 10_000,
      events: { ...NO_SAFETY_NET, maxEventSize: 64 * 1024 },
    });
    const result = await oxen.edit(await call(request));
    expect(result.images).toHaveLength(1);
    expect(man.connections).toEqual(['hostile-line', 'relay']);
  });

  test('while the stream is unavailable, waiting jobs are polled', async () => {
    const sim = await simulator();
    const man = await proxy(sim);
    man.streams.push(...Array.from({ length: 50 }, () => 'unavailable' as const));
    const oxen = provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET });
    const result = await oxen.edit(await call(request));
    expect(result.images).toHaveLength(1);
    expect(man.connections[0]).toBe('unavailable');
    expect(sim.counters.statusReads).toBeGreaterThan(0);
  });

  test('unrelated events, keep-alives and malformed data are ignored', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 800 } });
    const man = await proxy(sim);
    const oxen = provider(sim, { baseURL: man.url, mode: 'sse', events: NO_SAFETY_NET });
    const submission = await oxen.submit(await call(request));
    const id = submission.jobId;
    const signal = new AbortController().signal;
    const waiting = oxen.waitForCompletion(id, { signal });
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
    const outcome = await waiting;
    expect(outcome.state).toBe('succeeded');
    expect(sim.counters.statusReads).toBe(0);
  });
});

describe('sse mode: cancelled jobs settle', () => {
  const slow = { jobSchedule: { queuedMs: 5, processingMs: 30_000 } };

  test('cancel() settles a waiting job at once, though Oxen sends no event for it', async () => {
    const sim = await simulator(slow);
    const oxen = provider(sim, { mode: 'sse', events: NO_SAFETY_NET });
    const { jobId } = await oxen.submit(await call(request));
    const waiting = oxen.waitForCompletion(jobId, { signal: new AbortController().signal });
    await oxen.cancel(jobId, {});
    expect(await waiting).toMatchObject({ state: 'cancelled' });
    expect(received(sim, 'DELETE /api/ai/queue/:id').map((sent) => sent.path)).toEqual([
      `/api/ai/queue/${jobId}`,
    ]);
    expect(sim.jobStatus(jobId)).toBe('cancelled');
  });

  test('a job cancelled elsewhere is found by the safety interval: JobCancelledError', async () => {
    const sim = await simulator(slow);
    const oxen = provider(sim, { mode: 'sse', events: { reconcileIntervalMs: 200 } });
    const pending = oxen.edit(await call(request));
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
    const oxen = provider(sim, { mode: 'sse' });
    const controller = new AbortController();
    const pending = oxen.edit(await call(request, controller.signal));
    await until(() => sim.counters.jobsEnqueued === 1);
    const id = [...(await listJobs(sim.url, sim.apiKey))][0]!;
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
