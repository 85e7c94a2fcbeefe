import { createRetouch, type EditResult } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { describe, expect, test } from 'vitest';
import { listModelsOf } from '../contract/edit-directly.ts';
import oxenContract from '../contract/schemas/oxen-hub.json' with { type: 'json' };
import { builtInModelIds, builtInSpec } from '../packages/provider-oxen/src/oxen-models.ts';
import { isImage, pictureAndMask, schemaProblems } from './support.ts';

/*
 * Oxen.ai for real: the catalogue's documented shape (a model's id is its name, request_schema),
 * the built-in fallback table against today's live schemas, an edit, and the warning on an inline
 * mask, and that a sync edit is listed in the generation history (which the recovery of a lost
 * answer assumes). About $0.13 a run. Skipped without OXEN_API_KEY.
 */

const key = process.env.OXEN_API_KEY;
const BASE = 'https://hub.oxen.ai';

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe.runIf(key)('Oxen.ai, live', () => {
  test('GET /api/ai/models answers the documented ListModelsResponse, ids being names', async () => {
    const { status, json } = await get('/api/ai/models');
    expect(status).toBe(200);
    expect(schemaProblems(oxenContract.operations['GET /api/ai/models'].responses['200'], json)).toEqual([]);
    const models = await listModelsOf(createOxen({ apiKey: key }));
    expect(models.map((model) => model.modelId)).toEqual(
      expect.arrayContaining(['qwen-image-edit', 'gpt-image-2']),
    );
  });

  test("the built-in table still matches Oxen's live schemas (refresh it when this fails)", async () => {
    const stale: string[] = [];
    for (const modelId of builtInModelIds) {
      const { status, json } = await get(`/api/ai/models/${modelId}`);
      if (status === 404) {
        stale.push(`${modelId}: no longer served`);
        continue;
      }
      expect(
        schemaProblems(oxenContract.operations['GET /api/ai/models/{id}'].responses['200'], json),
      ).toEqual([]);
      expect(json.id).toBe(modelId);
      const live =
        (
          (json.request_schema ?? json.json_request_schema) as {
            properties?: Record<string, { enum?: unknown[] }>;
          }
        )?.properties ?? {};
      for (const [name, parameter] of Object.entries(builtInSpec(modelId)!.parameters)) {
        if (!live[name]) stale.push(`${modelId}: parameter ${name} is gone`);
        else if (parameter.enum && JSON.stringify(live[name]!.enum) !== JSON.stringify(parameter.enum))
          stale.push(`${modelId}: ${name} takes ${JSON.stringify(live[name]!.enum)}`);
      }
    }
    expect(stale).toEqual([]);
  });

  test('an edit, and a local mask sent to gpt-image-2 inline with a warning', async () => {
    const { picture, mask } = pictureAndMask();
    const oxen = createOxen({ apiKey: key });
    const retouch = createRetouch({ providers: [oxen] });
    try {
      const plain = await retouch.edit({
        model: 'oxen:qwen-image-edit',
        prompt: 'Add a funny hat',
        images: [picture],
      });
      expect(isImage(await plain.images[0]!.bytes())).toBe(true);
      const masked = await retouch
        .edit({
          model: 'oxen:gpt-image-2',
          prompt: 'Fill the white area of the mask with a brick wall',
          images: [picture],
          mask,
          quality: 'low',
          providerOptions: { oxen: { resolution: '1K' } },
        })
        .catch((error: unknown) => error);
      // Whether Oxen takes a data: mask is not documented: either way the caller was told.
      if (masked instanceof Error) expect(masked.message).not.toContain('[object Object]');
      else
        expect((masked as EditResult).warnings.map((warning) => warning.message).join('\n')).toContain(
          'mask: sent inline as a data: URI',
        );
    } finally {
      await retouch.close();
    }
  });

  test("a sync edit is listed in Oxen's generation history, as the recovery of a lost answer assumes", async () => {
    const { picture } = pictureAndMask();
    const oxen = createOxen({ apiKey: key, mode: 'sync' });
    const retouch = createRetouch({ providers: [oxen] });
    const prompt = `Add a funny hat (listing check ${Date.now()})`;
    const from = Date.now() - 60_000;
    try {
      const result = await retouch.edit({ model: 'oxen:qwen-image-edit', prompt, images: [picture] });
      expect(result.images).toHaveLength(1);
      const history = await get('/api/ai/generations?model=qwen-image-edit&page_size=20');
      expect(history.status).toBe(200);
      expect(
        schemaProblems(oxenContract.operations['GET /api/ai/generations'].responses['200'], history.json),
      ).toEqual([]);
      const billed = await oxen.listBilledGenerations({ from, model: 'qwen-image-edit' });
      const listed = billed.generations.filter((generation) => generation.prompt === prompt);
      // Exactly one row: the recovery refuses a match it cannot single out.
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ status: 'succeeded', model: 'qwen-image-edit' });
      expect(listed[0]!.costUsd).toBeGreaterThan(0);
      const queue = await get('/api/ai/queue?model=qwen-image-edit');
      expect(
        schemaProblems(oxenContract.operations['GET /api/ai/queue'].responses['200'], queue.json),
      ).toEqual([]);
    } finally {
      await retouch.close();
    }
  });
});
