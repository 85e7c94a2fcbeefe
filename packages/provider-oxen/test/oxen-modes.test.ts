import { TimeoutError } from '@retouch/core';
import { normalizeEditRequest, sniffImageMediaType } from '@retouch/core/provider-utils';
import { describe, expect, test } from 'vitest';
import {
  bodies,
  call,
  client,
  context,
  provider,
  received,
  settled,
  simulator,
  tableModels,
} from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
const ARRAY_MODELS = new Set([
  'qwen-image-edit-plus',
  'qwen-image-edit-2511',
  'gpt-image-2',
  'nano-banana-2',
]);

describe.each(['sync', 'queue', 'sse'] as const)('%s mode', (mode) => {
  test.each(tableModels)('edits with %s', async (model) => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode }));
    const result = await retouch.edit({ model: `oxen:${model}`, prompt: 'Add a funny hat', images: [PHOTO] });
    expect(result.images).toHaveLength(1);
    expect(sniffImageMediaType(await result.images[0]!.bytes())).toBe('image/png');
    const route = mode === 'sync' ? 'POST /api/ai/images/edit' : 'POST /api/ai/queue';
    expect(bodies(sim, route)).toEqual([
      { model, prompt: 'Add a funny hat', input_image: ARRAY_MODELS.has(model) ? [PHOTO] : PHOTO },
    ]);
    expect(sim.billableCount).toBe(1);
    expect(result.cost?.source).toBe('estimated');
    if (mode === 'sync') {
      expect(result.jobId).toBeUndefined();
    } else {
      expect(result.jobId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sim.jobStatus(result.jobId!)).toBe('succeeded');
    }
    expect(received(sim, 'GET /api/events')).toHaveLength(mode === 'sse' ? 1 : 0);
  });

  test('n = 6 makes six images', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode }));
    const result = await retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      n: 6,
    });
    expect(result.images).toHaveLength(6);
    expect(new Set(result.images.map((image) => image.url)).size).toBe(6);
    expect(result.cost).toEqual({ usd: 0.18, source: 'estimated' });
    if (mode === 'sync') {
      expect(received(sim, 'POST /api/ai/images/edit')).toHaveLength(6);
    } else {
      // Oxen takes at most four generations per enqueue: 6 = 4 + 2, and the job id joins all six.
      expect(
        bodies(sim, 'POST /api/ai/queue').map(
          (body) => (body as { num_generations?: number }).num_generations,
        ),
      ).toEqual([4, 2]);
      expect(result.jobId!.split(',')).toHaveLength(6);
    }
  });
});

describe('prefersJobs, polling and the default mode', () => {
  test('the queue modes hand the waiting to the dispatcher; sync does not', async () => {
    const sim = await simulator();
    const request = await normalizeEditRequest({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
    });
    expect(provider(sim).mode).toBe('sse');
    expect(provider(sim).prefersJobs(request)).toBe(true);
    expect(provider(sim, { mode: 'queue' }).prefersJobs(request)).toBe(true);
    expect(provider(sim, { mode: 'sync' }).prefersJobs(request)).toBe(false);
    // The plan's mode (the request's, else the provider's) decides.
    const sync = provider(sim, { mode: 'sync' });
    const queued = await call(sync, {
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      providerOptions: { oxen: { mode: 'queue' } },
    });
    expect(sync.prefersJobs(queued.request, queued.plan)).toBe(true);
  });

  test('pollIntervalMs, maxPollIntervalMs and events.reconcileIntervalMs are the dispatcher’s polling', async () => {
    const sim = await simulator();
    expect(createdPolling(sim, {})).toEqual({ intervalMs: 20, maxIntervalMs: 100, whileWatchedMs: 30_000 });
    expect(
      createdPolling(sim, {
        pollIntervalMs: 1234,
        maxPollIntervalMs: 5000,
        events: { reconcileIntervalMs: 777 },
      }),
    ).toEqual({ intervalMs: 1234, maxIntervalMs: 5000, whileWatchedMs: 777 });
  });

  test('a slow model neither blocks a request nor times out in the default mode', async () => {
    // The model runs 1.5 s; in sync mode a request that may wait 300 ms gives up...
    const sim = await simulator({
      jobSchedule: { queuedMs: 100, processingMs: 1_500 },
      syncEditDelayMs: 1_500,
    });
    const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };
    const sync = client(provider(sim, { mode: 'sync', syncTimeoutMs: 300 }), { retry: { maxRetries: 0 } });
    await expect(sync.edit(request)).rejects.toSatisfy(TimeoutError.isInstance);
    // ...while the default mode never holds a request open for the model: it enqueues and listens.
    const retouch = client(provider(sim, { syncTimeoutMs: 300 }));
    const started = sim.requests.length;
    const result = await retouch.edit(request);
    expect(result.images).toHaveLength(1);
    const made = sim.requests.slice(started).map((sent) => sent.route);
    expect(made).toEqual(['GET /api/ai/models/:name', 'GET /api/events', 'POST /api/ai/queue']);
  });
});

function createdPolling(
  sim: Awaited<ReturnType<typeof simulator>>,
  settings: Parameters<typeof provider>[1],
): unknown {
  return { ...provider(sim, settings).polling };
}

describe('results', () => {
  test('queue mode reads result_url and reports timings from the status row', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'queue' });
    const { jobId } = await oxen.submit(
      await call(oxen, { model: 'oxen:gpt-image-2', prompt: 'hat', images: [PHOTO] }),
    );
    const done = await settled(oxen, jobId);
    if (done.state !== 'succeeded') throw new Error(`job ${done.state}`);
    const [status] = received(sim, 'GET /api/ai/queue/:id').slice(-1);
    expect(status!.path).toBe(`/api/ai/queue/${jobId}`);
    expect(done.output.images[0]!.url).toMatch(new RegExp(`^${sim.url}/files/`));
    expect(done.output.startedAt).toBeTypeOf('number');
    expect(done.output.completedAt).toBeGreaterThanOrEqual(done.output.startedAt!);
  });

  test('responseFormat "b64_json" in a queue mode downloads the result inline', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sse' }));
    const result = await retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      providerOptions: { oxen: { responseFormat: 'b64_json' } },
    });
    expect(bodies(sim, 'POST /api/ai/queue')[0]).not.toHaveProperty('response_format');
    expect(result.images[0]!.base64).toMatch(/^iVBOR/);
    expect(result.images[0]!.url).toBeUndefined();
  });
});

describe('cost', () => {
  test.each([
    [{ model: 'oxen:qwen-image-edit' }, 0.03],
    [{ model: 'oxen:qwen-image-edit', n: 3 }, 0.09],
    [{ model: 'oxen:gpt-image-2' }, 0.6],
    [{ model: 'oxen:gpt-image-2', quality: 'low' as const, size: '1024x1024' }, 0.02],
    [{ model: 'oxen:gpt-image-2', size: '2560x1440' }, 1.47],
    [{ model: 'oxen:gpt-image-2', quality: 'auto' as const, size: '3840x2160' }, 1.47],
    [{ model: 'oxen:nano-banana-2' }, 0.1],
    [{ model: 'oxen:nano-banana-2', size: '4096x4096' }, 0.15],
  ])('is estimated from the model’s pricing before the call: %o → $%s', async (options, usd) => {
    const sim = await simulator();
    const retouch = client(provider(sim));
    expect(await retouch.estimate({ prompt: 'hat', images: [PHOTO], ...options })).toEqual({
      usd,
      source: 'estimated',
    });
    expect(sim.billableCount).toBe(0);
  });

  test('with reportCost, the billed cost is read from the generation after a queued job', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'queue', reportCost: true }));
    const result = await retouch.edit({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      images: [PHOTO],
      size: '2560x1440',
      n: 2,
    });
    expect(result.cost).toEqual({ usd: 2.94, source: 'reported' });
    const reads = received(sim, 'GET /api/ai/generations/:id').map((request) => request.path);
    expect(reads.sort()).toEqual(
      result
        .jobId!.split(',')
        .map((id) => `/api/ai/generations/${id}`)
        .sort(),
    );
  });

  test('reportCost can be asked for per request', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sse' }));
    const result = await retouch.edit({
      model: 'oxen:flux-kontext-dev',
      prompt: 'hat',
      images: [PHOTO],
      providerOptions: { oxen: { reportCost: true } },
    });
    expect(result.cost).toEqual({ usd: 0.025, source: 'reported' });
  });

  test('when the generation cannot be read, the estimate stands with a warning', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/generations/:id', kind: 'status', status: 500 }]);
    const retouch = client(provider(sim, { mode: 'queue', reportCost: true }));
    const result = await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] });
    expect(result.cost).toEqual({ usd: 0.03, source: 'estimated' });
    expect(result.warnings).toEqual([
      { type: 'other', message: expect.stringContaining('the billed cost could not be read') },
    ]);
  });
});

describe('the catalogue', () => {
  test('listModels returns the edit models with their parameters and prices', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim));
    const models = await retouch.listModels({ provider: 'oxen' });
    // The built-in table's models, one newer than the table, and the seeds' deprecated ones.
    expect(models.map((model) => model.modelId).sort()).toEqual(
      [...tableModels, 'flux-2-pro', 'gpt-image-2-edit', 'nano-banana-2-edit'].sort(),
    );
    const gpt = models.find((model) => model.modelId === 'gpt-image-2')!;
    expect(gpt).toMatchObject({
      id: 'oxen:gpt-image-2',
      provider: 'oxen',
      displayName: 'GPT Image 2',
      pricing: { method: 'per_image', perImageGridUsd: { high: { '1K': 0.25, '2K': 0.6, '4K': 1.47 } } },
      parameters: { quality: { type: 'string', enum: ['low', 'medium', 'high'], default: 'high' } },
      capabilities: {
        maxInputImages: 16,
        mask: true,
        qualities: ['low', 'medium', 'high'],
        outputFormats: ['png', 'jpeg', 'webp'],
        seed: false,
        negativePrompt: false,
      },
    });
    expect(gpt.capabilities?.sizes).toEqual(['1024x1024', '2048x2048', '4096x4096']);
    const qwen = models.find((model) => model.modelId === 'qwen-image-edit')!;
    expect(qwen.pricing).toEqual({ method: 'per_image', perImageUsd: 0.03 });
    expect(qwen.capabilities).toMatchObject({
      maxInputImages: 1,
      aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'],
    });
    // The listing carries the schemas: no per-model lookups follow.
    await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] });
    expect(received(sim, 'GET /api/ai/models/:name')).toEqual([]);
  });

  test('capabilities describe a model in neutral terms (jpg shown as jpeg)', async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    expect(await oxen.capabilities('flux-kontext-dev', context(oxen))).toMatchObject({
      maxInputImages: 1,
      mask: false,
      seed: true,
      outputFormats: ['webp', 'jpeg', 'png'],
    });
    expect(await oxen.capabilities('nano-banana-2', context(oxen))).toMatchObject({
      sizes: ['512x512', '1024x1024', '2048x2048', '4096x4096'],
    });
  });
});
