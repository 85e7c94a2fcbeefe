import { type EditRequest, InvalidRequestError } from '@retouch/core';
import { normalizeEditRequest } from '@retouch/core/provider-utils';
import { describe, expect, test } from 'vitest';
import { editFormFields, editJsonBody, mapEditOptions, planEdenAIEdit } from '../src/edenai-edit-plan.ts';
import { edenaiModelFamily, isImageEditModel, readPerImagePrice, toModelInfo } from '../src/edenai-models.ts';

const URL_A = 'https://images.example.com/a.png';
const URL_B = 'https://images.example.com/b.png';

async function map(request: Partial<EditRequest> & { model: string }) {
  const normalized = await normalizeEditRequest({ prompt: 'make it blue', images: [URL_A], ...request });
  return mapEditOptions({ request: normalized });
}

describe('openai/gpt-image-* rules', () => {
  test('quality and output format travel as extra fields; n and size as is', async () => {
    const mapped = await map({
      model: 'edenai:openai/gpt-image-2',
      n: 2,
      size: '1536x1024',
      quality: 'high',
      outputFormat: 'webp',
    });
    expect(mapped.family.name).toBe('openai/gpt-image');
    expect(mapped.family.acceptsRemoteUrls).toBe(false);
    expect(mapped.n).toBe(2);
    expect(mapped.fields).toEqual({ size: '1536x1024', quality: 'high', output_format: 'webp' });
    expect(mapped.warnings).toEqual([]);
  });

  test('a size it lacks is adjusted to the closest of 1024x1024, 1536x1024, 1024x1536', async () => {
    const mapped = await map({ model: 'edenai:openai/gpt-image-1', size: '2048x1152' });
    expect(mapped.fields.size).toBe('1536x1024');
    expect(mapped.warnings).toEqual([
      expect.objectContaining({
        type: 'adjusted-option',
        option: 'size',
        from: '2048x1152',
        to: '1536x1024',
      }),
    ]);
    expect((await map({ model: 'edenai:openai/gpt-image-1', size: '512x512' })).fields.size).toBe(
      '1024x1024',
    );
    expect((await map({ model: 'edenai:openai/gpt-image-1', size: 'auto' })).fields.size).toBe('auto');
  });

  test('an aspect ratio picks the size that has it, or the closest with a warning', async () => {
    const exact = await map({ model: 'edenai:openai/gpt-image-2', aspectRatio: '2:3' });
    expect(exact.fields).toEqual({ size: '1024x1536' });
    expect(exact.warnings).toEqual([]);
    const wide = await map({ model: 'edenai:openai/gpt-image-2', aspectRatio: '16:9' });
    expect(wide.fields).toEqual({ size: '1536x1024' });
    expect(wide.warnings).toEqual([
      expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio', from: '16:9', to: '3:2' }),
    ]);
  });

  test('size wins over aspect ratio, which is reported as dropped', async () => {
    const mapped = await map({ model: 'edenai:openai/gpt-image-2', size: '1024x1024', aspectRatio: '3:2' });
    expect(mapped.fields).toEqual({ size: '1024x1024' });
    expect(mapped.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'aspectRatio' }),
    ]);
  });

  test('seed and negative prompt are not taken', async () => {
    const mapped = await map({ model: 'edenai:openai/gpt-image-2', seed: 7, negativePrompt: 'blur' });
    expect(mapped.fields).toEqual({});
    expect(mapped.warnings.map((warning) => warning.type === 'unsupported-option' && warning.option)).toEqual(
      ['seed', 'negativePrompt'],
    );
  });
});

describe('openai/dall-e-2 rules', () => {
  test('one input image, square sizes, no output_format field', async () => {
    const mapped = await map({
      model: 'edenai:openai/dall-e-2',
      images: [URL_A, URL_B],
      size: '1024x768',
      outputFormat: 'png',
      quality: 'high',
    });
    expect(mapped.imageCount).toBe(1);
    expect(mapped.fields).toEqual({ size: '1024x1024' });
    expect(mapped.warnings.map((warning) => warning.type !== 'other' && warning.option)).toEqual([
      'images',
      'size',
      'quality',
    ]);
    const jpeg = await map({ model: 'edenai:openai/dall-e-2', outputFormat: 'jpeg' });
    expect(jpeg.fields).toEqual({});
    expect(jpeg.warnings[0]).toMatchObject({
      option: 'outputFormat',
      message: expect.stringContaining('outputs png'),
    });
  });
});

describe('google rules', () => {
  test('every warning names the neutral option it is about', async () => {
    const mapped = await map({
      model: 'edenai:google/gemini-2.5-flash-image',
      mask: URL_B,
      n: 6,
      quality: 'high',
      outputFormat: 'jpeg',
      seed: 7,
      negativePrompt: 'blur',
    });
    expect(mapped.warnings.map((warning) => warning.type !== 'other' && warning.option)).toEqual([
      'mask',
      'n',
      'quality',
      'outputFormat',
      'seed',
      'negativePrompt',
    ]);
  });

  test('Gemini: an aspect ratio becomes the pixel size Google lists for it; no mask, seed, quality or output format', async () => {
    const mapped = await map({
      model: 'edenai:google/gemini-2.5-flash-image',
      mask: URL_B,
      aspectRatio: '16:9',
      seed: 3,
      quality: 'low',
      outputFormat: 'jpeg',
    });
    expect(mapped.family.name).toBe('google');
    expect(mapped.includeMask).toBe(false);
    expect(mapped.fields).toEqual({ size: '1344x768' });
    expect(mapped.warnings.map((warning) => warning.type !== 'other' && warning.option)).toEqual([
      'mask',
      'aspectRatio',
      'quality',
      'outputFormat',
      'seed',
    ]);
  });

  test('Gemini: a pixel size is sent as given, never rewritten to a ratio', async () => {
    for (const size of ['1024x1024', '1920x1080', '777x555', 'auto']) {
      const mapped = await map({ model: 'edenai:google/gemini-2.5-flash-image', size });
      expect(mapped.fields).toEqual({ size });
      expect(mapped.warnings).toEqual([]);
    }
  });

  test('Gemini: an aspect ratio Google does not list becomes the closest one, with a warning', async () => {
    const mapped = await map({ model: 'edenai:google/gemini-2.5-flash-image', aspectRatio: '2:1' });
    expect(mapped.fields).toEqual({ size: '1344x768' });
    expect(mapped.warnings[0]).toMatchObject({
      type: 'adjusted-option',
      option: 'aspectRatio',
      from: '2:1',
      to: '16:9',
    });
  });

  test('Imagen: mask, seed and negative prompt; unknown ratios adjusted', async () => {
    const mapped = await map({
      model: 'edenai:google/imagen-3.0-capability-001',
      mask: URL_B,
      aspectRatio: '21:9',
      seed: 3,
      negativePrompt: 'text',
      outputFormat: 'jpeg',
      n: 6,
    });
    expect(mapped.includeMask).toBe(true);
    expect(mapped.n).toBe(4);
    expect(mapped.fields).toEqual({ size: '16:9', seed: 3, negative_prompt: 'text', output_format: 'jpeg' });
    expect(mapped.warnings.map((warning) => warning.type !== 'other' && warning.option)).toEqual([
      'n',
      'aspectRatio',
    ]);
  });
});

describe('other models', () => {
  test('every option is forwarded under its Eden/upstream name, without warnings', async () => {
    const mapped = await map({
      model: 'edenai:bytedance/seedream-4-0',
      size: '2048x2048',
      aspectRatio: '4:3',
      quality: 'high',
      outputFormat: 'jpeg',
      seed: 11,
      negativePrompt: 'people',
      mask: URL_B,
      n: 10,
    });
    expect(mapped.family.name).toBe('other');
    expect(mapped.family.acceptsRemoteUrls).toBe(true);
    expect(mapped.includeMask).toBe(true);
    expect(mapped.n).toBe(10);
    expect(mapped.fields).toEqual({
      size: '2048x2048',
      aspect_ratio: '4:3',
      quality: 'high',
      output_format: 'jpeg',
      seed: 11,
      negative_prompt: 'people',
    });
    expect(mapped.warnings).toEqual([]);
  });
});

describe('providerOptions.edenai', () => {
  test('user, metadata, extra_headers and upstream fields are forwarded and override derived fields', async () => {
    const mapped = await map({
      model: 'edenai:openai/gpt-image-2',
      quality: 'low',
      providerOptions: {
        edenai: {
          user: 'customer-42',
          metadata: { order: 7 },
          extra_headers: { 'OpenAI-Beta': 'images' },
          quality: 'high',
          background: 'transparent',
        },
        oxen: { guidance: 3 },
      },
    });
    expect(mapped.fields).toEqual({
      quality: 'high',
      user: 'customer-42',
      metadata: { order: 7 },
      extra_headers: { 'OpenAI-Beta': 'images' },
      background: 'transparent',
    });
  });

  test('credential headers and fields the request owns are refused with their paths', async () => {
    const error = await map({
      model: 'edenai:openai/gpt-image-2',
      providerOptions: {
        edenai: { extra_headers: { Authorization: 'Bearer x', 'X-Api-Key': 'k' }, images: [], user: 5 },
      },
    }).catch((caught) => caught);
    expect(error.name).toBe('InvalidRequestError');
    expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'providerOptions.edenai.user',
      'providerOptions.edenai.extra_headers.Authorization',
      'providerOptions.edenai.extra_headers.X-Api-Key',
      'providerOptions.edenai.images',
    ]);
  });
});

describe('model catalogue reading', () => {
  test('edit-capable = takes images and outputs images, from the documented modalities', () => {
    const model = (capabilities: unknown) => ({ id: 'a/b', capabilities });
    expect(
      isImageEditModel(model({ input_modalities: ['text', 'image'], output_modalities: ['image'] })),
    ).toBe(true);
    expect(
      isImageEditModel(
        model({ input_modalities: ['image', 'text'], output_modalities: ['image', 'text'], extra: 1 }),
      ),
    ).toBe(true);
    expect(isImageEditModel(model({ input_modalities: ['text'], output_modalities: ['image'] }))).toBe(false);
    expect(
      isImageEditModel(model({ input_modalities: ['text', 'image'], output_modalities: ['text'] })),
    ).toBe(false);
    // The keys the adapter once guessed are not Eden's: an entry described only by them is not listed.
    expect(isImageEditModel(model({ input: ['image'], output: ['image'] }))).toBe(false);
    expect(isImageEditModel(model(['image_edit']))).toBe(false);
    expect(isImageEditModel({ id: 'a/b' })).toBe(false);
  });

  test('per-image prices from the open pricing object; token prices are not per image', () => {
    expect(readPerImagePrice({ id: 'a', pricing: { output_cost_per_image: 0.039 } })).toBe(0.039);
    expect(readPerImagePrice({ id: 'a', pricing: { cost_per_image: '0.053' } })).toBe(0.053);
    expect(
      readPerImagePrice({ id: 'a', pricing: { input_cost_per_token: 5e-6, output_cost_per_token: 4e-5 } }),
    ).toBeUndefined();
    expect(readPerImagePrice({ id: 'a', pricing: {}, list_pricing: { output_cost_per_image: 0.1 } })).toBe(
      0.1,
    );
    expect(readPerImagePrice({ id: 'a' })).toBeUndefined();
  });

  test('toModelInfo', () => {
    expect(
      toModelInfo({
        id: 'openai/gpt-image-2',
        model_name: 'GPT Image 2',
        pricing: { output_cost_per_image: 0.04 },
      }),
    ).toEqual({
      id: 'edenai:openai/gpt-image-2',
      provider: 'edenai',
      modelId: 'openai/gpt-image-2',
      displayName: 'GPT Image 2',
      capabilities: edenaiModelFamily('openai/gpt-image-2').capabilities,
      pricing: { perImageUsd: 0.04 },
    });
  });

  test('toModelInfo: without a catalogue price, the published price of the built-in table', () => {
    expect(
      toModelInfo({ id: 'openai/gpt-image-1-mini', pricing: { output_cost_per_token: 8e-6 } }).pricing,
    ).toEqual({
      perImageUsd: 0.011,
    });
    expect(toModelInfo({ id: 'someone/new-model', pricing: {} }).pricing).toBeUndefined();
  });
});

type Defaults = Parameters<typeof planEdenAIEdit>[0]['defaults'];

describe('the plan', () => {
  const AUTO: Defaults = { transport: 'auto', upload: 'auto' };
  const plan = async (request: Partial<EditRequest> & { model: string }, defaults = AUTO) =>
    planEdenAIEdit({
      request: await normalizeEditRequest({ prompt: 'make it blue', images: [URL_A], ...request }),
      defaults,
    });

  test('the mapped options, the inputs sent and the delivery, with the warnings beside it', async () => {
    const { plan: planned, warnings } = await plan({
      model: 'edenai:google/gemini-2.5-flash-image',
      images: [URL_A, URL_B],
      mask: URL_B,
      aspectRatio: '16:9',
      n: 2,
      providerOptions: { edenai: { transport: 'json', user: 'u-1' } },
    });
    expect(planned).toMatchObject({
      n: 2,
      fields: { size: '1344x768', user: 'u-1' },
      transport: 'json',
      upload: 'auto',
      includeMask: false,
    });
    expect(planned.inputs.map((input) => input.path)).toEqual(['images.0', 'images.1']);
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-option', option: 'mask' }),
      expect.objectContaining({ type: 'adjusted-option', option: 'aspectRatio', to: '1344x768' }),
    ]);
  });

  test('JSON body and multipart fields come from the plan alone', async () => {
    const request = await normalizeEditRequest({
      model: 'edenai:bfl/flux-kontext-pro',
      prompt: 'x',
      images: [URL_A],
      mask: URL_B,
      n: 2,
      providerOptions: { edenai: { metadata: { order: 1 } } },
    });
    const { plan: planned } = planEdenAIEdit({ request, defaults: AUTO });
    expect(
      editJsonBody({ request, plan: planned, references: [{ image_url: URL_A }, { file_id: 'f-1' }] }),
    ).toEqual({
      model: 'bfl/flux-kontext-pro',
      prompt: 'x',
      images: [{ image_url: URL_A }],
      mask: { file_id: 'f-1' },
      n: 2,
      metadata: { order: 1 },
    });
    // An object field travels in a JSON body only: the plan chose JSON for it, and a form never carries it.
    expect(planned.transport).toBe('json');
    expect(editFormFields({ request, plan: planned })).toEqual([
      ['model', 'bfl/flux-kontext-pro'],
      ['prompt', 'x'],
      ['n', '2'],
    ]);
  });

  test('an Eden file id with transport "multipart" is refused, naming the input', async () => {
    const error = await plan(
      { model: 'edenai:openai/gpt-image-2', images: [URL_A, { fileId: 'file-1', provider: 'edenai' }] },
      { transport: 'multipart', upload: 'auto' },
    ).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).issues[0]!.path).toBe('images.1');
  });
});
