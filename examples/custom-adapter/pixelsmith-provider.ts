/**
 * A provider adapter for Pixelsmith, a small image-edit API (a stand-in for any provider Retouch does
 * not ship): one synchronous endpoint, one picture in and one PNG out, and a price list.
 *
 *   POST /v1/edits   { model, prompt, image, aspect_ratio? } → { id, output: { b64_png }, cost_usd }
 *   GET  /v1/models  → { models: [{ id, price_usd, aspect_ratios }] }
 *   errors           → { error: { code, message } }, 429 with Retry-After, 402 when out of credits
 */
import type {
  Cost,
  EditWarning,
  EditWarningOption,
  ModelCapabilities,
  ModelInfo,
  ProviderAdapter,
} from '@retouch/core';
import {
  createGeneratedImage,
  createHttpClient,
  type HttpClient,
  imageToDataUrl,
  loadApiKey,
  type ProviderErrorInfo,
} from '@retouch/core/provider-utils';
import { z } from 'zod';

// The wire format: a minimal schema, only what the adapter reads.
const editResponseSchema = z.object({
  id: z.string(),
  output: z.object({ b64_png: z.string() }),
  cost_usd: z.number(),
});
const modelsResponseSchema = z.object({
  models: z.array(z.object({ id: z.string(), price_usd: z.number(), aspect_ratios: z.array(z.string()) })),
});
type PixelsmithModel = z.infer<typeof modelsResponseSchema>['models'][number];

/** Options of {@link createPixelsmith}. */
export interface PixelsmithSettings {
  /** The API key; read from `PIXELSMITH_API_KEY` at first use when omitted. */
  apiKey?: string;
  /** The API's origin. @default 'https://api.pixelsmith.example' */
  baseURL?: string;
}

/** Pixelsmith's error body, read into what the HTTP layer needs to pick the right typed error. */
function parseErrorBody(status: number, body: unknown): ProviderErrorInfo | undefined {
  const parsed = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(body);
  if (!parsed.success) return undefined;
  return {
    message: parsed.data.error.message,
    code: parsed.data.error.code,
    ...(status === 402 ? { kind: 'insufficient-credits' as const } : {}),
  };
}

/** What `prepare` works out for one request; the dispatcher hands it back to `edit` and `estimateCost`. */
interface PixelsmithPlan {
  model: PixelsmithModel | undefined;
  aspectRatio: string | undefined;
}

/**
 * Creates the adapter. Nothing touches the network until the first call, and a missing key fails
 * that call, not the import.
 */
export function createPixelsmith(settings: PixelsmithSettings = {}): ProviderAdapter<PixelsmithPlan> {
  // The HTTP layer maps statuses to typed errors, honours Retry-After, never retries by itself
  // (the dispatcher decides), and sends the key to this origin only. The dispatcher hands every method
  // a copy of it bound to the provider's lane, as `http`: requests sent through that copy keep to the
  // rate limit, so the adapter sends everything through it.
  const http = createHttpClient({
    provider: 'pixelsmith',
    baseURL: settings.baseURL ?? 'https://api.pixelsmith.example',
    apiKey: () =>
      loadApiKey({
        apiKey: settings.apiKey,
        environmentVariable: 'PIXELSMITH_API_KEY',
        description: 'Pixelsmith',
        factory: 'createPixelsmith',
      }),
    apiKeyEnvVar: 'PIXELSMITH_API_KEY',
    parseErrorBody,
  });

  let models: Promise<PixelsmithModel[]> | undefined;
  const catalogue = (context: { http: HttpClient; signal: AbortSignal }): Promise<PixelsmithModel[]> => {
    models ??= context.http
      .request({ method: 'GET', path: '/v1/models', schema: modelsResponseSchema, signal: context.signal })
      .then((response) => response.data.models);
    models.catch(() => {
      models = undefined; // a failed read is tried again next time
    });
    return models;
  };

  return {
    id: 'pixelsmith',
    specificationVersion: 2,
    http,
    defaultLimits: { concurrency: 4, requestsPerSecond: 5 },

    // Options the API lacks become warnings before anything billable is sent. The adapter only
    // reports them, named by the neutral option: `createRetouch({ strict: true })` refuses them.
    async prepare(request, context) {
      const model = (await catalogue(context)).find((entry) => entry.id === request.modelId);
      const warnings: EditWarning[] = [];
      const drop = (option: EditWarningOption, message: string) => {
        warnings.push({ type: 'unsupported-option', option, message: `${request.modelId} ${message}` });
      };
      if (request.images.length > 1) drop('images', 'takes one picture; the others were not sent');
      for (const option of ['mask', 'size', 'quality', 'seed', 'negativePrompt'] as const) {
        if (request[option] !== undefined) drop(option, `has no ${option} option; it was not sent`);
      }
      if (request.nExplicit && request.n > 1) drop('n', 'makes one image per edit');
      if (request.outputFormat !== undefined && request.outputFormat !== 'png') {
        drop('outputFormat', 'always returns PNG');
      }
      const aspectRatio =
        request.aspectRatio !== undefined && model?.aspect_ratios.includes(request.aspectRatio)
          ? request.aspectRatio
          : undefined;
      if (request.aspectRatio !== undefined && aspectRatio === undefined) {
        drop(
          'aspectRatio',
          `takes the aspect ratios ${model?.aspect_ratios.join(', ') ?? '(unknown model)'}`,
        );
      }
      return { plan: { model, aspectRatio }, warnings };
    },

    async edit(call) {
      const response = await call.http.request({
        method: 'POST',
        path: '/v1/edits',
        json: {
          model: call.request.modelId,
          prompt: call.request.prompt,
          image: await imageToDataUrl(call.request.images[0]!),
          ...(call.plan.aspectRatio ? { aspect_ratio: call.plan.aspectRatio } : {}),
        },
        schema: editResponseSchema,
        signal: call.signal,
      });
      return {
        // createGeneratedImage checks that the bytes really are an image.
        images: [createGeneratedImage({ provider: 'pixelsmith', base64: response.data.output.b64_png })],
        cost: { usd: response.data.cost_usd, source: 'reported' },
        warnings: [],
        raw: response.data,
      };
    },

    async estimateCost({ plan }): Promise<Cost | undefined> {
      return plan.model ? { usd: plan.model.price_usd, source: 'estimated' } : undefined;
    },

    async capabilities(modelId, context): Promise<ModelCapabilities | undefined> {
      const model = (await catalogue(context)).find((entry) => entry.id === modelId);
      if (!model) return undefined;
      return {
        maxInputImages: 1,
        mask: false,
        maxOutputs: 1,
        aspectRatios: model.aspect_ratios,
        outputFormats: ['png'],
        seed: false,
        negativePrompt: false,
      };
    },

    async listModels(context): Promise<ModelInfo[]> {
      return (await catalogue(context)).map((model) => ({
        id: `pixelsmith:${model.id}`,
        provider: 'pixelsmith',
        modelId: model.id,
        pricing: { perImageUsd: model.price_usd },
      }));
    },
  };
}
