import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRetouch, type EditRequest, type Retouch } from '@retouch/core';
import { createEdenAI, type EdenAIProviderSettings } from '@retouch/provider-edenai';
import { createTestImage, type EdenAISimulator, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { grayMask } from './gray-png.ts';

/*
 * Every operation the Eden AI adapter performs, on each transport, once against the simulator: the
 * contract setup checks each exchange against Eden's published spec. The assertions here are only
 * that the operation did its job; naming a departure from the spec is the contract's work.
 */

let sim: EdenAISimulator;
const clients: Retouch[] = [];

beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => sim.close());

function client(settings: EdenAIProviderSettings = {}): Retouch {
  const retouch = createRetouch({
    providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, ...settings })],
  });
  clients.push(retouch);
  return retouch;
}

const canvas = createTestImage({ width: 8, height: 8 });
/** A neutral mask as users draw it: grayscale, white where the edit applies, black elsewhere. */
const mask = grayMask({ width: 8, height: 8, white: (x) => x < 4 });
const edit = (request: Partial<EditRequest> = {}): EditRequest => ({
  model: 'edenai:bfl/flux-kontext-pro',
  prompt: 'Put a hat on it',
  images: ['https://images.example.com/a.png'],
  ...request,
});

describe('JSON edits: POST /v3/images/edits as application/json', () => {
  test('URL inputs with n, size, ratio, format and upstream fields', async () => {
    const result = await client({ transport: 'json' }).edit(
      edit({
        images: ['https://images.example.com/a.png', 'https://images.example.com/b.png'],
        n: 2,
        size: '1024x1024',
        aspectRatio: '16:9',
        outputFormat: 'jpeg',
        seed: 3,
        providerOptions: { edenai: { user: 'u-1', metadata: { order: 7 }, guidance: 3.5 } },
      }),
    );
    expect(result.images).toHaveLength(2);
  });

  test('a local picture and its mask as data: URLs, for gpt-image', async () => {
    const result = await client({ transport: 'json', upload: 'never' }).edit(
      edit({
        model: 'edenai:openai/gpt-image-2',
        images: [canvas],
        mask,
        aspectRatio: '3:2',
        quality: 'low',
      }),
    );
    expect(result.images).toHaveLength(1);
  });

  test('an http:// picture, downloaded first: Eden takes https and data: URLs', async () => {
    const host = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' }).end(canvas);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = host.address() as AddressInfo;
      const result = await client({ transport: 'json' }).edit(
        edit({ images: [`http://127.0.0.1:${port}/a.png`] }),
      );
      expect(result.images).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });

  test('object options with a local picture: a JSON body, whatever the transport would have been', async () => {
    const result = await client().edit(
      edit({
        images: [canvas],
        providerOptions: { edenai: { metadata: { order: 7 }, extra_headers: { 'x-trace': 'a' } } },
      }),
    );
    expect(result.images).toHaveLength(1);
  });

  test('a local picture uploaded first (POST /v3/upload), then sent by file_id', async () => {
    const result = await client({ transport: 'json', upload: 'always' }).edit(
      edit({ model: 'edenai:openai/gpt-image-1', images: [canvas], mask }),
    );
    expect(result.images).toHaveLength(1);
  });

  test('a Gemini model with an aspect ratio', async () => {
    const result = await client({ transport: 'json' }).edit(
      edit({ model: 'edenai:google/gemini-2.5-flash-image', aspectRatio: '16:9' }),
    );
    expect(result.images).toHaveLength(1);
  });
});

describe('multipart edits: POST /v3/images/edits as multipart/form-data', () => {
  test('image[] parts, a mask part and the text fields', async () => {
    const result = await client({ transport: 'multipart' }).edit(
      edit({
        model: 'edenai:openai/gpt-image-2',
        images: [canvas, canvas],
        mask,
        n: 2,
        size: '1536x1024',
        outputFormat: 'webp',
        providerOptions: { edenai: { user: 'u-2', background: 'opaque' } },
      }),
    );
    expect(result.images).toHaveLength(2);
  });
});

describe('the catalogue and refusals', () => {
  test('models listed and priced: GET /v3/images/models', async () => {
    const retouch = client();
    const models = await retouch.listModels({ provider: 'edenai' });
    expect(models.map((model) => model.modelId)).toContain('openai/gpt-image-2');
    expect(await retouch.estimate(edit())).toMatchObject({ source: 'estimated' });
  });

  test('a model Eden does not serve is refused with a documented error body', async () => {
    const error = await client()
      .edit(edit({ model: 'edenai:acme/no-such-model' }))
      .catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/no-such-model/);
  });

  test("a body Eden's validation refuses is answered with a documented 422 body", async () => {
    const error = await client({ transport: 'json' })
      .edit(edit({ providerOptions: { edenai: { size: 5 } } }))
      .catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/size/);
  });

  test('a lack of credits is refused with a documented error body', async () => {
    const poor = await startEdenAISimulator({ rateLimit: false, credits: 0 });
    try {
      const retouch = createRetouch({
        providers: [createEdenAI({ apiKey: poor.apiKey, baseURL: poor.url })],
      });
      clients.push(retouch);
      const error = await retouch.edit(edit()).catch((caught: unknown) => caught);
      expect(String(error)).toMatch(/credit/i);
    } finally {
      await poor.close();
    }
  });
});
