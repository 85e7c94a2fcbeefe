import { createHash } from 'node:crypto';
import {
  ApiCallError,
  BudgetExceededError,
  createRetouch,
  InvalidRequestError,
  UnsupportedFeatureError,
} from '@retouch/core';
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
      // The mask is converted to Eden's form (edenai-mask.test.ts), so its bytes differ from the download.
      mask: { image_url: expect.stringMatching(/^data:image\/png;base64,/) },
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

  test("google: the aspect ratio travels as Google's pixel size, the mask is dropped, url results are downloadable", async () => {
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
      size: '1344x768',
    });
    // Eden documents no aspect-ratio field for Gemini edits: the size sent for the ratio is a warning.
    expect(output.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'mask' }),
      expect.objectContaining({
        type: 'adjusted-option',
        option: 'aspectRatio',
        from: '16:9',
        to: '1344x768',
      }),
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
  /** A client over a fresh adapter: the catalogue is read through its lane. */
  const listed = async () => {
    const retouch = createRetouch({ providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url })] });
    try {
      return await retouch.listModels({ provider: 'edenai' });
    } finally {
      await retouch.close();
    }
  };

  test('listModels: GET /v3/images/models in the documented shape, image-edit models only, priced', async () => {
    const models = await listed();
    // No chat model (gpt-4o-mini) and no generation-only model (imagen-4.0-generate-001).
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
      // Token-priced in the catalogue: Eden's published per-image price (edenai-prices.ts).
      pricing: { perImageUsd: 0.053 },
      capabilities: { sizes: ['auto', '1024x1024', '1536x1024', '1024x1536'] },
    });
    // Priced per image in the catalogue itself.
    expect(models[3]!.pricing).toEqual({ perImageUsd: 0.039 });
    expect(models[4]!.capabilities).toBeUndefined();
    // Neither in the catalogue nor in the table.
    expect(models[5]!.pricing).toBeUndefined();
    expect(requestsTo(sim, 'GET /v3/images/models')).toHaveLength(1);
    expect(requestsTo(sim, 'GET /v3/models')).toHaveLength(0);
  });

  test('listModels: GET /v3/models where the image listing is not served', async () => {
    sim.setFaults([{ route: 'GET /v3/images/models', kind: 'status', status: 404 }]);
    const models = await listed();
    expect(models.map((model) => model.modelId)).toContain('google/gemini-2.5-flash-image');
    expect(models.map((model) => model.modelId)).not.toContain('openai/gpt-4o-mini');
    expect(requestsTo(sim, 'GET /v3/models')).toHaveLength(1);
    sim.setFaults([]);
  });

  test('a caller that gives up stops waiting for the shared model list; the others still get it', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const impatient = new AbortController();
    const first = provider.listModels({ http: provider.http, signal: impatient.signal });
    const second = provider.listModels({ http: provider.http, signal: new AbortController().signal });
    impatient.abort(new Error('gave up'));
    await expect(first).rejects.toThrow('gave up');
    expect((await second).length).toBeGreaterThan(0);
  });

  test('capabilities: known families described, other models unknown, without a request', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [provider] });
    const estimate = (model: string, n?: number) =>
      retouch.estimate({
        model,
        prompt: 'x',
        images: ['https://images.example.com/a.png'],
        ...(n ? { n } : {}),
      });
    expect(await estimate('edenai:openai/gpt-image-2', 3)).toEqual({ usd: 0.159, source: 'estimated' });
    expect(await estimate('edenai:google/gemini-2.5-flash-image')).toEqual({
      usd: 0.039,
      source: 'estimated',
    });
    expect(await estimate('edenai:bfl/flux-kontext-pro')).toEqual({ usd: 0.04, source: 'estimated' });
    expect(await estimate('edenai:bfl/flux-kontext-max')).toBeUndefined();
    expect(await estimate('edenai:someone/unknown-model')).toBeUndefined();
    expect(requestsTo(sim, 'GET /v3/images/models')).toHaveLength(1);
    await retouch.close();
  });

  test('a budget cap: an edit on a listed model goes through with an estimated cost; an unpriced one is refused', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [provider], budget: { maxUsd: 1 } });
    try {
      const result = await retouch.edit({
        model: 'edenai:openai/gpt-image-1-mini',
        prompt: 'x',
        images: [pngBytes({ width: 4, height: 4 })],
      });
      expect(result.cost).toEqual({ usd: 0.011, source: 'reported' });
      expect(retouch.stats().spentUsd).toBe(0.011);
      const refused = await retouch
        .edit({
          model: 'edenai:bfl/flux-kontext-max',
          prompt: 'x',
          images: ['https://images.example.com/a.png'],
        })
        .catch((caught: unknown) => caught);
      expect(BudgetExceededError.isInstance(refused)).toBe(true);
      expect((refused as Error).message).toMatch(/cannot be estimated \(no published price\)/);
      expect(requestsTo(sim, EDITS)).toHaveLength(1);
    } finally {
      await retouch.close();
    }
  });

  test('a catalogue that cannot be read: a model of the published table is estimated from it, not refused', async () => {
    sim.setFaults([{ route: 'GET /v3/images/models', kind: 'status', status: 503 }]);
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [provider], budget: { maxUsd: 1 } });
    try {
      const result = await retouch.edit({
        model: 'edenai:openai/gpt-image-1-mini',
        prompt: 'x',
        images: [pngBytes({ width: 4, height: 4 })],
      });
      expect(result.images).toHaveLength(1);
      // Read, and sent again after each 503, before the published price stood in.
      expect(requestsTo(sim, 'GET /v3/images/models')).toHaveLength(3);
      expect(requestsTo(sim, EDITS)).toHaveLength(1);
    } finally {
      sim.setFaults([]);
      await retouch.close();
    }
  });

  test('when Eden reports no cost, the result carries the estimate, marked estimated', async () => {
    const provider = createEdenAI({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      // Eden's answer without its cost field.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input instanceof Request ? input.url : input).endsWith('/v3/images/edits'))
          return response;
        const { cost: _cost, ...rest } = (await response.json()) as Record<string, unknown>;
        return new Response(JSON.stringify(rest), { status: response.status, headers: response.headers });
      },
    });
    const retouch = createRetouch({ providers: [provider], budget: { maxUsd: 1 } });
    try {
      const result = await retouch.edit({
        model: 'edenai:google/gemini-2.5-flash-image',
        prompt: 'x',
        images: ['https://images.example.com/a.png'],
      });
      expect(result.cost).toEqual({ usd: 0.039, source: 'estimated' });
    } finally {
      await retouch.close();
    }
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
