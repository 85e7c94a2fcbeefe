import { createRetouch, InvalidRequestError, JobCancelledError, sniffImageMediaType } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { call, onCleanup, provider, received, simulator, until } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };

describe('jobs: submit, status, cancel', () => {
  test('status follows a job from queued to succeeded', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 800, processingMs: 300 } });
    const oxen = provider(sim, { mode: 'queue' });
    const submission = await oxen.submit(await call(request));
    expect(submission.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(submission.raw).toEqual({ generations: [{ generation_id: submission.jobId, status: 'queued' }] });
    expect(await oxen.status(submission.jobId, {})).toMatchObject({ state: 'queued' });
    await until(() => sim.jobStatus(submission.jobId) === 'processing');
    expect(await oxen.status(submission.jobId, {})).toMatchObject({ state: 'running' });
    await until(() => sim.jobStatus(submission.jobId) === 'succeeded');
    const done = await oxen.status(submission.jobId, {});
    expect(done.state).toBe('succeeded');
    if (done.state !== 'succeeded') return;
    expect(done.output.jobId).toBe(submission.jobId);
    expect(done.output.images[0]!.url).toMatch(/\/files\//);
  });

  test('the status of a split job (n = 6) folds its six generations', async () => {
    const sim = await simulator({
      jobSchedule: (job) => ({ queuedMs: 5, processingMs: job.index === 0 ? 1_000 : 10 }),
    });
    const oxen = provider(sim, { mode: 'queue' });
    const { jobId } = await oxen.submit(await call({ ...request, n: 6 }));
    const ids = jobId.split(',');
    expect(ids).toHaveLength(6);
    await until(() => ids.filter((id) => sim.jobStatus(id) === 'succeeded').length === 4);
    expect((await oxen.status(jobId, {})).state).toBe('running');
    await until(() => ids.every((id) => sim.jobStatus(id) === 'succeeded'));
    const done = await oxen.status(jobId, {});
    expect(done.state === 'succeeded' && done.output.images.length).toBe(6);
  });

  test('a split request whose second enqueue fails cancels the first, so nothing is billed for a failed edit', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5_000, processingMs: 10 } });
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'status', status: 500, after: 1 }]);
    const oxen = provider(sim, { mode: 'queue' });
    await expect(oxen.submit(await call({ ...request, n: 6 }))).rejects.toMatchObject({ statusCode: 500 });
    const deleted = received(sim, 'DELETE /api/ai/queue/:id');
    expect(deleted).toHaveLength(4);
    for (const sent of deleted) expect(sim.jobStatus(sent.path.split('/').at(-1)!)).toBe('cancelled');
  });

  test('cancel in queue mode: the polling wait ends with the cancelled state', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const oxen = provider(sim, { mode: 'queue' });
    const { jobId } = await oxen.submit(await call(request));
    const waiting = oxen.waitForCompletion(jobId, { signal: new AbortController().signal });
    await oxen.cancel(jobId, {});
    expect(await waiting).toMatchObject({ state: 'cancelled' });
  });

  test('an edit whose job is cancelled rejects with JobCancelledError', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const oxen = provider(sim, { mode: 'queue' });
    const pending = oxen.edit(await call(request));
    await until(() => received(sim, 'POST /api/ai/queue')[0]?.status === 200);
    const rows = (await (
      await fetch(`${sim.url}/api/ai/queue`, { headers: { authorization: `Bearer ${sim.apiKey}` } })
    ).json()) as { generations: { generation_id: string }[] };
    await oxen.cancel(rows.generations[0]!.generation_id, {});
    await expect(pending).rejects.toSatisfy(JobCancelledError.isInstance);
  });

  test('an unknown or malformed job id is an error, not a hang', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sse' });
    await expect(oxen.status(' , ', {})).rejects.toSatisfy(InvalidRequestError.isInstance);
    await expect(oxen.status('00000000-0000-4000-8000-000000000000', {})).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_not_found',
    });
    await expect(
      oxen.waitForCompletion('00000000-0000-4000-8000-000000000000', {
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('resume in another process', () => {
  test.each(['queue', 'sse'] as const)(
    '%s: a second provider instance finishes a job the first submitted',
    async (mode) => {
      const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 200 } });
      const first = provider(sim, { mode });
      const { jobId } = await first.submit(await call(request));
      await first.close();
      const second = provider(sim, { mode, events: { reconcileIntervalMs: 60_000 } });
      const outcome = await second.waitForCompletion(jobId, { signal: new AbortController().signal });
      expect(outcome.state).toBe('succeeded');
    },
  );

  test('sse: a job that finished while nobody listened resolves from one status read', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
    const first = provider(sim, { mode: 'queue' });
    const { jobId } = await first.submit(await call(request));
    await until(() => sim.jobStatus(jobId) === 'succeeded');
    const second = provider(sim, { mode: 'sse', events: { reconcileIntervalMs: 60_000 } });
    const before = sim.counters.statusReads;
    const outcome = await second.waitForCompletion(jobId, { signal: new AbortController().signal });
    expect(outcome.state).toBe('succeeded');
    expect(sim.counters.statusReads - before).toBe(1);
  });
});

describe('through createRetouch', () => {
  test.each(['sync', 'queue', 'sse'] as const)(
    '%s: edit returns the result, cost and warnings',
    async (mode) => {
      const sim = await simulator();
      const retouch = createRetouch({ providers: [provider(sim, { mode })] });
      onCleanup(() => retouch.close());
      const result = await retouch.edit({ ...request, aspectRatio: '5:4' });
      expect(result).toMatchObject({ provider: 'oxen', model: 'oxen:qwen-image-edit', cost: { usd: 0.03 } });
      expect(sniffImageMediaType(await result.images[0]!.bytes())).toBe('image/png');
      expect(result.warnings).toEqual([
        expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio' }),
      ]);
      if (mode !== 'sync') expect(sim.jobStatus(result.jobId!)).toBe('succeeded');
    },
  );

  test('submit, save, and resume the job in a new client', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 300 } });
    const first = createRetouch({ providers: [provider(sim, { mode: 'sse' })] });
    const job = await first.submit(request);
    const snapshot = JSON.parse(JSON.stringify(job));
    expect(snapshot.providerJobId).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();

    const second = createRetouch({ providers: [provider(sim, { mode: 'sse' })] });
    onCleanup(() => second.close());
    const resumed = second.resume(snapshot);
    const result = await resumed.result();
    expect(result.jobId).toBe(snapshot.providerJobId);
    expect(result.images).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
  });

  test('job.cancel() cancels the job on Oxen', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const retouch = createRetouch({ providers: [provider(sim, { mode: 'sse' })] });
    onCleanup(() => retouch.close());
    const job = await retouch.submit(request);
    await job.cancel();
    await expect(job.result()).rejects.toSatisfy(JobCancelledError.isInstance);
    expect(sim.jobStatus(job.providerJobId!)).toBe('cancelled');
  });

  test('200 concurrent edits through the dispatcher still share one event stream', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 100 } });
    const retouch = createRetouch({
      // The default linger: the tests' 50 ms one could let a stall between waves of jobs close the stream.
      providers: [provider(sim, { mode: 'sse', events: { lingerMs: 2_000 } })],
      limits: { oxen: { concurrency: 32 } },
    });
    onCleanup(() => retouch.close());
    const results = await Promise.all(Array.from({ length: 200 }, () => retouch.edit(request)));
    expect(results).toHaveLength(200);
    expect(sim.counters.eventStreamsOpened).toBe(1);
  });
});
