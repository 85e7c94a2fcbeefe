import { createOpenAI } from '@ai-sdk/openai';
import {
  ApiCallError,
  AuthenticationError,
  createRetouch,
  InsufficientCreditsError,
  type Retouch,
} from '@retouch/core';
import { type OpenAISimulator, type RecordedMultipartBody, startOpenAISimulator } from '@retouch/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { fromImageModel } from '../src/index.ts';
import { decode, leftHalfWhiteMask, photo } from './helpers.ts';

let sim: OpenAISimulator;
let retouch: Retouch | undefined;
afterEach(async () => {
  await retouch?.close();
  retouch = undefined;
  await sim.close();
});

/** A real @ai-sdk/openai image model pointed at the local OpenAI-shaped simulator. */
function openAIModel(options: { apiKey?: string; modelId?: string } = {}) {
  const openai = createOpenAI({ apiKey: options.apiKey ?? sim.apiKey, baseURL: `${sim.url}/v1` });
  return openai.image(options.modelId ?? 'gpt-image-1');
}

const edits = () => sim.requests.filter((request) => request.route === 'POST /v1/images/edits');

describe('@ai-sdk/openai through fromImageModel, against the OpenAI simulator', () => {
  it('sends a multipart edit with the image, the converted mask and n, and returns the edited pictures with an estimated cost', async () => {
    sim = await startOpenAISimulator();
    retouch = createRetouch({
      providers: [fromImageModel(openAIModel(), { id: 'openai', prices: { perImageUsd: 0.042 } })],
    });
    const canvas = photo({ width: 16, height: 16 });
    const result = await retouch.edit({
      model: 'openai:gpt-image-1',
      prompt: 'Repaint the left half',
      images: [canvas],
      mask: leftHalfWhiteMask({ width: 16, height: 16 }),
      n: 2,
      size: '1024x1024',
      providerOptions: { openai: { quality: 'low' } },
    });

    const [edit] = edits();
    const body = edit!.body as RecordedMultipartBody;
    expect(body.fields).toEqual({
      model: 'gpt-image-1',
      prompt: 'Repaint the left half',
      n: '2',
      size: '1024x1024',
      quality: 'low',
    });
    expect(body.files.map((file) => [file.name, file.contentType])).toEqual([
      ['image', 'image/png'],
      ['mask', 'image/png'],
    ]);
    expect(sim.billableCount).toBe(1);

    expect(result.images).toHaveLength(2);
    expect(result.cost).toEqual({ usd: 0.084, source: 'estimated' });
    expect(result.usage).toMatchObject({ outputTokens: 2 * 272 });
    // The user's white-is-edit mask reached OpenAI as transparent-is-edit: only the left half changed.
    const output = decode(await result.images[0]!.bytes());
    expect(output.pixel(12, 8).slice(0, 3)).toEqual([200, 40, 40]);
    expect(output.pixel(3, 8).slice(0, 3)).not.toEqual([200, 40, 40]);
  });

  it("reports the model's own warnings as neutral ones", async () => {
    sim = await startOpenAISimulator();
    retouch = createRetouch({ providers: [fromImageModel(openAIModel(), { id: 'openai' })] });
    const result = await retouch.edit({
      model: 'openai:gpt-image-1',
      prompt: 'x',
      images: [photo()],
      seed: 3,
      aspectRatio: '1:1',
    });
    expect(
      result.warnings.map((warning) => (warning.type === 'other' ? warning.type : warning.option)),
    ).toEqual(['aspectRatio', 'seed']);
    expect(edits()[0]!.body).not.toHaveProperty('fields.seed');
  });

  it('retries a 429 once, after its retry-after, and the provider bills one edit', async () => {
    sim = await startOpenAISimulator();
    sim.setFaults([
      { route: 'POST /v1/images/edits', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 },
    ]);
    retouch = createRetouch({ providers: [fromImageModel(openAIModel(), { id: 'openai' })] });
    const result = await retouch.edit({ model: 'openai:gpt-image-1', prompt: 'x', images: [photo()] });
    expect(result.images).toHaveLength(1);
    expect(edits().map((request) => request.status)).toEqual([429, 200]);
    expect(sim.billableCount).toBe(1);
  });

  it('never resends an edit the provider may have run: a 500 after the work is one billed request and one error', async () => {
    sim = await startOpenAISimulator();
    sim.setFaults([{ route: 'POST /v1/images/edits', kind: 'job-fails', times: 1 }]);
    retouch = createRetouch({
      providers: [fromImageModel(openAIModel(), { id: 'openai', prices: { perImageUsd: 0.042 } })],
      retry: { initialDelayMs: 5 },
    });
    const error = await retouch
      .edit({ model: 'openai:gpt-image-1', prompt: 'x', images: [photo()] })
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, isRetryable: true, provablyNotProcessed: false });
    expect(edits()).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
    // The failure may have been billed, so the budget counts its estimate as possibly billed.
    expect(retouch.stats()).toMatchObject({ spentUsd: 0, possiblyBilledUsd: 0.042 });
  });

  it('turns a wrong key into AuthenticationError and a spent quota into InsufficientCreditsError, keys never in errors', async () => {
    sim = await startOpenAISimulator({ credits: 0 });
    retouch = createRetouch({
      providers: [
        fromImageModel(openAIModel({ apiKey: 'sk-wrong-key-123' }), { id: 'wrong' }),
        fromImageModel(openAIModel(), { id: 'broke' }),
      ],
    });
    const denied = await retouch
      .edit({ model: 'wrong:gpt-image-1', prompt: 'x', images: [photo()] })
      .catch((caught: unknown) => caught);
    const broke = await retouch
      .edit({ model: 'broke:gpt-image-1', prompt: 'x', images: [photo()] })
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(denied)).toBe(true);
    expect(denied).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
    expect(InsufficientCreditsError.isInstance(broke)).toBe(true);
    for (const error of [denied, broke]) {
      const text = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`;
      expect(text).not.toContain('sk-wrong-key-123');
      expect(text).not.toContain(sim.apiKey);
    }
    expect(sim.billableCount).toBe(0);
  });
});
