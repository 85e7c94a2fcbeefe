import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EditRequest,
  type EditWarning,
  InvalidRequestError,
  UnsupportedFeatureError,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createOxen } from '../src/index.ts';
import { bodies, call, client, onCleanup, pngBytes, provider, received, simulator } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';

/** Runs one sync edit and returns the body Oxen received and the warnings the caller got. */
async function sent(
  request: Omit<EditRequest, 'images'> & { images?: EditRequest['images'] },
  settings: Parameters<typeof provider>[1] = {},
  strict = false,
): Promise<{ body: Record<string, unknown>; warnings: EditWarning[] }> {
  const sim = await simulator();
  const retouch = client(provider(sim, { mode: 'sync', ...settings }), { strict });
  const result = await retouch.edit({ images: [PHOTO], ...request } as EditRequest);
  const [body] = bodies(sim, 'POST /api/ai/images/edit');
  return { body: body as Record<string, unknown>, warnings: result.warnings };
}

const optionWarnings = (warnings: EditWarning[]) => warnings.filter((warning) => warning.type !== 'other');

describe('neutral options become each model’s own parameters', () => {
  test('aspectRatio → aspect_ratio', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      aspectRatio: '1:1',
    });
    expect(body.aspect_ratio).toBe('1:1');
    expect(warnings).toEqual([]);
  });

  test('an aspectRatio outside the model’s enum is a warning and is not sent', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      aspectRatio: '5:4',
    });
    expect(body).not.toHaveProperty('aspect_ratio');
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio', from: '5:4', to: '16:9' }),
    ]);
    expect((warnings[0] as { message: string }).message).toContain('1:1, 16:9, 9:16');
  });

  test('an option the model lacks is a warning and is not sent', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:xai-grok-imagine-image-edit',
      prompt: 'hat',
      aspectRatio: '1:1',
    });
    expect(body).not.toHaveProperty('aspect_ratio');
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'aspectRatio' }),
    ]);
  });

  test('size → the smallest resolution tier that covers it (gpt-image-2: 1K, 2K, 4K), with a warning', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      size: '1024x1536',
    });
    expect(body.resolution).toBe('2K');
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'size', from: '1024x1536', to: '2K' }),
    ]);
  });

  test('size → the resolution tier of a model that sizes in tiers, with a warning', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:nano-banana-2',
      prompt: 'hat',
      size: '3000x2000',
    });
    expect(body.resolution).toBe('4K');
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'size', from: '3000x2000', to: '4K' }),
    ]);
  });

  test('a tier given in pixels counts as one (nano-banana-2: 512, 1K, 2K, 4K)', async () => {
    const { body, warnings } = await sent({ model: 'oxen:nano-banana-2', prompt: 'hat', size: '400x300' });
    expect(body.resolution).toBe('512');
    expect(optionWarnings(warnings)).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'size', from: '400x300', to: '512' }),
    ]);
  });

  test('a model without an output size: size is a warning and is not sent', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:xai-grok-imagine-image-edit',
      prompt: 'hat',
      size: '800x600',
    });
    expect(body).not.toHaveProperty('resolution');
    expect(optionWarnings(warnings)).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'size' }),
    ]);
  });

  test('quality → quality, and a warning on a model without it', async () => {
    expect((await sent({ model: 'oxen:gpt-image-2', prompt: 'hat', quality: 'low' })).body.quality).toBe(
      'low',
    );
    const flux = await sent({ model: 'oxen:flux-kontext-dev', prompt: 'hat', quality: 'low' });
    expect(flux.body).not.toHaveProperty('quality');
    expect(flux.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'quality' }),
    ]);
  });

  test.each([
    ['flux-kontext-dev', 'jpg'],
    ['qwen-image-edit-plus', 'jpg'],
    ['gpt-image-2', 'jpeg'],
    ['xai-grok-imagine-image-edit', 'jpeg'],
  ])('outputFormat "jpeg" is sent to %s as "%s", its own spelling', async (model, spelling) => {
    const { body, warnings } = await sent({ model: `oxen:${model}`, prompt: 'hat', outputFormat: 'jpeg' });
    expect(body.output_format).toBe(spelling);
    expect(warnings).toEqual([]);
  });

  test('outputFormat on a model without output_format is a warning', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      outputFormat: 'webp',
    });
    expect(body).not.toHaveProperty('output_format');
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'outputFormat' }),
    ]);
  });

  test('mask → mask_url (a URL as is, local bytes as a data: URI)', async () => {
    const remote = await sent({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      mask: 'https://example.com/mask.png',
    });
    expect(remote.body.mask_url).toBe('https://example.com/mask.png');
    const local = await sent({ model: 'oxen:gpt-image-2', prompt: 'hat', mask: pngBytes() });
    expect(local.body.mask_url).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(optionWarnings(local.warnings)).toEqual([]);
  });

  test('a mask on a model without mask_url is a warning', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      mask: 'https://example.com/mask.png',
    });
    expect(body).not.toHaveProperty('mask_url');
    expect(warnings).toEqual([expect.objectContaining({ type: 'unsupported-option', option: 'mask' })]);
  });

  test('seed → seed, and a warning on a model without it', async () => {
    expect((await sent({ model: 'oxen:flux-kontext-dev', prompt: 'hat', seed: 42 })).body.seed).toBe(42);
    const gpt = await sent({ model: 'oxen:gpt-image-2', prompt: 'hat', seed: 42 });
    expect(gpt.body).not.toHaveProperty('seed');
    expect(gpt.warnings).toEqual([expect.objectContaining({ type: 'unsupported-option', option: 'seed' })]);
  });

  test('negativePrompt → negative_prompt, and a warning on a model without it', async () => {
    const plus = await sent({ model: 'oxen:qwen-image-edit-plus', prompt: 'hat', negativePrompt: 'blur' });
    expect(plus.body.negative_prompt).toBe('blur');
    const qwen = await sent({ model: 'oxen:qwen-image-edit', prompt: 'hat', negativePrompt: 'blur' });
    expect(qwen.body).not.toHaveProperty('negative_prompt');
    expect(qwen.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'negativePrompt' }),
    ]);
  });

  test('input_image is an array or a string as the model’s schema says', async () => {
    const two = [PHOTO, 'https://example.com/second.png'];
    const plus = await sent({ model: 'oxen:qwen-image-edit-plus', prompt: 'merge', images: two });
    expect(plus.body.input_image).toEqual(two);
    const single = await sent({ model: 'oxen:qwen-image-edit', prompt: 'merge', images: two });
    expect(single.body.input_image).toBe(PHOTO);
    expect(single.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'images' }),
    ]);
  });

  test('local inputs become data: URIs with a warning that Oxen advises URLs in production', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'retouch-oxen-'));
    onCleanup(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'input.png');
    await writeFile(path, pngBytes());
    const { body, warnings } = await sent({
      model: 'oxen:gpt-image-2',
      prompt: 'merge',
      images: [pngBytes(), { path }, PHOTO],
    });
    const [bytes, file, url] = body.input_image as string[];
    expect(bytes).toBe(`data:image/png;base64,${Buffer.from(pngBytes()).toString('base64')}`);
    expect(file).toBe(bytes);
    expect(url).toBe(PHOTO);
    expect(warnings).toEqual([
      {
        type: 'other',
        message: expect.stringMatching(/2 local images were sent inline as data: URIs.*URLs in production/),
      },
    ]);
  });
});

describe('model parameters in providerOptions.oxen', () => {
  test('are checked against the schema and sent in the model’s spelling', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:flux-kontext-dev',
      prompt: 'hat',
      providerOptions: { oxen: { guidance: 3.5, num_inference_steps: 28, output_quality: 90 } },
    });
    expect(body).toMatchObject({ guidance: 3.5, num_inference_steps: 28, output_quality: 90 });
    expect(warnings).toEqual([]);
  });

  test('a number for a string-valued enum is the same value (resolution: 512 → "512")', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:nano-banana-2',
      prompt: 'hat',
      providerOptions: { oxen: { resolution: 512, google_search: true } },
    });
    expect(body).toMatchObject({ resolution: '512', google_search: true });
    expect(warnings).toEqual([]);
  });

  test('an out-of-range value or an unknown parameter is a warning and is not sent', async () => {
    const { body, warnings } = await sent({
      model: 'oxen:flux-kontext-dev',
      prompt: 'hat',
      providerOptions: { oxen: { guidance: 20, numInferenceSteps: 10 } },
    });
    expect(body).not.toHaveProperty('guidance');
    expect(body).not.toHaveProperty('numInferenceSteps');
    expect(warnings).toEqual([
      expect.objectContaining({
        type: 'adjusted-option',
        option: 'providerOptions.oxen.guidance',
        from: 20,
        message: expect.stringContaining('must be at most 10'),
      }),
      expect.objectContaining({
        type: 'unsupported-option',
        option: 'providerOptions.oxen.numInferenceSteps',
        message: expect.stringContaining('did you mean "num_inference_steps"?'),
      }),
    ]);
  });

  test('targetNamespace → target_namespace, from the provider or the request', async () => {
    const fromProvider = await sent(
      { model: 'oxen:qwen-image-edit', prompt: 'hat' },
      { targetNamespace: 'my-org' },
    );
    expect(fromProvider.body.target_namespace).toBe('my-org');
    const fromRequest = await sent(
      {
        model: 'oxen:qwen-image-edit',
        prompt: 'hat',
        providerOptions: { oxen: { targetNamespace: 'other-org' } },
      },
      { targetNamespace: 'my-org' },
    );
    expect(fromRequest.body.target_namespace).toBe('other-org');
  });

  test('responseFormat "b64_json" asks Oxen for the bytes inline', async () => {
    const sim = await simulator();
    const result = await client(provider(sim, { mode: 'sync' })).edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      providerOptions: { oxen: { responseFormat: 'b64_json' } },
    });
    expect(bodies(sim, 'POST /api/ai/images/edit')[0]).toMatchObject({ response_format: 'b64_json' });
    expect(result.images[0]!.url).toBeUndefined();
    expect(result.images[0]!.mediaType).toBe('image/png');
    expect((await result.images[0]!.bytes()).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    expect(received(sim, 'GET /files/:id')).toEqual([]);
  });

  test('fields the adapter owns, or set twice, are refused before anything is sent', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sync' }));
    const owned = retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      providerOptions: { oxen: { input_image: 'https://example.com/x.png', responseFormat: 'base64' } },
    });
    await expect(owned).rejects.toSatisfy(InvalidRequestError.isInstance);
    await expect(owned).rejects.toThrow(
      /providerOptions\.oxen\.responseFormat: responseFormat must be "url" or "b64_json"/,
    );
    const twice = retouch.edit({
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      aspectRatio: '1:1',
      providerOptions: { oxen: { aspect_ratio: '4:3' } },
    });
    await expect(twice).rejects.toThrow(/both aspectRatio and providerOptions\.oxen\.aspect_ratio are set/);
    expect(received(sim, 'POST /api/ai/images/edit')).toEqual([]);
    expect(sim.billableCount).toBe(0);
  });
});

describe('strict mode, in the client', () => {
  test('an option the model would adjust refuses the edit with the one core message, before anything billable', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'queue' }), { strict: true });
    const request: EditRequest = {
      model: 'oxen:qwen-image-edit',
      prompt: 'hat',
      images: [PHOTO],
      aspectRatio: '5:4',
    };
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ feature: 'aspectRatio', provider: 'oxen', model: 'qwen-image-edit' });
    expect((error as Error).message).toMatch(
      /^oxen:qwen-image-edit cannot honour "aspectRatio" exactly: "5:4" .*Strict mode refuses an option the model would drop or adjust: remove "aspectRatio", pick a model that takes it, or turn strict off\.$/,
    );
    expect(received(sim, 'POST /api/ai/queue')).toEqual([]);
    expect(sim.billableCount).toBe(0);
  });

  test('the adapter itself only warns, naming the neutral option', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'queue' });
    const { request } = await call(oxen, { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] });
    const prepared = await oxen.prepare(
      { ...request, aspectRatio: '5:4' },
      { http: oxen.http, signal: new AbortController().signal },
    );
    expect(prepared.warnings).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio', from: '5:4' }),
    ]);
  });

  test('a request the model honours exactly passes', async () => {
    const { warnings } = await sent(
      {
        model: 'oxen:gpt-image-2',
        prompt: 'hat',
        aspectRatio: '1:1',
        quality: 'low',
        outputFormat: 'webp',
      },
      {},
      true,
    );
    expect(warnings).toEqual([]);
  });

  test('a provider option is named providerOptions.oxen.<key>', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sync' }), { strict: true });
    const error = await retouch
      .edit({
        model: 'oxen:flux-kontext-dev',
        prompt: 'hat',
        images: [PHOTO],
        providerOptions: { oxen: { guidance: 20 } },
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ feature: 'providerOptions.oxen.guidance' });
    expect(sim.billableCount).toBe(0);
  });

  test('createOxen takes no strict setting any more, and says where it went', () => {
    expect(() => createOxen({ strict: true } as never)).toThrow(
      /createRetouch\(\{ providers, strict: true \}\)/,
    );
  });
});

describe('the parameter schema', () => {
  test('is read once per model and reused', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'sync' }));
    for (let index = 0; index < 3; index++) {
      await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] });
    }
    expect(received(sim, 'GET /api/ai/models/:name')).toHaveLength(1);
  });

  test('when the lookup fails, the built-in table drives the mapping', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'status', status: 503 }]);
    const result = await client(provider(sim, { mode: 'sync' })).edit({
      model: 'oxen:flux-kontext-dev',
      prompt: 'hat',
      images: [PHOTO],
      outputFormat: 'jpeg',
      quality: 'low',
    });
    expect(bodies(sim, 'POST /api/ai/images/edit')[0]).toEqual({
      model: 'flux-kontext-dev',
      prompt: 'hat',
      input_image: PHOTO,
      output_format: 'jpg',
    });
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'quality' }),
      { type: 'other', message: expect.stringContaining('checked against the built-in table') },
    ]);
  });

  test('a model Oxen does not know is refused before anything billable, pointing to listModels', async () => {
    const sim = await simulator();
    const retouch = client(provider(sim, { mode: 'queue' }));
    await expect(
      retouch.edit({ model: 'oxen:bad-model-name', prompt: 'hat', images: [PHOTO] }),
    ).rejects.toSatisfy(
      (error) =>
        InvalidRequestError.isInstance(error) &&
        /"bad-model-name".*listModels\(\)/.test(error.message) &&
        error.issues[0]!.path === 'model',
    );
    expect(sim.billableCount).toBe(0);
  });
});
