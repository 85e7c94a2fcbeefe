import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, InvalidArgumentError, NoSuchModelError } from '@ai-sdk/provider';
import { ApiCallError, createRetouch, type ProviderAdapter, type Retouch } from '@retouch/core';
import { createGeneratedImage, createHttpClient } from '@retouch/core/provider-utils';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import {
  createTestImage,
  type OpenAISimulator,
  startEdenAISimulator,
  startOpenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { generateImage } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { createRetouchProvider, fromImageModel } from '../src/index.ts';
import { decode, photo } from './helpers.ts';

/**
 * A small provider for the test: a node:http server that echoes the picture with a job id and a
 * reported cost, and an adapter for it that has no seed option.
 */
async function startPaintServer(): Promise<{
  url: string;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    bodies.push(body);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `job-${bodies.length}`,
        images: Array.from({ length: Number(body.n) }, () => body.image),
        cost_usd: 0.01,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function paintAdapter(baseURL: string): ProviderAdapter {
  const http = createHttpClient({ provider: 'paint', baseURL, apiKey: 'paint-key' });
  return {
    id: 'paint',
    specificationVersion: 2,
    http,
    async prepare(request) {
      return {
        plan: undefined,
        warnings:
          request.seed === undefined
            ? []
            : [{ type: 'unsupported-option', option: 'seed', message: 'brush-1 has no seed' }],
      };
    },
    async edit({ request, http: lane, signal }) {
      const image = request.images[0]!;
      const mask = request.mask;
      const response = await lane.request({
        method: 'POST',
        path: '/edit',
        json: {
          prompt: request.prompt,
          n: request.n,
          quality: request.quality,
          options: request.providerOptions,
          image: image.kind === 'bytes' ? Buffer.from(image.data).toString('base64') : null,
          mask: mask?.kind === 'bytes' ? Buffer.from(mask.data).toString('base64') : null,
        },
        signal,
      });
      const data = response.data as { id: string; images: string[]; cost_usd: number };
      return {
        images: data.images.map((base64) => createGeneratedImage({ provider: 'paint', base64 })),
        cost: { usd: data.cost_usd, source: 'reported' },
        jobId: data.id,
        warnings: [],
        raw: data,
      };
    },
  };
}

// The AI SDK logs model warnings to the console; the tests read them from the result instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function openAISimulator(): Promise<OpenAISimulator> {
  const sim = await startOpenAISimulator();
  cleanups.push(() => sim.close());
  return sim;
}

function client(
  providers: ProviderAdapter[],
  options: Parameters<typeof createRetouch>[0] extends infer O ? Partial<O> : never = {},
): Retouch {
  const retouch = createRetouch({ providers, retry: { initialDelayMs: 5 }, ...options });
  cleanups.push(() => retouch.close());
  return retouch;
}

describe('createRetouchProvider: generateImage reaches Oxen.ai and Eden AI', () => {
  it('returns the edited images with the cost each provider reported, and the Oxen job id', async () => {
    const oxenSimulator = await startOxenSimulator({ jobSchedule: { queuedMs: 10, processingMs: 30 } });
    const edenSimulator = await startEdenAISimulator({ rateLimit: false });
    cleanups.push(
      () => oxenSimulator.close(),
      () => edenSimulator.close(),
    );
    const retouch = client([
      createOxen({
        apiKey: oxenSimulator.apiKey,
        baseURL: oxenSimulator.url,
        mode: 'queue',
        reportCost: true,
      }),
      createEdenAI({ apiKey: edenSimulator.apiKey, baseURL: edenSimulator.url }),
    ]);
    const provider = createRetouchProvider(retouch);
    const picture = photo({ width: 16, height: 16 });

    const onOxen = await generateImage({
      model: provider.image('oxen:qwen-image-edit'),
      prompt: { text: 'Make it a watercolour', images: [picture] },
      maxRetries: 0,
    });
    const onEden = await generateImage({
      model: provider.image('edenai:openai/gpt-image-1'),
      prompt: { text: 'Make it a watercolour', images: [picture] },
      n: 2,
      maxRetries: 0,
    });

    expect(decode(onOxen.image.uint8Array)).toMatchObject({ width: 16, height: 16 });
    expect(onOxen.calls[0]!.providerMetadata?.retouch).toMatchObject({
      provider: 'oxen',
      model: 'oxen:qwen-image-edit',
      cost: { usd: 0.03, source: 'reported' },
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(onOxen.image.providerMetadata?.retouch).toMatchObject({
      jobId: expect.any(String),
      model: 'oxen:qwen-image-edit',
    });
    expect(oxenSimulator.billableCount).toBe(1);

    expect(onEden.images).toHaveLength(2);
    expect(onEden.calls[0]!.providerMetadata?.retouch).toMatchObject({
      provider: 'edenai',
      cost: { usd: 0.084, source: 'reported' },
      jobId: null,
      upstreamProvider: 'openai',
    });
    expect(onEden.usage.totalTokens).toBeGreaterThan(0);
    expect(edenSimulator.billableCount).toBe(1);
    expect(edenSimulator.spentUsd).toBe(0.084);
  });
});

describe('createRetouchProvider: generateImage through a Retouch client', () => {
  it('edits with images, mask, n and Retouch options, and returns images plus cost, job id and warnings in providerMetadata', async () => {
    const paint = await startPaintServer();
    cleanups.push(() => paint.close());
    const provider = createRetouchProvider(client([paintAdapter(paint.url)]));
    const picture = photo();
    const mask = Buffer.from(createTestImage({ width: 8, height: 8, color: [255, 255, 255] }));

    const result = await generateImage({
      model: provider.image('paint:brush-1'),
      prompt: { text: 'Add a hat', images: [picture], mask },
      n: 2,
      seed: 42,
      providerOptions: { retouch: { quality: 'high' }, paint: { style: 'ink' } },
    });

    expect(paint.bodies).toEqual([
      {
        prompt: 'Add a hat',
        n: 2,
        quality: 'high',
        options: { style: 'ink' },
        image: picture.toString('base64'),
        mask: mask.toString('base64'),
      },
    ]);
    expect(result.images).toHaveLength(2);
    expect(Buffer.from(result.images[0]!.uint8Array)).toEqual(picture);
    expect(result.images[0]!.mediaType).toBe('image/png');
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]!.providerMetadata?.retouch).toMatchObject({
      provider: 'paint',
      model: 'paint:brush-1',
      cost: { usd: 0.01, source: 'reported' },
      jobId: 'job-1',
      warnings: [{ type: 'unsupported-option', option: 'seed', message: 'brush-1 has no seed' }],
    });
    expect(result.images[1]!.providerMetadata?.retouch).toEqual({
      model: 'paint:brush-1',
      jobId: 'job-1',
      mediaType: 'image/png',
    });
    expect(result.warnings).toEqual([
      { type: 'unsupported', feature: 'seed', details: 'brush-1 has no seed' },
    ]);
    expect(result.calls[0]!.response.modelId).toBe('paint:brush-1');
  });

  it('reaches an AI SDK model wrapped with fromImageModel: OpenAI-convention masks survive both conversions, cost and tokens come back', async () => {
    const sim = await openAISimulator();
    const openai = createOpenAI({ apiKey: sim.apiKey, baseURL: `${sim.url}/v1` });
    const retouch = client([
      fromImageModel(openai.image('gpt-image-1'), { id: 'openai', prices: { perImageUsd: 0.042 } }),
    ]);
    const provider = createRetouchProvider(retouch, { maskConvention: 'transparent-edits' });
    const leftTransparent = createTestImage({
      width: 8,
      height: 8,
      color: ({ x }) => (x < 4 ? [0, 0, 0, 0] : [0, 0, 0, 255]),
    });

    const result = await generateImage({
      model: provider.image('openai:gpt-image-1'),
      prompt: { text: 'Repaint', images: [photo()], mask: leftTransparent },
    });

    const output = decode(result.image.uint8Array);
    expect(output.pixel(6, 2).slice(0, 3)).toEqual([200, 40, 40]);
    expect(output.pixel(1, 2).slice(0, 3)).not.toEqual([200, 40, 40]);
    expect(result.calls[0]!.providerMetadata?.retouch).toMatchObject({
      cost: { usd: 0.042, source: 'estimated' },
      jobId: null,
    });
    expect(result.usage).toMatchObject({ outputTokens: 1056 }); // one medium-quality square image
    expect(sim.billableCount).toBe(1);
  });

  it("lets the dispatcher retry a 429 (generateImage's own retries never run): one billed edit", async () => {
    const sim = await openAISimulator();
    sim.setFaults([
      { route: 'POST /v1/images/edits', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 },
    ]);
    const openai = createOpenAI({ apiKey: sim.apiKey, baseURL: `${sim.url}/v1` });
    const provider = createRetouchProvider(
      client([fromImageModel(openai.image('gpt-image-1'), { id: 'openai' })]),
    );
    const result = await generateImage({
      model: provider.image('openai:gpt-image-1'),
      prompt: { text: 'x', images: [photo()] },
    });
    expect(result.images).toHaveLength(1);
    expect(sim.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(sim.billableCount).toBe(1);
  });

  it('pays once for a 500 after the work, where the AI SDK alone resends it twice', async () => {
    const sim = await openAISimulator();
    sim.setFaults([{ route: 'POST /v1/images/edits', kind: 'job-fails' }]);
    const openai = createOpenAI({ apiKey: sim.apiKey, baseURL: `${sim.url}/v1` });

    const direct = await generateImage({
      model: openai.image('gpt-image-1'),
      prompt: { text: 'x', images: [photo()] },
    }).catch((error: unknown) => error);
    const billedAlone = sim.billableCount;
    sim.clearRequests();

    const provider = createRetouchProvider(
      client([fromImageModel(openai.image('gpt-image-1'), { id: 'openai' })]),
    );
    const bridged = await generateImage({
      model: provider.image('openai:gpt-image-1'),
      prompt: { text: 'x', images: [photo()] },
    }).catch((error: unknown) => error);

    expect((direct as Error).name).toBe('AI_RetryError');
    expect(billedAlone).toBe(3);
    expect(APICallError.isInstance(bridged)).toBe(true);
    expect(bridged).toMatchObject({ statusCode: 500, isRetryable: false });
    expect(ApiCallError.isInstance((bridged as APICallError).cause)).toBe(true);
    expect(sim.billableCount).toBe(1);
  });

  it('refuses what a Retouch edit cannot be, naming the generateImage argument', async () => {
    const sim = await openAISimulator();
    const openai = createOpenAI({ apiKey: sim.apiKey, baseURL: `${sim.url}/v1` });
    const provider = createRetouchProvider(
      client([fromImageModel(openai.image('gpt-image-1'), { id: 'openai' })]),
    );
    const model = provider.image('openai:gpt-image-1');

    const textOnly = await generateImage({ model, prompt: 'a cat' }).catch((error: unknown) => error);
    expect(InvalidArgumentError.isInstance(textOnly)).toBe(true);
    expect(textOnly).toMatchObject({ argument: 'prompt.images' });
    const typo = await generateImage({
      model,
      prompt: { text: 'x', images: [photo()] },
      providerOptions: { retouch: { qualty: 'high' } },
    }).catch((error: unknown) => error);
    expect(typo).toMatchObject({ argument: 'providerOptions.retouch.qualty' });
    const badSize = await generateImage({
      model,
      prompt: { text: 'x', images: [photo()] },
      size: '0x10',
    }).catch((error: unknown) => error);
    expect(InvalidArgumentError.isInstance(badSize)).toBe(true);
    expect(badSize).toMatchObject({ argument: 'size' });
    expect(() => provider.image('gpt-image-1')).toThrow(NoSuchModelError);
    expect(() => provider.languageModel('x')).toThrow(NoSuchModelError);
    expect(sim.requests).toHaveLength(0);
  });
});
