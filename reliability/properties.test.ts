/**
 * Property-based tests (fast-check): request normalization, and each provider's mapping of neutral
 * options onto its models, judged from what goes over the wire. The mapped body may only carry what
 * the model's schema knows, every option dropped or adjusted must come back as a warning, and strict
 * mode must refuse exactly what would otherwise be a warning.
 */
import {
  createRetouch,
  type EditRequest,
  type EditWarning,
  InvalidRequestError,
  type NormalizedEditRequest,
  type ProviderAdapter,
  type Retouch,
  UnsupportedFeatureError,
} from '@retouch/core';
import { normalizeEditRequest } from '@retouch/core/provider-utils';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pngBytes } from './support/png.ts';
import { secretKey } from './support/secrets.ts';

const RUNS = { numRuns: 60 };
const image = pngBytes();

const ratio = fc
  .tuple(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 32 }))
  .map(([w, h]) => `${w}:${h}`);
const commonRatio = fc.constantFrom('1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '5:4', '7:5');
const size = fc.oneof(
  fc.constant('auto'),
  fc.constantFrom('1024x1024', '1536x1024', '1024x1536', '1920x1080', '512x512', '3840x2160'),
  fc
    .tuple(fc.integer({ min: 64, max: 4096 }), fc.integer({ min: 64, max: 4096 }))
    .map(([w, h]) => `${w}x${h}`),
);

/** Neutral options a valid request may carry, each present or not. */
const neutralOptions = fc.record(
  {
    n: fc.integer({ min: 1, max: 10 }),
    size,
    aspectRatio: fc.oneof(commonRatio, ratio),
    quality: fc.constantFrom('auto', 'low', 'medium', 'high'),
    outputFormat: fc.constantFrom('png', 'jpeg', 'webp'),
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    negativePrompt: fc.string({ minLength: 1, maxLength: 40 }),
    mask: fc.constant(image),
  },
  { requiredKeys: [] },
);

type NeutralOptions = typeof neutralOptions extends fc.Arbitrary<infer T> ? T : never;

const validRequest = fc.record({
  model: fc.constantFrom('oxen:qwen-image-edit', 'edenai:openai/gpt-image-2', 'acme:some/model:v2'),
  prompt: fc.string({ minLength: 1, maxLength: 200 }).filter((text) => text.trim().length > 0),
  images: fc.array(
    fc.constantFrom('https://example.com/a.png', 'data:image/png;base64,iVBORw0KGgo=', image),
    {
      minLength: 1,
      maxLength: 16,
    },
  ),
  options: neutralOptions,
  timeoutMs: fc.option(fc.integer({ min: 1, max: 86_400_000 }), { nil: undefined }),
});

describe('request normalization', () => {
  test('every valid request normalizes, keeping its fields', async () => {
    await fc.assert(
      fc.asyncProperty(validRequest, async ({ model, prompt, images, options, timeoutMs }) => {
        const { mask, ...rest } = options;
        const normalized = await normalizeEditRequest({
          model,
          prompt,
          images: images.map((item) => (item === 'data:image/png;base64,iVBORw0KGgo=' ? image : item)),
          ...rest,
          ...(mask ? { mask } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
        const [provider, ...modelParts] = model.split(':');
        expect(normalized.provider).toBe(provider);
        expect(normalized.modelId).toBe(modelParts.join(':'));
        expect(normalized.images).toHaveLength(images.length);
        expect(normalized.n).toBe(rest.n ?? 1);
        expect(normalized.nExplicit).toBe(rest.n !== undefined);
        for (const key of [
          'size',
          'aspectRatio',
          'quality',
          'outputFormat',
          'seed',
          'negativePrompt',
        ] as const) {
          expect(normalized[key]).toBe(rest[key]);
        }
        expect(normalized.mask !== undefined).toBe(mask !== undefined);
      }),
      RUNS,
    );
  });

  /** For each field, values that are never valid. */
  const invalid: Record<string, fc.Arbitrary<unknown>> = {
    model: fc.oneof(fc.constantFrom('', 'qwen', ':x', 'Oxen:x', 'oxen: x'), fc.integer(), fc.constant(null)),
    prompt: fc.oneof(fc.constantFrom('', '  \n\t'), fc.integer(), fc.constant('x'.repeat(32_001))),
    images: fc.oneof(
      fc.constant([]),
      fc.constant('https://example.com/a.png'),
      fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    ),
    n: fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 11 }),
      fc.double({ min: 1.01, max: 9.99, noInteger: true }),
      fc.constant('2'),
    ),
    size: fc.oneof(fc.constantFrom('big', '1024', '1024*1024', '0x10', 'AUTO'), fc.integer()),
    aspectRatio: fc.oneof(fc.constantFrom('16/9', '16:', '0:1', 'wide', '1:1:1'), fc.integer()),
    quality: fc.constantFrom('ultra', 'HIGH', '', 3),
    outputFormat: fc.constantFrom('jpg', 'gif', 'PNG', '', 1),
    seed: fc.oneof(fc.integer({ max: -1 }), fc.constant(2 ** 32), fc.constant(0.5), fc.constant('7')),
    negativePrompt: fc.oneof(fc.integer(), fc.constant('x'.repeat(32_001))),
    timeoutMs: fc.oneof(
      fc.integer({ max: 0 }),
      fc.constant(86_400_001),
      fc.constant(1.5),
      fc.constant('10s'),
    ),
    providerOptions: fc.oneof(
      fc.constant('x'),
      fc.constant([1]),
      fc.constant({ Oxen: {} }),
      fc.constant({ oxen: 3 }),
    ),
    mask: fc.oneof(fc.integer(), fc.constant({}), fc.constant(true)),
    signal: fc.constantFrom('abort', 1, {}),
  };

  test('a request with any one invalid field is refused, naming that field', async () => {
    const corrupted = fc
      .tuple(validRequest, fc.constantFrom(...Object.keys(invalid)))
      .chain(([request, field]) => invalid[field]!.map((value) => ({ request, field, value })));
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ request, field, value }) => {
        const { mask, ...rest } = request.options;
        const candidate: Record<string, unknown> = {
          model: request.model,
          prompt: request.prompt,
          images: ['https://example.com/a.png'],
          ...rest,
          ...(mask ? { mask } : {}),
          [field]: value,
        };
        const error = await normalizeEditRequest(candidate).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(InvalidRequestError.isInstance(error)).toBe(true);
        const paths = (error as InvalidRequestError).issues.map((issue) => issue.path);
        expect(
          paths.some((path) => path === field || path.startsWith(`${field}.`)),
          paths.join(),
        ).toBe(true);
        expect((error as Error).message).toContain(field);
      }),
      { numRuns: 200 },
    );
  });
});

/** The context a test hands an adapter it drives directly: its own client, no lane. */
function contextOf(adapter: ProviderAdapter) {
  return { http: adapter.http!, signal: new AbortController().signal };
}

/** Sends one call straight to the adapter, whose billable POST the simulator answers 400 once recorded. */
async function wireBody(adapter: ProviderAdapter, request: NormalizedEditRequest): Promise<void> {
  const context = contextOf(adapter);
  const { plan } = await adapter.prepare!(request, context);
  await adapter.edit!({ request, plan, ...context, idempotencyKey: 'property' }).then(
    () => {
      throw new Error('the simulator was told to refuse every edit');
    },
    () => undefined,
  );
}

function optionWarnings(warnings: readonly EditWarning[]): (EditWarning & { option: string })[] {
  return warnings.filter((warning): warning is EditWarning & { option: string } => warning.type !== 'other');
}

/**
 * A strict client refuses exactly what the relaxed mapping warned about: one of those options, before
 * anything is sent; with no warning the edit is sent (and refused by the simulator).
 */
async function expectStrictRefusesWhatWasWarned(options: {
  strict: Retouch;
  request: EditRequest;
  warned: ReadonlySet<string>;
}): Promise<void> {
  const refusal = await options.strict.edit(options.request).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (options.warned.size > 0) {
    expect(UnsupportedFeatureError.isInstance(refusal), String(refusal)).toBe(true);
    expect(options.warned).toContain((refusal as UnsupportedFeatureError).feature);
  } else {
    expect(UnsupportedFeatureError.isInstance(refusal), String(refusal)).toBe(false);
  }
}

function requestOf(model: string, options: NeutralOptions, images: unknown[]): EditRequest {
  const { mask, ...rest } = options;
  return {
    model,
    prompt: 'make it brighter',
    images,
    ...rest,
    ...(mask ? { mask } : {}),
  } as EditRequest;
}

describe('Oxen: neutral options onto each model, as sent', () => {
  const models = [
    'qwen-image-edit',
    'qwen-image-edit-plus',
    'gpt-image-2',
    'nano-banana-2',
    'xai-grok-imagine-image-edit',
    'flux-kontext-dev',
  ];
  /** The neutral option each model parameter carries. */
  const carriedBy: Record<string, string> = {
    aspect_ratio: 'aspectRatio',
    resolution: 'size',
    quality: 'quality',
    output_format: 'outputFormat',
    seed: 'seed',
    negative_prompt: 'negativePrompt',
    mask_url: 'mask',
  };
  let sim: OxenSimulator;
  let relaxed: ProviderAdapter;
  let strict: Retouch;
  const schemas = new Map<string, Record<string, { enum?: unknown[] }>>();

  beforeAll(async () => {
    sim = await startOxenSimulator({ apiKey: secretKey('oxen') });
    // Every edit is recorded with its body, then refused: the mapping is judged without running models.
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'status', status: 400 }]);
    relaxed = createOxen({ apiKey: sim.apiKey, baseURL: sim.url, mode: 'sync' });
    strict = createRetouch({ providers: [relaxed], strict: true, retry: { maxRetries: 0 } });
    for (const model of models) {
      const response = await fetch(`${sim.url}/api/ai/models/${model}`, {
        headers: { authorization: `Bearer ${sim.apiKey}` },
      });
      const body = (await response.json()) as {
        request_schema: { properties: Record<string, { enum?: unknown[] }> };
      };
      schemas.set(model, body.request_schema.properties);
    }
  });
  afterAll(async () => {
    await strict.close();
    await sim.close();
  });

  test.each(models)(
    '%s: only its own parameters are sent, and every dropped or changed option is a warning',
    async (model) => {
      const properties = schemas.get(model)!;
      await fc.assert(
        fc.asyncProperty(neutralOptions, fc.integer({ min: 1, max: 3 }), async (options, imageCount) => {
          const edit = requestOf(
            `oxen:${model}`,
            { ...options, n: 1 },
            Array(imageCount).fill('https://example.com/a.png'),
          );
          const request = await normalizeEditRequest(edit);
          const { warnings } = await relaxed.prepare!(request, contextOf(relaxed));
          sim.clearRequests();
          await wireBody(relaxed, request);
          const sent = sim.requests.find((recorded) => recorded.route === 'POST /api/ai/images/edit')!
            .body as Record<string, unknown>;
          const warned = new Set(optionWarnings(warnings).map((warning) => warning.option));
          for (const key of Object.keys(sent)) {
            if (['model', 'prompt'].includes(key)) continue;
            expect(Object.keys(properties), `sent "${key}"`).toContain(key);
          }
          for (const [parameter, option] of Object.entries(carriedBy)) {
            const asked = (request as unknown as Record<string, unknown>)[option];
            if (asked === undefined) continue;
            const value = sent[parameter];
            const same =
              option === 'mask'
                ? typeof value === 'string' && value.startsWith('data:image/')
                : value === asked || (option === 'outputFormat' && value === 'jpg' && asked === 'jpeg');
            const carried = Object.entries(carriedBy).some(
              ([name, carrier]) => carrier === option && sent[name] !== undefined,
            );
            if (!same && !(carried && value === undefined))
              expect(warned, `${option} → ${parameter}`).toContain(option);
          }
          const inputs = sent.input_image;
          if ((Array.isArray(inputs) ? inputs.length : 1) < imageCount) expect(warned).toContain('images');
          await expectStrictRefusesWhatWasWarned({ strict, request: edit, warned });
        }),
        { numRuns: 40 },
      );
      expect(sim.billableCount).toBe(0);
    },
  );
});

describe('Eden AI: neutral options onto each model family, as sent', () => {
  const models = [
    'openai/gpt-image-2',
    'openai/gpt-image-1-mini',
    'openai/dall-e-2',
    'google/gemini-2.5-flash-image',
    'google/imagen-4',
    'bfl/flux-kontext-pro',
  ];
  const body = new Set([
    'model',
    'prompt',
    'images',
    'mask',
    'n',
    'size',
    'aspect_ratio',
    'quality',
    'output_format',
    'seed',
    'negative_prompt',
  ]);
  let sim: EdenAISimulator;
  let relaxed: ProviderAdapter;
  let strict: Retouch;

  beforeAll(async () => {
    sim = await startEdenAISimulator({ apiKey: secretKey('edenai'), rateLimit: false });
    sim.setFaults([{ route: 'POST /v3/images/edits', kind: 'status', status: 400 }]);
    relaxed = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json', upload: 'never' });
    strict = createRetouch({ providers: [relaxed], strict: true, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await strict.close();
    await sim.close();
  });

  test.each(models)(
    '%s: only known fields within its capabilities are sent, and every change is a warning',
    async (model) => {
      const capabilities = await relaxed.capabilities!(model, contextOf(relaxed));
      await fc.assert(
        fc.asyncProperty(neutralOptions, fc.integer({ min: 1, max: 3 }), async (options, imageCount) => {
          const edit = requestOf(`edenai:${model}`, options, Array(imageCount).fill(image));
          const request = await normalizeEditRequest(edit);
          const { warnings } = await relaxed.prepare!(request, contextOf(relaxed));
          sim.clearRequests();
          await wireBody(relaxed, request);
          const sent = sim.requests.find((recorded) => recorded.route === 'POST /v3/images/edits')!
            .body as Record<string, unknown>;
          const warned = new Set(optionWarnings(warnings).map((warning) => warning.option));
          for (const key of Object.keys(sent)) expect(body, `sent "${key}"`).toContain(key);
          if (capabilities) {
            expect((sent.images as unknown[]).length).toBeLessThanOrEqual(capabilities.maxInputImages);
            if (sent.n !== undefined) expect(sent.n).toBeLessThanOrEqual(capabilities.maxOutputs);
            if (sent.mask !== undefined) expect(capabilities.mask).toBe(true);
            if (sent.seed !== undefined) expect(capabilities.seed).toBe(true);
            if (sent.negative_prompt !== undefined) expect(capabilities.negativePrompt).toBe(true);
            if (sent.quality !== undefined) expect(capabilities.qualities).toContain(sent.quality);
            if (sent.output_format !== undefined)
              expect(capabilities.outputFormats).toContain(sent.output_format);
            if (capabilities.sizes && sent.size !== undefined)
              expect([...capabilities.sizes, 'auto']).toContain(sent.size);
          }
          // An option that did not reach the body as asked must have been warned about.
          const dropped = (option: string, present: boolean) => {
            if ((request as unknown as Record<string, unknown>)[option] !== undefined && !present)
              expect(warned).toContain(option);
          };
          dropped('seed', sent.seed === request.seed);
          dropped('negativePrompt', sent.negative_prompt === request.negativePrompt);
          dropped('quality', sent.quality === request.quality);
          dropped('mask', sent.mask !== undefined);
          if (request.nExplicit && sent.n !== request.n) expect(warned).toContain('n');
          if ((sent.images as unknown[]).length < imageCount) expect(warned).toContain('images');
          if (request.size !== undefined && sent.size !== request.size && sent.size !== request.aspectRatio) {
            expect([...warned].some((option) => option === 'size' || option === 'aspectRatio')).toBe(true);
          }
          await expectStrictRefusesWhatWasWarned({ strict, request: edit, warned });
        }),
        { numRuns: 40 },
      );
      expect(sim.billableCount).toBe(0);
    },
  );
});
