import { createHash } from 'node:crypto';
import { ApiCallError, createRetouch, InvalidRequestError, UnsupportedFeatureError } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { editWith, type ImageHost, pngBytes, requestsTo, retouchEdit, startImageHost } from './helpers.ts';

const EDITS = 'POST /v3/images/edits';
const picture = pngBytes({ width: 5, height: 5 });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let sim: EdenAISimulator;
let host: ImageHost;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
  host = await startImageHost({
    '/photo.png': { body: picture },
    '/page.html': { body: '<html></html>', contentType: 'text/html' },
  });
});
afterAll(async () => {
  await sim.close();
  await host.close();
});
beforeEach(() => {
  sim.clearRequests();
  host.requests.length = 0;
});

describe('openai/gpt-image-* with a remote URL', () => {
  test('auto: downloaded (without the key) and sent as a file part, with a warning', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [`${host.url}/photo.png?token=signed`],
    });
    const body = requestsTo(sim, EDITS)[0]!.body as RecordedMultipartBody;
    expect(body.files).toEqual([expect.objectContaining({ name: 'image[]', sha256: sha256(picture) })]);
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(host.requests)).not.toContain(sim.apiKey);
    expect(output.warnings).toEqual([
      {
        type: 'other',
        message: `images.0: openai/gpt-image-2 does not take remote image URLs, so ${host.url}/photo.png was downloaded and sent as a file`,
      },
    ]);
  });

  test('json: sent as a data: URL', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-1',
      prompt: 'x',
      images: [`${host.url}/photo.png`],
      mask: `${host.url}/photo.png`,
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'openai/gpt-image-1',
      prompt: 'x',
      images: [{ image_url: `data:image/png;base64,${Buffer.from(picture).toString('base64')}` }],
      mask: { image_url: `data:image/png;base64,${Buffer.from(picture).toString('base64')}` },
    });
  });

  test('a URL that cannot be downloaded fails before any edit, marked as not processed', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const error = await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [`${host.url}/missing.png`],
    }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, provablyNotProcessed: true });
    expect((error as Error).message).toContain('images.0: openai/gpt-image-2 does not take remote URLs');
    expect(sim.requests).toHaveLength(0);
  });

  test('a URL that serves no image is a request error naming the field', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const error = await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture, `${host.url}/page.html`],
    }).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).issues[0]!.path).toBe('images.1');
    expect(sim.requests).toHaveLength(0);
  });

  test('other models get the URL itself: Eden fetches it', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    await retouchEdit(provider, {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/photo.png'],
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toMatchObject({
      images: [{ image_url: 'https://images.example.com/photo.png' }],
    });
    expect(host.requests).toHaveLength(0);
  });
});

describe('model family rules on the wire', () => {
  const provider = () => createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });

  test('gpt-image: an aspect ratio becomes its size; seed is dropped with a warning', async () => {
    const output = await retouchEdit(provider(), {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [`${host.url}/photo.png`],
      aspectRatio: '3:2',
      seed: 5,
    });
    expect((requestsTo(sim, EDITS)[0]!.body as RecordedMultipartBody).fields).toEqual({
      model: 'openai/gpt-image-2',
      prompt: 'x',
      size: '1536x1024',
    });
    expect(output.warnings).toContainEqual(
      expect.objectContaining({ type: 'unsupported-option', option: 'seed' }),
    );
  });

  test('google: the aspect ratio travels in size, the mask is dropped, url results are downloadable', async () => {
    const output = await retouchEdit(provider(), {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
      mask: 'https://images.example.com/m.png',
      aspectRatio: '16:9',
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'google/gemini-2.5-flash-image',
      prompt: 'x',
      images: [{ image_url: 'https://images.example.com/a.png' }],
      size: '16:9',
    });
    expect(output.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'mask' }),
    ]);
    expect(output.images[0]!.url).toMatch(new RegExp(`^${sim.url}/`));
    expect(output.images[0]!.mediaType).toBe('image/png');
    expect((await output.images[0]!.bytes()).subarray(0, 4)).toEqual(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    );
    expect(output.usage).toBeUndefined();
    expect(output.upstreamProvider).toBe('google');
  });

  test('other models: aspect_ratio, seed and negative_prompt are forwarded as extra fields', async () => {
    const output = await retouchEdit(provider(), {
      model: 'edenai:bfl/flux-kontext-max',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
      aspectRatio: '4:3',
      seed: 9,
      negativePrompt: 'blur',
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'bfl/flux-kontext-max',
      prompt: 'x',
      images: [{ image_url: 'https://images.example.com/a.png' }],
      aspect_ratio: '4:3',
      seed: 9,
      negative_prompt: 'blur',
    });
    expect(output.warnings).toEqual([]);
  });

  test('strict: the client refuses an option the model lacks before any request, in the one core message', async () => {
    const request = {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
      seed: 1,
    };
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url })],
      strict: true,
    });
    try {
      const error = await retouch.edit(request).catch((caught: unknown) => caught);
      expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        provider: 'edenai',
        model: 'google/gemini-2.5-flash-image',
        feature: 'seed',
      });
      expect((error as Error).message).toBe(
        'edenai:google/gemini-2.5-flash-image cannot honour "seed" exactly: google/gemini-2.5-flash-image takes no seed; seed was not sent. Strict mode refuses an option the model would drop or adjust: remove "seed", pick a model that takes it, or turn strict off.',
      );
      expect(sim.requests).toHaveLength(0);
    } finally {
      await retouch.close();
    }
    // Without strict, the same request is sent, with the warning naming the neutral option.
    const result = await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url }), request);
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'seed' }),
    ]);
  });
});

describe('models, prices and capabilities', () => {
  test('listModels: image-edit models only, with their per-image prices', async () => {
    const retouch = createRetouch({ providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url })] });
    try {
      const models = await retouch.listModels({ provider: 'edenai' });
      expect(models.map((model) => model.id)).toEqual([
        'edenai:openai/gpt-image-2',
        'edenai:openai/gpt-image-1',
        'edenai:openai/gpt-image-1-mini',
        'edenai:google/gemini-2.5-flash-image',
        'edenai:bfl/flux-kontext-pro',
        'edenai:bfl/flux-kontext-max',
      ]);
      expect(models[0]).toMatchObject({
        provider: 'edenai',
        modelId: 'openai/gpt-image-2',
        displayName: 'gpt-image-2',
        pricing: { perImageUsd: 0.053 },
        capabilities: { sizes: ['auto', '1024x1024', '1536x1024', '1024x1536'] },
      });
      expect(models[4]!.capabilities).toBeUndefined();
      expect(requestsTo(sim, 'GET /v3/models')).toHaveLength(1);
    } finally {
      await retouch.close();
    }
  });

  test('estimates: price × n from the (cached) list, undefined when unpriced', async () => {
    const retouch = createRetouch({ providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url })] });
    try {
      const estimate = (model: string, n?: number) =>
        retouch.estimate({
          model,
          prompt: 'x',
          images: ['https://images.example.com/a.png'],
          ...(n ? { n } : {}),
        });
      expect(await estimate('edenai:openai/gpt-image-2', 3)).toEqual({ usd: 0.159, source: 'estimated' });
      expect(await estimate('edenai:bfl/flux-kontext-pro')).toEqual({ usd: 0.04, source: 'estimated' });
      expect(await estimate('edenai:someone/unknown-model')).toBeUndefined();
      // n as the plan has it: lowered to the model's maximum (4 for Gemini), not as asked.
      expect(await estimate('edenai:google/gemini-2.5-flash-image', 6)).toEqual({
        usd: 0.156,
        source: 'estimated',
      });
      expect(requestsTo(sim, 'GET /v3/models')).toHaveLength(1);
    } finally {
      await retouch.close();
    }
  });

  test('a caller that gives up stops waiting for the shared model list; the others still get it', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const impatient = new AbortController();
    const first = provider.listModels({ http: provider.http, signal: impatient.signal });
    const second = provider.listModels({ http: provider.http, signal: new AbortController().signal });
    impatient.abort(new Error('gave up'));
    await expect(first).rejects.toThrow('gave up');
    expect((await second).length).toBeGreaterThan(0);
    expect(requestsTo(sim, 'GET /v3/models')).toHaveLength(1);
  });

  test('capabilities: known families described, other models unknown, without a request', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const context = { http: provider.http, signal: new AbortController().signal };
    expect(await provider.capabilities!('openai/gpt-image-1', context)).toMatchObject({
      mask: true,
      qualities: ['auto', 'low', 'medium', 'high'],
      seed: false,
    });
    expect(await provider.capabilities!('google/gemini-2.5-flash-image', context)).toMatchObject({
      mask: false,
    });
    expect(await provider.capabilities!('bfl/flux-kontext-pro', context)).toBeUndefined();
    expect(sim.requests).toHaveLength(0);
  });
});
