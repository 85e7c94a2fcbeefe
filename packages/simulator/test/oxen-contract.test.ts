import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../src/index.ts';
import { simulatedEditFor } from '../src/shared/image-transform.ts';
import { decodePng } from '../src/shared/png.ts';
import { eventually, readEvents, samplePng, sleep, startImageServer } from './helpers.ts';

// The exact request bodies of the seeds' examples.
const seed000Basic = {
  model: 'qwen-image-edit',
  prompt: 'Make the background blue',
  input_image: 'https://example.com/my-photo.jpg',
};
const seed000MultiImage = {
  model: 'gpt-image-2',
  prompt: 'Combine these references into a single scene',
  input_image: ['https://example.com/reference-a.png', 'https://example.com/reference-b.png'],
};
const seed002Minimal = {
  model: 'gpt-image-2',
  prompt:
    'Place the subject on the surface of the moon with Earth rising in the background, photorealistic, cinematic lighting.',
  input_image: ['https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png'],
};
// Seed 002 documented gpt-image-2-edit (page removed July 2026); the current gpt-image-2 page's
// "All parameters" example (2026-08-08) uses resolution tiers and an aspect ratio.
const seed002AllParameters = {
  ...seed002Minimal,
  aspect_ratio: '16:9',
  resolution: '2K',
  quality: 'high',
  output_format: 'png',
};
const seed003Minimal = {
  model: 'qwen-image-edit',
  prompt: 'Add a funny hat',
  input_image:
    'https://hub.oxen.ai/api/repos/ox/Oxen-Character-Simple-Vector-Graphic/file/main/images/reference/bloxy_white_bg.png',
};
const seed003AllParameters = { ...seed003Minimal, aspect_ratio: '16:9' };

let sim: OxenSimulator;

beforeEach(async () => {
  sim = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 20 }, keepAliveIntervalMs: 20 });
});
afterEach(async () => {
  await sim.close();
});

function headers(): Record<string, string> {
  return { 'Content-Type': 'application/json', Authorization: `Bearer ${sim.apiKey}` };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${sim.apiKey}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function waitForTerminal(id: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const { json } = await get(`/api/ai/queue/${id}`);
    return ['succeeded', 'failed', 'cancelled'].includes(json.status as string) ? json : undefined;
  });
}

describe('seed 000: POST /api/ai/images/edit', () => {
  it.each([
    ['basic edit', seed000Basic],
    ['multi-image input', seed000MultiImage],
  ])('accepts the %s example and answers {model, created, images[{url}]}', async (_name, body) => {
    const { status, json } = await post('/api/ai/images/edit', body);
    expect(status).toBe(200);
    expect(json).toEqual({
      model: body.model,
      created: expect.any(Number),
      images: [{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.png\?/) }],
    });
    const image = await fetch((json.images as { url: string }[])[0]!.url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(decodePng(new Uint8Array(await image.arrayBuffer()))).toBeDefined();
    expect(sim.billableCount).toBe(1);
    expect(sim.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/ai/images/edit',
      body,
      billable: true,
    });
  });

  it('answers b64_json items when asked', async () => {
    const { status, json } = await post('/api/ai/images/edit', {
      ...seed000Basic,
      response_format: 'b64_json',
    });
    expect(status).toBe(200);
    const [item] = json.images as { b64_json: string; url?: string }[];
    expect(item!.url).toBeUndefined();
    expect(decodePng(Buffer.from(item!.b64_json, 'base64'))).toBeDefined();
  });

  it("returns the model's look of a PNG input: qwen-image-edit inverts it", async () => {
    const input = samplePng();
    const dataUrl = `data:image/png;base64,${input.toString('base64')}`;
    const { json } = await post('/api/ai/images/edit', {
      ...seed003Minimal,
      input_image: dataUrl,
      response_format: 'b64_json',
    });
    const output = decodePng(Buffer.from((json.images as { b64_json: string }[])[0]!.b64_json, 'base64'))!;
    const original = decodePng(input)!;
    expect([output.width, output.height]).toEqual([original.width, original.height]);
    expect(simulatedEditFor({ model: 'qwen-image-edit', prompt: seed003Minimal.prompt }).edit).toBe('invert');
    expect(output.pixels.map((value, index) => (index % 4 === 3 ? value : 255 - value))).toEqual(
      original.pixels,
    );
  });

  it('gives the same input another look on another model, the same one every time', async () => {
    const dataUrl = `data:image/png;base64,${samplePng().toString('base64')}`;
    const edit = async (model: string) => {
      const { json } = await post('/api/ai/images/edit', {
        model,
        prompt: 'Add a funny hat',
        input_image: model === 'qwen-image-edit' ? dataUrl : [dataUrl],
        response_format: 'b64_json',
      });
      return Buffer.from((json.images as { b64_json: string }[])[0]!.b64_json, 'base64');
    };
    const qwen = await edit('qwen-image-edit');
    const gpt = await edit('gpt-image-2');
    expect(qwen.equals(gpt)).toBe(false);
    expect((await edit('gpt-image-2')).equals(gpt)).toBe(true);
  });

  it('documented error: an input URL it cannot download gives "403 Client Error: Forbidden for url"', async () => {
    const images = await startImageServer({ '/private.png': { status: 403 } });
    try {
      const url = `${images.url}/private.png`;
      const { status, json } = await post('/api/ai/images/edit', { ...seed000Basic, input_image: url });
      expect(status).toBe(400);
      expect(JSON.stringify(json)).toContain(`403 Client Error: Forbidden for url: ${url}`);
      expect(json).toMatchObject({
        status: 'error',
        status_message: 'invalid_params',
        error: { type: 'invalid_params' },
      });
      expect(sim.billableCount).toBe(0);
    } finally {
      await images.close();
    }
  });

  it('documented error: unknown model gives "Model not found: <name>"', async () => {
    const { status, json } = await post('/api/ai/images/edit', { ...seed000Basic, model: 'bad-model-name' });
    expect(status).toBe(404);
    expect(json).toEqual({ error: { message: 'Model not found: bad-model-name' } });
  });

  it('rejects a bad model parameter at request time with invalid_params', async () => {
    const { status, json } = await post('/api/ai/images/edit', { ...seed003Minimal, aspect_ratio: '5:1' });
    expect(status).toBe(400);
    expect(json).toEqual({
      error: {
        type: 'invalid_params',
        title: 'Invalid parameters',
        detail: expect.stringContaining('aspect_ratio'),
      },
      status: 'error',
      status_message: 'invalid_params',
    });
    expect(sim.billableCount).toBe(0);
  });

  it('follows each model schema: an array for a string model is refused', async () => {
    const { status } = await post('/api/ai/images/edit', {
      ...seed003Minimal,
      input_image: [seed003Minimal.input_image],
    });
    expect(status).toBe(400);
  });
});

describe('seeds 002 and 003: sync, async queue and SSE', () => {
  it.each([
    ['002 minimal', seed002Minimal],
    ['002 all parameters', seed002AllParameters],
    ['003 minimal', seed003Minimal],
    ['003 all parameters', seed003AllParameters],
  ])('sync %s is accepted', async (_name, body) => {
    const { status, json } = await post('/api/ai/images/edit', body);
    expect(status).toBe(200);
    expect((json.images as unknown[]).length).toBe(1);
  });

  it.each([
    ['002 minimal', seed002Minimal],
    ['002 all parameters', seed002AllParameters],
    ['003 minimal', seed003Minimal],
    ['003 all parameters', seed003AllParameters],
  ])('async %s: enqueue, then poll to a terminal status with the documented fields', async (_name, body) => {
    const enqueue = await post('/api/ai/queue', body);
    expect(enqueue.status).toBe(200);
    expect(enqueue.json).toEqual({ generations: [{ generation_id: expect.any(String), status: 'queued' }] });
    const id = (enqueue.json.generations as { generation_id: string }[])[0]!.generation_id;
    const first = await get(`/api/ai/queue/${id}`);
    expect(['queued', 'processing']).toContain(first.json.status);
    const done = await waitForTerminal(id);
    expect(done).toMatchObject({
      generation_id: id,
      model_name: body.model,
      prompt: body.prompt,
      media_type: 'image',
      status: 'succeeded',
      result_url: expect.stringContaining('/files/'),
      error_message: null,
      enqueued_at: expect.any(Number),
      started_at: expect.any(Number),
      completed_at: expect.any(Number),
      input_image: body.input_image,
    });
    expect((await fetch(done.result_url as string)).status).toBe(200);
    expect(sim.billableCount).toBe(1);
  });

  it('async with SSE: subscribe first, enqueue, receive media_generation_completed among other events', async () => {
    const stream = await fetch(`${sim.url}/api/events`, {
      headers: { Authorization: `Bearer ${sim.apiKey}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const events = readEvents(stream);
    const enqueue = await post('/api/ai/queue', seed003Minimal);
    const id = (enqueue.json.generations as { generation_id: string }[])[0]!.generation_id;
    const completed = await events.waitFor(
      (event) => event.event === 'media_generation_completed' && event.data?.includes(id) === true,
    );
    const data = JSON.parse(completed.data!) as Record<string, unknown>;
    expect(data).toEqual({
      generation_id: id,
      status: 'succeeded',
      media_type: 'image',
      model: 'qwen-image-edit',
      url: expect.stringContaining('/files/'),
    });
    await events.waitFor((event) => event.comment === 'keep-alive');
    expect(
      events.events.some(
        (event) => event.event !== undefined && event.event !== 'media_generation_completed',
      ),
    ).toBe(true);
    expect(sim.counters.eventStreamsOpened).toBe(1);
    await events.stop();
  });

  it('a bad model parameter passes enqueue and fails the job with error_message (and a failed event)', async () => {
    const stream = await fetch(`${sim.url}/api/events`, {
      headers: { Authorization: `Bearer ${sim.apiKey}` },
    });
    const events = readEvents(stream);
    const enqueue = await post('/api/ai/queue', { ...seed003Minimal, aspect_ratio: 'banana' });
    expect(enqueue.status).toBe(200);
    const id = (enqueue.json.generations as { generation_id: string }[])[0]!.generation_id;
    const done = await waitForTerminal(id);
    expect(done).toMatchObject({
      status: 'failed',
      result_url: null,
      error_message: expect.stringContaining('aspect_ratio'),
    });
    const event = await events.waitFor((received) => received.event === 'media_generation_completed');
    expect(JSON.parse(event.data!)).toEqual({
      generation_id: id,
      status: 'failed',
      media_type: 'image',
      error: done.error_message,
    });
    await events.stop();
  });

  it('checks the model and num_generations at enqueue', async () => {
    expect(await post('/api/ai/queue', { ...seed003Minimal, model: 'bad-model-name' })).toEqual({
      status: 404,
      json: { error: { message: 'Model not found: bad-model-name' } },
    });
    const tooMany = await post('/api/ai/queue', { ...seed003Minimal, num_generations: 5 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({
      status_message: 'invalid_params',
      error: { type: 'invalid_params' },
    });
    const textModel = await post('/api/ai/queue', { model: 'gpt-oss-120b', prompt: 'hi' });
    expect(textModel.status).toBe(400);
    const four = await post('/api/ai/queue', { ...seed003Minimal, num_generations: 4 });
    expect((four.json.generations as unknown[]).length).toBe(4);
    expect(sim.billableCount).toBe(1);
  });

  it('unknown generation id gives 404 resource_not_found', async () => {
    const { status, json } = await get('/api/ai/queue/00000000-0000-4000-8000-000000000000');
    expect(status).toBe(404);
    expect(json).toMatchObject({
      status: 'error',
      status_message: 'resource_not_found',
      error: { type: 'resource_not_found' },
    });
  });
});

describe('queue lifecycle', () => {
  it('moves queued → processing → succeeded on the configured schedule', async () => {
    await sim.close();
    sim = await startOxenSimulator({ jobSchedule: { queuedMs: 800, processingMs: 800 } });
    const { json } = await post('/api/ai/queue', seed003Minimal);
    const id = (json.generations as { generation_id: string }[])[0]!.generation_id;
    const seen = new Set<string>();
    expect(sim.jobStatus(id)).toBe('queued');
    await eventually(async () => {
      const status = (await get(`/api/ai/queue/${id}`)).json.status as string;
      seen.add(status);
      return status === 'succeeded' ? status : undefined;
    });
    expect([...seen]).toEqual(['queued', 'processing', 'succeeded']);
  });

  it('a schedule function sees each job', async () => {
    await sim.close();
    const seen: string[] = [];
    sim = await startOxenSimulator({
      jobSchedule: (job) => {
        seen.push(`${job.model}#${job.index}`);
        return { queuedMs: 0, processingMs: 1 };
      },
    });
    await post('/api/ai/queue', { ...seed003Minimal, num_generations: 2 });
    expect(seen).toEqual(['qwen-image-edit#0', 'qwen-image-edit#1']);
  });

  it('lists active jobs, filters by status, cancels, and sends no event for a cancelled job', async () => {
    await sim.close();
    // The job runs long enough for the listing and the cancel to reach it on a busy machine; the wait
    // below outlasts it, so a cancelled job that still finished would send its event in time to be seen.
    const processingMs = 1_000;
    sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs }, keepAliveIntervalMs: 20 });
    const stream = await fetch(`${sim.url}/api/events`, {
      headers: { Authorization: `Bearer ${sim.apiKey}` },
    });
    const events = readEvents(stream);
    const enqueuedAt = Date.now();
    const { json } = await post('/api/ai/queue', seed003Minimal);
    const id = (json.generations as { generation_id: string }[])[0]!.generation_id;
    const active = await get('/api/ai/queue');
    expect(active.json).toMatchObject({ count: 1, generations: [{ generation_id: id }] });

    const cancel = await fetch(`${sim.url}/api/ai/queue/${id}`, { method: 'DELETE', headers: headers() });
    expect(await cancel.json()).toEqual({ status: 'success', generation_id: id });
    expect((await get(`/api/ai/queue/${id}`)).json.status).toBe('cancelled');
    expect((await get('/api/ai/queue')).json.count).toBe(0);
    expect((await get('/api/ai/queue?status=cancelled')).json.count).toBe(1);

    await sleep(enqueuedAt + processingMs + 250 - Date.now());
    expect(events.events.some((event) => event.event === 'media_generation_completed')).toBe(false);
    expect((await get(`/api/ai/queue/${id}`)).json.status).toBe('cancelled');
    const missing = await fetch(`${sim.url}/api/ai/queue/nope`, { method: 'DELETE', headers: headers() });
    expect(missing.status).toBe(404);
    await events.stop();
  });

  it('cancelling a finished job has no effect', async () => {
    const { json } = await post('/api/ai/queue', seed003Minimal);
    const id = (json.generations as { generation_id: string }[])[0]!.generation_id;
    await waitForTerminal(id);
    const cancel = await fetch(`${sim.url}/api/ai/queue/${id}`, { method: 'DELETE', headers: headers() });
    expect(cancel.status).toBe(200);
    expect((await get(`/api/ai/queue/${id}`)).json.status).toBe('succeeded');
  });

  it('a late subscriber gets no replay of earlier completions', async () => {
    const { json } = await post('/api/ai/queue', seed003Minimal);
    const id = (json.generations as { generation_id: string }[])[0]!.generation_id;
    await waitForTerminal(id);
    const stream = await fetch(`${sim.url}/api/events`, {
      headers: { Authorization: `Bearer ${sim.apiKey}` },
    });
    const events = readEvents(stream);
    await events.waitFor((event) => event.comment === 'keep-alive');
    await events.waitFor((event) => event.comment === 'keep-alive' && events.events.length > 2);
    expect(events.events.some((event) => event.event === 'media_generation_completed')).toBe(false);
    await events.stop();
  });

  it('GET /api/ai/generations/{id} carries cost as a decimal string', async () => {
    const { json } = await post('/api/ai/queue', seed002AllParameters);
    const id = (json.generations as { generation_id: string }[])[0]!.generation_id;
    await waitForTerminal(id);
    const generation = await get(`/api/ai/generations/${id}`);
    expect(generation.json).toMatchObject({
      status: 'success',
      status_message: 'resource_found',
      generation: { id, status: 'succeeded', cost: '0.6000' },
    });
    const history = await get('/api/ai/generations?page=1&page_size=10');
    expect(history.json).toMatchObject({ total_cost: '0.6000', generations: [{ id }] });
  });
});

describe('models', () => {
  it('serves Model objects whose id is the name, with request_schema and pricing', async () => {
    const list = await get('/api/ai/models');
    expect(list.json.object).toBe('list');
    const ids = (list.json.data as { id: string }[]).map((model) => model.id);
    for (const id of [
      'qwen-image-edit',
      'qwen-image-edit-plus',
      'qwen-image-edit-2511',
      'gpt-image-2',
      'nano-banana-2',
      'xai-grok-imagine-image-edit',
      'flux-kontext-dev',
      'flux-2-pro',
    ]) {
      expect(ids).toContain(id);
    }
    // Oxen removed these pages in July 2026; the seeds name them, so they are served, marked deprecated.
    for (const id of ['gpt-image-2-edit', 'nano-banana-2-edit']) {
      const entry = (list.json.data as { id: string; deprecated?: boolean }[]).find(
        (model) => model.id === id,
      );
      expect(entry).toMatchObject({
        deprecated: true,
        deprecation_message: expect.stringContaining('July 2026'),
      });
    }
    const edits = await get('/api/ai/models?action=edit');
    expect((edits.json.data as unknown[]).length).toBe(10);
    const model = await get('/api/ai/models/gpt-image-2');
    expect(model.json).toMatchObject({
      id: 'gpt-image-2',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'oxen',
      capabilities: { output: ['image'] },
      pricing: { method: 'per_image', cost_per_image_grid: { high: { '4K': 1.47 } } },
      request_schema: {
        required: ['prompt'],
        properties: {
          input_image: { type: 'array' },
          resolution: { enum: ['1K', '2K', '4K'], default: '2K' },
          output_format: { enum: ['png', 'jpeg', 'webp'], default: 'png' },
          quality: { enum: ['low', 'medium', 'high'], default: 'high' },
          mask_url: { format: 'uri' },
        },
      },
    });
    expect(model.json).not.toHaveProperty('name');
    const missing = await get('/api/ai/models/bad-model-name');
    expect(missing).toEqual({ status: 404, json: { error: { message: 'Model not found: bad-model-name' } } });
  });
});

describe('results', () => {
  it('result URLs expire', async () => {
    await sim.close();
    sim = await startOxenSimulator({ resultTtlMs: 80 });
    const { json } = await post('/api/ai/images/edit', seed000Basic);
    const url = (json.images as { url: string }[])[0]!.url;
    expect((await fetch(url)).status).toBe(200);
    await sleep(120);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    const forged = await fetch(url.replace(/signature=[0-9a-f]/, 'signature=x'));
    expect(forged.status).toBe(403);
  });

  it('an input URL served by the simulator itself is read back', async () => {
    const dataUrl = `data:image/png;base64,${samplePng().toString('base64')}`;
    const first = await post('/api/ai/images/edit', { ...seed003Minimal, input_image: dataUrl });
    const url = (first.json.images as { url: string }[])[0]!.url;
    const second = await post('/api/ai/images/edit', {
      ...seed003Minimal,
      input_image: url,
      response_format: 'b64_json',
    });
    const twiceInverted = decodePng(
      Buffer.from((second.json.images as { b64_json: string }[])[0]!.b64_json, 'base64'),
    )!;
    expect(twiceInverted.pixels).toEqual(decodePng(samplePng())!.pixels);
  });
});
