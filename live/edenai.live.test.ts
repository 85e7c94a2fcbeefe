import { ApiCallError, createRetouch } from '@retouch/core';
import { imageSize } from '@retouch/core/provider-utils';
import { createEdenAI } from '@retouch/provider-edenai';
import { describe, expect, test } from 'vitest';
import { editDirectly, listModelsOf } from '../contract/edit-directly.ts';
import edenaiContract from '../contract/schemas/edenai-v3.json' with { type: 'json' };
import { isImage, pictureAndMask, schemaProblems } from './support.ts';

/*
 * Eden AI for real, one check per fix read from Eden's published spec: the catalogue's documented
 * shape, prices and budgets, masks on both transports, Gemini sizes and inline pictures, error
 * messages. About $0.15 a run. Skipped without EDENAI_API_KEY.
 */

const key = process.env.EDENAI_API_KEY;
const GLOBAL = 'https://api.edenai.run';
const EU = 'https://api.eu.edenai.run';
const CHEAP_MASK_MODEL = 'openai/gpt-image-1-mini';
const GEMINI = 'google/gemini-2.5-flash-image';

async function catalogue(baseURL: string): Promise<{ data: { id: string }[] }> {
  const response = await fetch(`${baseURL}/v3/images/models`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: { id: string }[] };
}

describe.runIf(key)('Eden AI, live', () => {
  test('GET /v3/images/models answers the documented ListModelsResponse, and listModels reads it', async () => {
    const raw = await catalogue(GLOBAL);
    expect(schemaProblems(edenaiContract.operations['GET /v3/images/models'].responses['200'], raw)).toEqual(
      [],
    );
    const models = await listModelsOf(createEdenAI({ apiKey: key }));
    expect(models.length).toBeGreaterThan(0);
    // Every listed model takes and outputs images; a chat model would not be here.
    for (const model of models) expect(raw.data.map((entry) => entry.id)).toContain(model.modelId);
    expect(models.map((model) => model.modelId)).toContain(CHEAP_MASK_MODEL);
  });

  test('a budget cap lets an edit on a listed model through, on an estimate', async () => {
    const provider = createEdenAI({ apiKey: key });
    const retouch = createRetouch({ providers: [provider], budget: { maxUsd: 0.5 } });
    try {
      const estimate = await retouch.estimate({
        model: `edenai:${CHEAP_MASK_MODEL}`,
        prompt: 'x',
        images: [pictureAndMask().picture],
      });
      expect(estimate).toMatchObject({ source: 'estimated' });
      const result = await retouch.edit({
        model: `edenai:${CHEAP_MASK_MODEL}`,
        prompt: 'Paint the picture in watercolours',
        images: [pictureAndMask().picture],
      });
      expect(result.cost?.usd).toBeGreaterThan(0);
    } finally {
      await retouch.close();
    }
  });

  test.each(['json', 'multipart'] as const)(
    'a neutral mask is taken by an OpenAI model (%s)',
    async (transport) => {
      const { picture, mask } = pictureAndMask();
      const provider = createEdenAI({ apiKey: key, transport, upload: 'never' });
      const retouch = createRetouch({ providers: [provider] });
      try {
        // Before the conversion, OpenAI refused this mask (no alpha channel) or edited the wrong half.
        const result = await retouch.edit({
          model: `edenai:${CHEAP_MASK_MODEL}`,
          prompt: 'Fill the masked area with a red brick wall',
          images: [picture],
          mask,
        });
        expect(result.images).toHaveLength(1);
        expect(isImage(await result.images[0]!.bytes())).toBe(true);
      } finally {
        await retouch.close();
      }
    },
  );

  test('a mask given by upload (file_id) is converted before it is uploaded', async () => {
    const { picture, mask } = pictureAndMask();
    const provider = createEdenAI({ apiKey: key, transport: 'json', upload: 'always' });
    const retouch = createRetouch({ providers: [provider] });
    try {
      const result = await retouch.edit({
        model: `edenai:${CHEAP_MASK_MODEL}`,
        prompt: 'Fill the masked area with blue sky',
        images: [picture],
        mask,
      });
      expect(result.images).toHaveLength(1);
    } finally {
      await retouch.close();
    }
  });

  test('Gemini: size "1024x1024" goes as given, the picture inline, and the edit succeeds', async () => {
    const provider = createEdenAI({ apiKey: key, upload: 'always' });
    const retouch = createRetouch({ providers: [provider] });
    try {
      const result = await retouch.edit({
        model: `edenai:${GEMINI}`,
        prompt: 'Add a small red hat',
        images: [pictureAndMask().picture],
        size: '1024x1024',
      });
      const bytes = await result.images[0]!.bytes();
      expect(isImage(bytes)).toBe(true);
      expect(imageSize(bytes)).toBeDefined();
      expect(result.warnings.map((warning) => warning.message).join('\n')).toContain(
        'upload "always" was not applied',
      );
    } finally {
      await retouch.close();
    }
  });

  test("an unknown model's error carries Eden's own words", async () => {
    const provider = createEdenAI({ apiKey: key, transport: 'json' });
    const retouch = createRetouch({ providers: [provider] });
    try {
      const error = await retouch
        .edit({
          model: 'edenai:nobody/no-such-image-model',
          prompt: 'x',
          images: ['https://example.com/a.png'],
        })
        .catch((caught: unknown) => caught);
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect((error as Error).message).not.toContain('[object Object]');
      expect((error as Error).message).toMatch(/failed with \d{3}: \S/);
    } finally {
      await retouch.close();
    }
  });

  test('the EU host: a model it does not list answers 451, read into a message (nothing is billed)', async () => {
    const global = new Set((await catalogue(GLOBAL)).data.map((model) => model.id));
    const eu = new Set((await catalogue(EU)).data.map((model) => model.id));
    const outsideEu = [...global].find((id) => !eu.has(id));
    if (!outsideEu) return; // Every model is served in the EU today: nothing to check.
    const provider = createEdenAI({ apiKey: key, baseURL: EU, transport: 'json' });
    const error = await editDirectly(provider, {
      model: `edenai:${outsideEu}`,
      prompt: 'x',
      images: ['https://example.com/a.png'],
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 451 });
    expect((error as Error).message).toContain('data-residency');
  });
});
