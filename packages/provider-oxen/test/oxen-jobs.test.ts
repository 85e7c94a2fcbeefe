import { InvalidRequestError, JobCancelledError } from '@retouch/core';
import { sniffImageMediaType } from '@retouch/core/provider-utils';
import { describe, expect, test } from 'vitest';
import { call, client, context, provider, received, settled, simulator, until } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };

describe('jobs: submit, status, cancel', () => {
  test('status follows a job from queued to succeeded', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 800, processingMs: 300 } });
    const oxen = provider(sim, { mode: 'queue' });
    const submission = await oxen.submit(await call(oxen, request));
    expect(submission.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(submission.raw).toEqual({ generations: [{ generation_id: submission.jobId, status: 'queued' }] });
    expect(await oxen.status(submission.jobId, context(oxen))).toMatchObject({ state: 'queued' });
    await until(() => sim.jobStatus(submission.jobId) === 'processing');
    expect(await oxen.status(submission.jobId, context(oxen))).toMatchObject({ state: 'running' });
    await until(() => sim.jobStatus(submission.jobId) === 'succeeded');
    const done = await oxen.status(submission.jobId, context(oxen));
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
    const { jobId } = await oxen.submit(await call(oxen, { ...request, n: 6 }));
    const ids = jobId.split(',');
    expect(ids).toHaveLength(6);
    await until(() => ids.filter((id) => sim.jobStatus(id) === 'succeeded').length === 4);
    expect((await oxen.status(jobId, context(oxen))).state).toBe('running');
    await until(() => ids.every((id) => sim.jobStatus(id) === 'succeeded'));
    const done = await oxen.status(jobId, context(oxen));
    expect(done.state === 'succeeded' && done.output.images.length).toBe(6);
  });

  test('a split request whose second enqueue fails cancels the first, so nothing is billed for a failed edit', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5_000, processingMs: 10 } });
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'status', status: 500, after: 1 }]);
    const oxen = provider(sim, { mode: 'queue' });
    await expect(oxen.submit(await call(oxen, { ...request, n: 6 }))).rejects.toMatchObject({
      statusCode: 500,
    });
    const deleted = received(sim, 'DELETE /api/ai/queue/:id');
    expect(deleted).toHaveLength(4);
    for (const sent of deleted) expect(sim.jobStatus(sent.path.split('/').at(-1)!)).toBe('cancelled');
  });

  test('cancel in queue mode: the status reads cancelled', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const oxen = provider(sim, { mode: 'queue' });
    const { jobId } = await oxen.submit(await call(oxen, request));
    await oxen.cancel(jobId, context(oxen));
    expect(await settled(oxen, jobId)).toMatchObject({ state: 'cancelled' });
  });

  test('an edit whose job is cancelled on Oxen rejects with JobCancelledError', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const oxen = provider(sim, { mode: 'queue' });
    const pending = client(oxen).edit(request);
    await until(() => received(sim, 'POST /api/ai/queue')[0]?.status === 200);
    const rows = (await (
      await fetch(`${sim.url}/api/ai/queue`, { headers: { authorization: `Bearer ${sim.apiKey}` } })
    ).json()) as { generations: { generation_id: string }[] };
    await oxen.cancel(rows.generations[0]!.generation_id, context(oxen));
    await expect(pending).rejects.toSatisfy(JobCancelledError.isInstance);
  });

  test('an unknown or malformed job id is an error, not a hang', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sse' });
    await expect(oxen.status(' , ', context(oxen))).rejects.toSatisfy(InvalidRequestError.isInstance);
    await expect(oxen.status('00000000-0000-4000-8000-000000000000', context(oxen))).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_not_found',
    });
    const snapshot = await snapshotOf(sim, 'sse');
    const resumed = await client(provider(sim, { mode: 'sse' })).resume({
      ...snapshot,
      providerJobId: '00000000-0000-4000-8000-000000000000',
    });
    await expect(resumed.result()).rejects.toMatchObject({ statusCode: 404 });
  });
});

/** A snapshot of a submitted job, taken in one client and closed with it. */
async function snapshotOf(sim: Awaited<ReturnType<typeof simulator>>, mode: 'queue' | 'sse') {
  const first = client(provider(sim, { mode }));
  const job = await first.submit(request);
  const snapshot = job.toJSON();
  await first.close();
  return snapshot;
}

describe('the one wait loop, in core', () => {
  test('queue mode: the dispatcher reads the status at the polling pace; the adapter never waits', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 400 } });
    const retouch = client(provider(sim, { mode: 'queue', pollIntervalMs: 100, maxPollIntervalMs: 100 }));
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    const reads = received(sim, 'GET /api/ai/queue/:id');
    // Each read is one GET of the job's one generation, at the polling pace: over a 400 ms job read
    // every 100 ms, a handful of reads (a second loop, or one without its interval, would make more).
    expect(reads.every((sent) => sent.path === `/api/ai/queue/${result.jobId}`)).toBe(true);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(8);
  });

  test.each(['queue', 'sse'] as const)(
    '%s: submit, snapshot with job.toJSON(), and a new client resumes the job to its result',
    async (mode) => {
      const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 300 } });
      const snapshot = await snapshotOf(sim, mode);
      expect(snapshot.providerJobId).toMatch(/^[0-9a-f-]{36}$/);
      const second = client(provider(sim, { mode }));
      const result = await (await second.resume(snapshot)).result();
      expect(result.jobId).toBe(snapshot.providerJobId);
      expect(result.images).toHaveLength(1);
      expect(sim.billableCount).toBe(1);
      // The resumed job was read (at once, then by the wait loop), never enqueued again.
      expect(received(sim, 'POST /api/ai/queue')).toHaveLength(1);
      expect(received(sim, 'GET /api/ai/queue/:id').length).toBeGreaterThan(0);
    },
  );

  test('sse: a resumed job that finished while nobody listened resolves from one status read', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
    const snapshot = await snapshotOf(sim, 'queue');
    await until(() => sim.jobStatus(snapshot.providerJobId!) === 'succeeded');
    const second = client(provider(sim, { mode: 'sse', events: { reconcileIntervalMs: 60_000 } }));
    const before = sim.counters.statusReads;
    const result = await (await second.resume(snapshot)).result();
    expect(result.images).toHaveLength(1);
    expect(sim.counters.statusReads - before).toBe(1);
  });
});

describe('through createRetouch', () => {
  test.each(['sync', 'queue', 'sse'] as const)(
    '%s: edit returns the result, cost and warnings',
    async (mode) => {
      const sim = await simulator();
      const retouch = client(provider(sim, { mode }));
      const result = await retouch.edit({ ...request, aspectRatio: '5:4' });
      expect(result).toMatchObject({ provider: 'oxen', model: 'oxen:qwen-image-edit', cost: { usd: 0.03 } });
      expect(sniffImageMediaType(await result.images[0]!.bytes())).toBe('image/png');
      expect(result.warnings).toEqual([
        expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio' }),
      ]);
      if (mode !== 'sync') expect(sim.jobStatus(result.jobId!)).toBe('succeeded');
    },
  );

  test('job.cancel() cancels the job on Oxen', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    const retouch = client(provider(sim, { mode: 'sse' }));
    const job = await retouch.submit(request);
    await job.cancel();
    await expect(job.result()).rejects.toSatisfy(JobCancelledError.isInstance);
    expect(sim.jobStatus(job.providerJobId!)).toBe('cancelled');
  });

  test('200 concurrent edits through the dispatcher still share one event stream', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 100 } });
    const retouch = client(
      // The default linger: the tests' 50 ms one could let a stall between waves of jobs close the stream.
      provider(sim, { mode: 'sse', events: { lingerMs: 2_000 } }),
      { limits: { oxen: { concurrency: 32 } } },
    );
    const results = await Promise.all(Array.from({ length: 200 }, () => retouch.edit(request)));
    expect(results).toHaveLength(200);
    expect(sim.counters.eventStreamsOpened).toBe(1);
  });
});
