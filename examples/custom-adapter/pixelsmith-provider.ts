/**
 * A provider adapter for Pixelsmith, a small image-edit API (a stand-in for any provider Retouch does
 * not ship): one synchronous endpoint, one picture in and one PNG out, and a price list.
 *
 *   POST /v1/edits   { model, prompt, image, aspect_ratio? } → { id, output: { b64_png }, cost_usd }
 *   GET  /v1/models  → { models: [{ id, price_usd, aspect_ratios }] }
 *   errors           → { error: { code, message } }, 429 with Retry-After, 402 when out of credits
 */
import {
  type Cost,
  createGeneratedImage,
  createHttpClient,
  type EditWarning,
  type HttpClient,
  imageToDataUrl,
  loadApiKey,
  type ModelCapabilities,
  type ModelInfo,
  type NormalizedEditRequest,
  type ProviderAdapter,
  type ProviderErrorInfo,
  UnsupportedFeatureError,
} from '@retouch/core';
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
  /** Throw `UnsupportedFeatureError` instead of warning when a model cannot honour an option. */
  strict?: boolean;
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

/**
 * Creates the adapter. Nothing touches the network until the first call, and a missing key fails
 * that call, not the import.
 */
export function createPixelsmith(settings: PixelsmithSettings = {}): ProviderAdapter {
  let client: HttpClient | undefined;
  // The HTTP layer maps statuses to typed errors, honours Retry-After, never retries by itself
  // (the dispatcher decides), and sends the key to this origin only.
  const http = (): HttpClient =>
    (client ??= createHttpClient({
      provider: 'pixelsmith',
      baseURL: settings.baseURL ?? 'https://api.pixelsmith.example',
      apiKey: loadApiKey({
        apiKey: settings.apiKey,
        environmentVariable: 'PIXELSMITH_API_KEY',
        description: 'Pixelsmith',
        factory: 'createPixelsmith',
      }),
      apiKeyEnvVar: 'PIXELSMITH_API_KEY',
      parseErrorBody,
    }));

  let models: Promise<PixelsmithModel[]> | undefined;
  const catalogue = (signal?: AbortSignal): Promise<PixelsmithModel[]> => {
    models ??= http()
      .request({
        method: 'GET',
        path: '/v1/models',
        schema: modelsResponseSchema,
        ...(signal ? { signal } : {}),
      })
      .then((response) => response.data.models);
    models.catch(() => {
      models = undefined; // a failed read is tried again next time
    });
    return models;
  };

  // Options the API lacks become warnings (or errors in strict mode) before anything billable is sent.
  async function plan(request: NormalizedEditRequest, signal?: AbortSignal) {
    const model = (await catalogue(signal)).find((entry) => entry.id === request.modelId);
    const warnings: EditWarning[] = [];
    const drop = (option: string, message: string) => {
      if (settings.strict) {
        throw new UnsupportedFeatureError({
          message: `pixelsmith:${request.modelId} ${message}`,
          provider: 'pixelsmith',
          model: request.modelId,
          feature: option,
        });
      }
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
      drop('aspectRatio', `takes the aspect ratios ${model?.aspect_ratios.join(', ') ?? '(unknown model)'}`);
    }
    return { model, warnings, aspectRatio };
  }

  return {
    id: 'pixelsmith',
    specificationVersion: 1,
    defaultLimits: { concurrency: 4, requestsPerSecond: 5 },

    async prepare(request, options) {
      return { warnings: (await plan(request, options.signal)).warnings };
    },

    async edit(call) {
      const { warnings, aspectRatio } = await plan(call.request, call.signal);
      const response = await http().request({
        method: 'POST',
        path: '/v1/edits',
        json: {
          model: call.request.modelId,
          prompt: call.request.prompt,
          image: await imageToDataUrl(call.request.images[0]!),
          ...(aspectRatio ? { aspect_ratio: aspectRatio } : {}),
        },
        schema: editResponseSchema,
        signal: call.signal,
      });
      return {
        // createGeneratedImage checks that the bytes really are an image.
        images: [createGeneratedImage({ provider: 'pixelsmith', base64: response.data.output.b64_png })],
        cost: { usd: response.data.cost_usd, source: 'reported' },
        warnings,
        raw: response.data,
      };
    },

    async estimateCost(request, options): Promise<Cost | undefined> {
      const { model } = await plan(request, options.signal);
      return model ? { usd: model.price_usd, source: 'estimated' } : undefined;
    },

    async capabilities(modelId, options): Promise<ModelCapabilities | undefined> {
      const model = (await catalogue(options.signal)).find((entry) => entry.id === modelId);
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

    async listModels(options = {}): Promise<ModelInfo[]> {
      return (await catalogue(options.signal)).map((model) => ({
        id: `pixelsmith:${model.id}`,
        provider: 'pixelsmith',
        modelId: model.id,
        pricing: { perImageUsd: model.price_usd },
      }));
    },
  };
}
