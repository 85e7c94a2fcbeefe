import { createRetouch, type EditRequest, InvalidRequestError } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { bodies, call, provider, received, simulator } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';

const request = (prompt: string, mode?: unknown): EditRequest => ({
  model: 'oxen:qwen-image-edit',
  prompt,
  images: [PHOTO],
  ...(mode === undefined ? {} : { providerOptions: { oxen: { mode } } }),
});

/** The status reads of one job, by its id. */
const statusReads = (sim: Awaited<ReturnType<typeof simulator>>, jobId: string) =>
  received(sim, 'GET /api/ai/queue/:id').filter((sent) => sent.path === `/api/ai/queue/${jobId}`);

describe('providerOptions.oxen.mode', () => {
  test('one client runs each request in the mode it asks for, as the wire shows', async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    const retouch = createRetouch({ providers: [oxen] });
    const [sync, queue, sse] = await Promise.all([
      retouch.edit(request('sync edit', 'sync')),
      retouch.edit(request('queue edit', 'queue')),
      retouch.edit(request('sse edit', 'sse')),
    ]);
    await retouch.close();

    expect(bodies(sim, 'POST /api/ai/images/edit')).toEqual([
      { model: 'qwen-image-edit', prompt: 'sync edit', input_image: PHOTO },
    ]);
    expect(sync.jobId).toBeUndefined();
    // Both queued requests were enqueued, and `mode` never reached Oxen as a model parameter.
    expect(bodies(sim, 'POST /api/ai/queue')).toEqual(
      expect.arrayContaining([
        { model: 'qwen-image-edit', prompt: 'queue edit', input_image: PHOTO },
        { model: 'qwen-image-edit', prompt: 'sse edit', input_image: PHOTO },
      ]),
    );
    expect(sim.billableCount).toBe(3);
    // The queue request is followed by polling its status, the sse one by the event stream alone.
    expect(statusReads(sim, queue.jobId!).length).toBeGreaterThan(0);
    expect(statusReads(sim, sse.jobId!)).toEqual([]);
    expect(received(sim, 'GET /api/events')).toHaveLength(1);
  });

  test('a sync provider enqueues a request that asks for a queue mode', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sync' });
    const retouch = createRetouch({ providers: [oxen] });
    const queued = await retouch.edit(request('queue edit', 'queue'));
    expect(received(sim, 'POST /api/ai/images/edit')).toEqual([]);
    expect(statusReads(sim, queued.jobId!).length).toBeGreaterThan(0);
    expect(received(sim, 'GET /api/events')).toEqual([]);

    const streamed = await retouch.edit(request('sse edit', 'sse'));
    expect(received(sim, 'GET /api/events')).toHaveLength(1);
    expect(statusReads(sim, streamed.jobId!)).toEqual([]);
    await retouch.close();
  });

  test('the adapter alone honours it too: a plan in mode "sync" on an sse provider does not prefer jobs', async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    const prepared = await call(oxen, request('sync edit', 'sync'));
    expect(oxen.prefersJobs(prepared.request, prepared.plan)).toBe(false);
    const result = await oxen.edit(prepared);
    expect(result.images).toHaveLength(1);
    expect(received(sim, 'POST /api/ai/images/edit')).toHaveLength(1);
    expect(received(sim, 'POST /api/ai/queue')).toEqual([]);
    expect(received(sim, 'GET /api/events')).toEqual([]);
  });

  test('a job resumed without its request is followed in the provider’s own mode', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 50, processingMs: 100 } });
    const first = createRetouch({ providers: [provider(sim)] });
    const job = await first.submit(request('queue edit', 'queue'));
    const saved = job.toJSON();
    await first.close();
    expect(received(sim, 'GET /api/events')).toEqual([]);

    const second = createRetouch({ providers: [provider(sim)] });
    const result = await (await second.resume(saved)).result();
    expect(result.jobId).toBe(job.providerJobId);
    expect(received(sim, 'GET /api/events')).toHaveLength(1);
    await second.close();
  });

  test.each([['fast'], [3], [null]])(
    'a mode of %j is refused before any call, naming the field',
    async (mode) => {
      const sim = await simulator();
      const retouch = createRetouch({ providers: [provider(sim)] });
      const error = await retouch.edit(request('hat', mode)).catch((caught: unknown) => caught);
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect((error as InvalidRequestError).issues).toEqual([
        {
          path: 'providerOptions.oxen.mode',
          message: expect.stringMatching(
            /"sync", "queue" or "sse"; omit it to use the mode .*createOxen\(\{ mode \}\)/,
          ),
        },
      ]);
      expect(sim.requests).toEqual([]);
      await retouch.close();
    },
  );
});
