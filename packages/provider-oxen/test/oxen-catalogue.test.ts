import { createTestImage } from '@retouch/simulator';
import { describe, expect, test } from 'vitest';
import { BUILT_IN_TABLE_DATE, builtInModelIds } from '../src/oxen-models.ts';
import { bodies, client, provider, received, simulator } from './helpers.ts';

/*
 * Oxen's catalogue as its API serves it (a model's `id` is its name, its parameter schema is
 * `request_schema`), the built-in fallback table of today's model pages, and the mask, which Oxen
 * takes in the neutral convention (white = edit) and so is never converted.
 */

const PHOTO = 'https://example.com/photo.png';

describe('the catalogue', () => {
  test("a model's id is its name: models served without a name field are listed and looked up", async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    const models = await client(oxen).listModels({ provider: 'oxen' });
    expect(models.map((model) => model.modelId)).toContain('gpt-image-2');
    // The list answer has no `name` field at all, as Oxen's does.
    const listed = received(sim, 'GET /api/ai/models');
    expect(listed).toHaveLength(1);
  });

  test("json_request_schema, the per-model pages' name for the schema, is read too", async () => {
    const sim = await simulator();
    // A catalogue that names the schema the way the model pages do.
    const renamed: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (!/\/api\/ai\/models\/[^/]+$/.test(new URL(url).pathname)) return response;
      const { request_schema, ...rest } = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...rest, json_request_schema: request_schema }, { status: response.status });
    };
    const oxen = provider(sim, { mode: 'sync', fetch: renamed });
    // flux-2-pro is newer than the built-in table: only its schema says input_image is an array.
    const result = await client(oxen).edit({ model: 'oxen:flux-2-pro', prompt: 'hat', images: [PHOTO] });
    expect(bodies(sim, 'POST /api/ai/images/edit')[0]).toMatchObject({ input_image: [PHOTO] });
    expect(result.warnings).toEqual([]);
  });

  test('the built-in table holds the models of the current pages, dated, and the seeds’ removed ones, deprecated', () => {
    expect(BUILT_IN_TABLE_DATE).toBe('2026-08-08');
    expect([...builtInModelIds].sort()).toEqual(
      [
        'flux-kontext-dev',
        'gpt-image-2',
        'gpt-image-2-edit',
        'nano-banana-2-edit',
        'nano-banana-2',
        'qwen-image-edit',
        'qwen-image-edit-2511',
        'qwen-image-edit-plus',
        'xai-grok-imagine-image-edit',
      ].sort(),
    );
  });

  test('when the schema cannot be read, gpt-image-2 is mapped from the table: resolution in tiers', async () => {
    const sim = await simulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'status', status: 503 }]);
    const oxen = provider(sim, { mode: 'sync' });
    const result = await client(oxen).edit({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      images: [PHOTO],
      size: '1024x1024',
    });
    expect(bodies(sim, 'POST /api/ai/images/edit')[0]).toMatchObject({
      resolution: '1K',
      input_image: [PHOTO],
    });
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('checked against the built-in table') }),
    );
  });
});

describe('masks on Oxen', () => {
  test('a local mask is sent unchanged as a data: URI, with a warning', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sync' });
    const mask = createTestImage({
      width: 4,
      height: 4,
      color: ({ x }) => (x < 2 ? [255, 255, 255] : [0, 0, 0]),
    });
    const result = await client(oxen).edit({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      images: [PHOTO],
      mask,
    });
    const body = bodies(sim, 'POST /api/ai/images/edit')[0] as { mask_url: string };
    // Oxen's mask_url is white where the edit applies, like Retouch's: the bytes are the caller's.
    expect(body.mask_url).toBe(`data:image/png;base64,${Buffer.from(mask).toString('base64')}`);
    expect(result.warnings).toContainEqual({
      type: 'other',
      message: expect.stringMatching(
        /^mask: sent inline as a data: URI in mask_url; Oxen documents data: URIs for input_image only/,
      ),
    });
  });

  test('a mask URL goes as given, without that warning', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'sync' });
    const result = await client(oxen).edit({
      model: 'oxen:gpt-image-2',
      prompt: 'hat',
      images: [PHOTO],
      mask: 'https://example.com/mask.png',
    });
    expect(bodies(sim, 'POST /api/ai/images/edit')[0]).toMatchObject({
      mask_url: 'https://example.com/mask.png',
    });
    expect(result.warnings.map((warning) => warning.message).join('\n')).not.toContain('mask: sent inline');
  });
});

describe('the seeds’ deprecated models', () => {
  test('gpt-image-2-edit still edits, several images in its input_image array, with a deprecation warning', async () => {
    const sim = await simulator();
    const result = await client(provider(sim, { mode: 'sync' })).edit({
      model: 'oxen:gpt-image-2-edit',
      prompt: 'hat',
      images: [PHOTO, PHOTO],
    });
    const body = bodies(sim, 'POST /api/ai/images/edit')[0] as { model: string; input_image: unknown };
    expect(body.model).toBe('gpt-image-2-edit');
    expect(Array.isArray(body.input_image)).toBe(true);
    expect((body.input_image as unknown[]).length).toBe(2);
    expect(result.warnings.map((warning) => warning.message)).toContainEqual(
      expect.stringContaining('oxen:gpt-image-2-edit is deprecated: Oxen no longer documents it'),
    );
  });
});
