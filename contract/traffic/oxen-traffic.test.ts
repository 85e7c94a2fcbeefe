import { createRetouch, type EditRequest, type Retouch } from '@retouch/core';
import { createOxen, type OxenProviderSettings } from '@retouch/provider-oxen';
import { createTestImage, type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { grayMask } from './gray-png.ts';

/*
 * Every operation the Oxen adapter performs, once, against the simulator: the contract setup checks
 * each exchange and each streamed event against Oxen's published specs. The assertions here are only
 * that the operation did its job; naming a departure from the specs is the contract's work.
 */

let sim: OxenSimulator;
const clients: Retouch[] = [];

beforeAll(async () => {
  sim = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 20 } });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => sim.close());

/** A client over a fresh adapter: the stream is opened, and the model schema read, anew. */
function client(settings: OxenProviderSettings = {}): Retouch {
  const oxen = createOxen({
    apiKey: sim.apiKey,
    baseURL: sim.url,
    pollIntervalMs: 20,
    maxPollIntervalMs: 100,
    ...settings,
    // A job that hears nothing on the stream is read again only after 3 s: longer than an edit takes
    // here, so a stream the adapter does not understand shows, yet a run with one does not hang.
    events: { lingerMs: 50, reconcileIntervalMs: 3_000, ...settings.events },
  });
  const retouch = createRetouch({ providers: [oxen] });
  clients.push(retouch);
  return retouch;
}

const picture = createTestImage({ width: 8, height: 8 });
const mask = grayMask({ width: 8, height: 8, white: (x) => x < 4 });
const edit = (request: Partial<EditRequest> = {}): EditRequest => ({
  model: 'oxen:gpt-image-2',
  prompt: 'Put a hat on it',
  images: ['https://images.example.com/a.png'],
  ...request,
});

describe('sync edits: POST /api/ai/images/edit', () => {
  test('URL input, mask, size tier, quality and format; the model schema read first', async () => {
    const result = await client({ mode: 'sync' }).edit(
      edit({ mask, size: '2048x2048', quality: 'low', outputFormat: 'jpeg', aspectRatio: '1:1' }),
    );
    expect(result.images).toHaveLength(1);
  });

  test('a local picture as a data: URI, results inline (b64_json)', async () => {
    const result = await client({ mode: 'sync' }).edit(
      edit({
        model: 'oxen:qwen-image-edit',
        images: [picture],
        providerOptions: { oxen: { responseFormat: 'b64_json' } },
      }),
    );
    expect((await result.images[0]!.bytes()).length).toBeGreaterThan(0);
  });
});

describe('queued edits: POST /api/ai/queue, then its status', () => {
  test('polled, two generations, their billed cost read back', async () => {
    const result = await client({ mode: 'queue', reportCost: true }).edit(
      edit({ model: 'oxen:flux-kontext-dev', n: 2, seed: 7, outputFormat: 'png' }),
    );
    expect(result.images).toHaveLength(2);
    expect(result.cost?.source).toBe('reported');
  });

  test('told of completion by the event stream', async () => {
    const result = await client({ mode: 'sse' }).edit(
      edit({ model: 'oxen:qwen-image-edit-plus', images: [picture, picture] }),
    );
    expect(result.images).toHaveLength(1);
  });

  test('a failed generation, heard on the stream', async () => {
    sim.setFaults([
      { route: 'POST /api/ai/queue', kind: 'job-fails', message: 'Insufficient credits', times: 1 },
    ]);
    const error = await client({ mode: 'sse' })
      .edit(edit({ model: 'oxen:xai-grok-imagine-image-edit' }))
      .catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/Insufficient credits/);
  });

  test('a job cancelled: DELETE /api/ai/queue/{id}', async () => {
    const slow = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 30_000 } });
    try {
      const oxen = createOxen({ apiKey: slow.apiKey, baseURL: slow.url, mode: 'queue', pollIntervalMs: 20 });
      const retouch = createRetouch({ providers: [oxen] });
      clients.push(retouch);
      const job = await retouch.submit(edit());
      await job.cancel();
      expect(slow.jobStatus(job.providerJobId!)).toBe('cancelled');
    } finally {
      await slow.close();
    }
  });
});

describe("Oxen's own records: GET /api/ai/queue and GET /api/ai/generations", () => {
  test('a queued edit whose answer was lost, found again in both listings', async () => {
    sim.setFaults([{ route: 'POST /api/ai/queue', kind: 'reset-after-body', times: 1 }]);
    const result = await client({ mode: 'queue' }).edit(edit({ prompt: 'A lost enqueue, found again' }));
    expect(result.images).toHaveLength(1);
  });

  test('a sync edit whose answer was lost, taken from the history', async () => {
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'error-after-billing', times: 1 }]);
    const result = await client({ mode: 'sync' }).edit(edit({ prompt: 'A lost sync edit, found again' }));
    expect(result.images).toHaveLength(1);
  });

  test('what Oxen billed over a time range, every page', async () => {
    const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url });
    const billed = await oxen.listBilledGenerations({ from: Date.now() - 60_000 });
    expect(billed.generations.length).toBeGreaterThan(0);
  });
});

describe('the catalogue and refusals', () => {
  test('models listed: GET /api/ai/models', async () => {
    const models = await client().listModels({ provider: 'oxen' });
    expect(models.map((model) => model.modelId)).toContain('qwen-image-edit');
  });

  test('a wrong key is refused with a documented error body', async () => {
    const oxen = createOxen({ apiKey: 'not-the-key', baseURL: sim.url, mode: 'sync' });
    const retouch = createRetouch({ providers: [oxen] });
    clients.push(retouch);
    const error = await retouch.edit(edit()).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/401|nauthenticated|key/);
  });

  test('an unknown model is refused with a documented error body', async () => {
    const error = await client({ mode: 'sync' })
      .edit(edit({ model: 'oxen:no-such-model' }))
      .catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/no-such-model/);
  });
});
