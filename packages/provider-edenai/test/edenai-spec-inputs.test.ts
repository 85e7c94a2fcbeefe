import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetExceededError, createRetouch, UnsupportedFeatureError } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { type ImageHost, pngBytes, requestsTo, retouchEdit, startImageHost } from './helpers.ts';

/*
 * What Retouch sends Eden where a caller's input is not something Eden's spec takes as it is: an
 * http:// image URL, an aspect ratio for a Gemini model, a catalogue whose capability keys differ
 * from the documented ones, and object options on a multipart body. Each on the wire.
 */

const EDITS = 'POST /v3/images/edits';
const picture = pngBytes({ width: 5, height: 5 });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let sim: EdenAISimulator;
let host: ImageHost;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
  host = await startImageHost({ '/photo.png': { body: picture } });
});
afterAll(async () => {
  await sim.close();
  await host.close();
});
beforeEach(() => {
  sim.clearRequests();
  host.requests.length = 0;
});

describe('an http:// image URL, which Eden does not take ("an https URL or a data: URL")', () => {
  test('auto: downloaded without the key and sent as a file part, with a note saying so', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const output = await retouchEdit(provider, {
      model: 'edenai:bfl/flux-kontext-pro',
      prompt: 'x',
      images: [`${host.url}/photo.png?token=signed`],
    });
    const [request] = requestsTo(sim, EDITS);
    expect(request!.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect((request!.body as RecordedMultipartBody).files).toEqual([
      expect.objectContaining({ name: 'image[]', sha256: sha256(picture) }),
    ]);
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]!.headers.authorization).toBeUndefined();
    expect(output.warnings).toEqual([
      {
        type: 'other',
        message: `images.0: Eden AI takes https and data: image URLs only, not http, so ${host.url}/photo.png was downloaded and sent as a file`,
      },
    ]);
  });

  test('json: sent as a data: URL, never as the http:// URL', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    const output = await retouchEdit(provider, {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: ['https://images.example.com/a.png', `${host.url}/photo.png`],
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'google/gemini-2.5-flash-image',
      prompt: 'x',
      images: [
        { image_url: 'https://images.example.com/a.png' },
        { image_url: `data:image/png;base64,${Buffer.from(picture).toString('base64')}` },
      ],
    });
    expect(output.warnings).toEqual([
      {
        type: 'other',
        message: `images.1: Eden AI takes https and data: image URLs only, not http, so ${host.url}/photo.png was downloaded and sent as a data: URL or an upload`,
      },
    ]);
  });
});

describe('an aspect ratio for a Gemini model, for which Eden documents no field', () => {
  const request = {
    model: 'edenai:google/gemini-2.5-flash-image',
    prompt: 'x',
    images: ['https://images.example.com/a.png'],
    aspectRatio: '9:16',
  };

  test("sent as Google's pixel size for it, with a warning saying what was sent", async () => {
    const output = await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url }), request);
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'google/gemini-2.5-flash-image',
      prompt: 'x',
      images: [{ image_url: 'https://images.example.com/a.png' }],
      size: '768x1344',
    });
    expect(output.warnings).toEqual([
      {
        type: 'adjusted-option',
        option: 'aspectRatio',
        from: '9:16',
        to: '768x1344',
        message: expect.stringMatching(
          /^aspectRatio 9:16 was sent as size "768x1344", Google's pixel size for that ratio; Eden documents no aspect-ratio field for google\/gemini-2\.5-flash-image edits/,
        ),
      },
    ]);
  });

  test('strict mode refuses it before any request: the shape could come back wrong', async () => {
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url })],
      strict: true,
    });
    try {
      const error = await retouch.edit(request).catch((caught: unknown) => caught);
      expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ feature: 'aspectRatio' });
      expect(sim.requests).toHaveLength(0);
    } finally {
      await retouch.close();
    }
  });

  test('a size given as pixels goes as it is, without a warning', async () => {
    const output = await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url }), {
      ...request,
      aspectRatio: undefined,
      size: '768x1344',
    });
    expect((requestsTo(sim, EDITS)[0]!.body as Record<string, unknown>).size).toBe('768x1344');
    expect(output.warnings).toEqual([]);
  });
});

/**
 * A stand-in for an Eden whose catalogue describes capabilities with other keys than the documented
 * `input_modalities` / `output_modalities`: it serves its own `GET /v3/images/models` and passes
 * every other request to the simulator.
 */
async function startCatalogueHost(
  capabilities: (model: Record<string, unknown>) => unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(incoming.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !['host', 'content-length', 'connection'].includes(entry[0]),
      ),
    );
    const upstream = await fetch(`${sim.url}${incoming.url}`, {
      method: incoming.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (incoming.url === '/v3/images/models' && upstream.ok) {
      const list = JSON.parse(body.toString('utf8')) as { data: Record<string, unknown>[] };
      for (const model of list.data) model.capabilities = capabilities(model);
      body = Buffer.from(JSON.stringify(list));
    }
    outgoing.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    outgoing.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a catalogue without the documented capability keys', () => {
  test('lists the models of the built-in price table, priced, and no other', async () => {
    const catalogue = await startCatalogueHost((model) => ({
      modalities: (model.capabilities as Record<string, unknown>).input_modalities,
    }));
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: catalogue.url })],
    });
    try {
      const models = await retouch.listModels({ provider: 'edenai' });
      const priced = Object.fromEntries(models.map((model) => [model.modelId, model.pricing?.perImageUsd]));
      // The table's edit models that the catalogue serves; bfl/* and the chat model are not in the table.
      expect(priced).toEqual({
        'openai/gpt-image-2': 0.053,
        'openai/gpt-image-1': 0.042,
        'openai/gpt-image-1-mini': 0.011,
        'google/gemini-2.5-flash-image': 0.039,
      });
    } finally {
      await retouch.close();
      await catalogue.close();
    }
  });

  test('under a budget, an edit on a model of the price table goes through; an unknown one is refused', async () => {
    const catalogue = await startCatalogueHost(() => undefined);
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: catalogue.url })],
      budget: { maxUsd: 1 },
    });
    try {
      const result = await retouch.edit({
        model: 'edenai:google/gemini-2.5-flash-image',
        prompt: 'x',
        images: ['https://images.example.com/a.png'],
      });
      expect(result.cost).toEqual({ usd: 0.039, source: 'reported' });
      const refused = await retouch
        .edit({
          model: 'edenai:bfl/flux-kontext-pro',
          prompt: 'x',
          images: ['https://images.example.com/a.png'],
        })
        .catch((caught: unknown) => caught);
      expect(BudgetExceededError.isInstance(refused)).toBe(true);
      expect(requestsTo(sim, EDITS)).toHaveLength(1);
    } finally {
      await retouch.close();
      await catalogue.close();
    }
  });
});

describe('object options (metadata, extra_headers), which Eden documents for the JSON body only', () => {
  const options = { user: 'u-1', metadata: { order: 7 }, extra_headers: { 'x-trace': 'abc' } };

  test('transport "auto" with a local picture: the edit goes as JSON, the objects in it', async () => {
    const output = await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url }), {
      model: 'edenai:bfl/flux-kontext-pro',
      prompt: 'x',
      images: [picture],
      providerOptions: { edenai: options },
    });
    const [request] = requestsTo(sim, EDITS);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      model: 'bfl/flux-kontext-pro',
      prompt: 'x',
      images: [{ image_url: `data:image/png;base64,${Buffer.from(picture).toString('base64')}` }],
      ...options,
    });
    expect(output.warnings).toEqual([]);
  });

  test('transport "multipart": the objects are not sent, each with a warning naming it', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
    const output = await retouchEdit(provider, {
      model: 'edenai:bfl/flux-kontext-pro',
      prompt: 'x',
      images: [picture],
      providerOptions: { edenai: options },
    });
    const body = requestsTo(sim, EDITS)[0]!.body as RecordedMultipartBody;
    expect(body.fields).toEqual({ model: 'bfl/flux-kontext-pro', prompt: 'x', user: 'u-1' });
    expect(output.warnings).toEqual(
      ['metadata', 'extra_headers'].map((key) => ({
        type: 'unsupported-option',
        option: `providerOptions.edenai.${key}`,
        message: `${key} is an object, which Eden takes in a JSON body only, and transport is "multipart" (text fields and files); it was not sent: use transport "json" or "auto" to send it`,
      })),
    );
  });

  test('transport "multipart" in strict mode: refused before any request', async () => {
    const retouch = createRetouch({
      providers: [createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' })],
      strict: true,
    });
    try {
      const error = await retouch
        .edit({
          model: 'edenai:bfl/flux-kontext-pro',
          prompt: 'x',
          images: [picture],
          providerOptions: { edenai: { metadata: { order: 7 } } },
        })
        .catch((caught: unknown) => caught);
      expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ feature: 'providerOptions.edenai.metadata' });
      expect(sim.requests).toHaveLength(0);
    } finally {
      await retouch.close();
    }
  });
});
