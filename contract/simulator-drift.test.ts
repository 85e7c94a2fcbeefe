import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { listModelsOf } from './edit-directly.ts';
import { takeContractViolations } from './setup.ts';

/*
 * A simulator that drifts from the published specs while the adapter still reads it happily: Eden's
 * catalogue with regions as strings (the shape the simulator once served) and Oxen's models without
 * the `created` and `owned_by` the spec requires. The adapters list the models all the same; the
 * contract check is what catches it.
 */

vi.mock('../packages/simulator/src/edenai/edenai-models.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../packages/simulator/src/edenai/edenai-models.ts')>();
  return {
    ...original,
    serializeEdenAIModel: (model: Parameters<typeof original.serializeEdenAIModel>[0]) => ({
      ...original.serializeEdenAIModel(model),
      regions: ['us', 'eu'],
    }),
  };
});

vi.mock('../packages/simulator/src/oxen/oxen-models.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../packages/simulator/src/oxen/oxen-models.ts')>();
  return {
    ...original,
    serializeOxenModel: (model: Parameters<typeof original.serializeOxenModel>[0]) => {
      const { created: _created, owned_by: _ownedBy, ...rest } = original.serializeOxenModel(model);
      return rest;
    },
  };
});

/**
 * The simulator, loaded afresh so the mocks above apply: the setup file loaded it before them. Its
 * traffic still reaches the setup's observer, which every copy of the package shares.
 */
let simulators: typeof import('../packages/simulator/src/index.ts');
beforeEach(async () => {
  vi.resetModules();
  simulators = await import('../packages/simulator/src/index.ts');
});

describe('drift of the simulator is caught even when the adapter reads it happily', () => {
  test("Eden's catalogue with regions as strings", async () => {
    const sim = await simulators.startEdenAISimulator({ rateLimit: false });
    try {
      const models = await listModelsOf(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url }));
      expect(models.length).toBeGreaterThan(0);
      const [violation] = takeContractViolations();
      expect(violation).toMatchObject({ operation: 'GET /v3/images/models', side: 'response 200' });
      expect(violation!.problems).toContain('/data/0/regions/0 must be object');
    } finally {
      await sim.close();
    }
  });

  test("Oxen's models without created and owned_by", async () => {
    const sim = await simulators.startOxenSimulator();
    const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url });
    try {
      const models = await listModelsOf(oxen);
      expect(models.map((model) => model.modelId)).toContain('qwen-image-edit');
      const [violation] = takeContractViolations();
      expect(violation).toMatchObject({ operation: 'GET /api/ai/models', side: 'response 200' });
      expect(violation!.problems).toEqual(
        expect.arrayContaining([
          "/data/0 must have required property 'created'",
          "/data/0 must have required property 'owned_by'",
        ]),
      );
    } finally {
      await oxen.close();
      await sim.close();
    }
  });
});
