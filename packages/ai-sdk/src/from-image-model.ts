import {
  type GeneratedImage,
  GenerationFailedError,
  MAX_INPUT_IMAGES,
  type ModelCapabilities,
  type ModelInfo,
  type ProviderAdapter,
} from '@retouch/core';
import { createGeneratedImage } from '@retouch/core/provider-utils';
import { toRetouchError } from './ai-sdk-errors.ts';
import { toEditWarnings } from './ai-sdk-warnings.ts';
import {
  type AISDKImageModel,
  type FromImageModelOptions,
  resolveImageModelOptions,
} from './from-image-model-options.ts';
import { type ImageModelPlan, maxImagesPerCall, toCallOptions } from './image-model-call-options.ts';
import { estimatedCost, pricePerImage } from './image-model-prices.ts';

/**
 * Wraps an AI SDK image model (the `ImageModelV4` or `ImageModelV3` spec: `openai.image('gpt-image-1')`,
 * `fal.image(...)`, `replicate.image(...)`, ...) as a Retouch provider, served as `<id>:<modelId>`. The
 * dispatcher then limits, retries, budgets, falls back and compares it like any bundled provider.
 *
 * - The request maps onto the model's call options: `images` become `files` (the first is the canvas),
 *   `mask` is converted to the model's convention, `n`, `size`, `aspectRatio`, `seed` pass as they are,
 *   and `providerOptions.<id>` goes to the model under its own key. `quality`, `outputFormat` and
 *   `negativePrompt` have no place in the AI SDK spec and become warnings.
 * - The model is called with `doGenerate`, which never retries (the AI SDK's retries live in
 *   `generateImage`, which the bridge does not use): the dispatcher alone decides, and resends an edit
 *   only on proof that the provider did not take it, so nothing is paid twice.
 * - The model reaches its provider with its own `fetch`, which the dispatcher cannot see: each call
 *   counts as one request in the lane (`limits.requestsPerSecond` paces calls).
 * - The cost comes from `prices`, marked `estimated`: the AI SDK reports none.
 *
 * Throws a `RetouchError` naming the field and the fix for a model or options it cannot use, before any
 * network call.
 *
 * @example
 * import { openai } from '@ai-sdk/openai';
 * import { createRetouch } from '@retouch/core';
 * import { oxen } from '@retouch/provider-oxen';
 *
 * const retouch = createRetouch({
 *   providers: [oxen, fromImageModel(openai.image('gpt-image-1'), { id: 'openai', prices: { perImageUsd: 0.042 } })],
 *   limits: { openai: { requestsPerSecond: 1 } },
 * });
 * const result = await retouch.edit({ model: 'openai:gpt-image-1', prompt: 'Add a hat', images: [{ path: 'cat.png' }] });
 */
export function fromImageModel(model: AISDKImageModel, options: FromImageModelOptions): ProviderAdapter {
  const settings = resolveImageModelOptions(model, options);
  const { id, prices } = settings;
  const errorContext = { id, modelId: model.modelId, requestsPerCall: settings.requestsPerCall };

  const adapter: ProviderAdapter<ImageModelPlan> = {
    id,
    specificationVersion: 2,
    ...(settings.limits === undefined ? {} : { defaultLimits: settings.limits }),

    prepare: (request) => toCallOptions({ model, settings, request }),

    async edit(call) {
      const { plan, signal, request } = call;
      let result: Awaited<ReturnType<AISDKImageModel['doGenerate']>>;
      try {
        // doGenerate has no retries of its own; the AI SDK's live in generateImage, which is not used.
        result = await model.doGenerate({ ...plan.call, abortSignal: signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw toRetouchError(error, errorContext);
      }
      const images: GeneratedImage[] = result.images.map((image) =>
        createGeneratedImage({
          provider: id,
          base64: typeof image === 'string' ? image : Buffer.from(image).toString('base64'),
        }),
      );
      if (images.length === 0) {
        throw new GenerationFailedError({
          message: `${id}: ${model.modelId} answered without an image; the provider may have billed the call, so it is not sent again`,
          provider: id,
        });
      }
      const usage = result.usage
        ? Object.fromEntries(Object.entries(result.usage).filter(([, value]) => value !== undefined))
        : undefined;
      const cost = estimatedCost({
        perImageUsd: pricePerImage({ prices, size: request.size }),
        count: images.length,
      });
      return {
        images,
        ...(cost === undefined ? {} : { cost }),
        warnings: toEditWarnings({ warnings: result.warnings, id, providerOptions: request.providerOptions }),
        ...(usage !== undefined && Object.keys(usage).length > 0 ? { usage } : {}),
        raw: {
          modelId: result.response.modelId,
          timestamp: result.response.timestamp.toISOString(),
          ...(result.providerMetadata === undefined ? {} : { providerMetadata: result.providerMetadata }),
        },
      };
    },

    async estimateCost({ request, plan }) {
      return estimatedCost({
        perImageUsd: pricePerImage({ prices, size: request.size }),
        count: plan.call.n,
      });
    },

    async capabilities(modelId): Promise<ModelCapabilities | undefined> {
      if (modelId !== model.modelId) return undefined;
      const takesFiles = 'supportsFileInputs' in model ? await model.supportsFileInputs : undefined;
      const takesMask = 'supportsMaskInputs' in model ? await model.supportsMaskInputs : undefined;
      return {
        maxInputImages: takesFiles === false ? 0 : MAX_INPUT_IMAGES,
        mask: takesMask !== false,
        maxOutputs: await maxImagesPerCall(model),
        // The AI SDK spec carries size, aspect ratio and seed for every model; a model that ignores one says so in its warnings.
        seed: true,
        negativePrompt: false,
      };
    },

    async listModels(): Promise<ModelInfo[]> {
      const perImageUsd = prices?.perImageUsd;
      return [
        {
          id: `${id}:${model.modelId}`,
          provider: id,
          modelId: model.modelId,
          displayName: `${model.modelId} (${model.provider}, through the AI SDK)`,
          ...(perImageUsd === undefined ? {} : { pricing: { perImageUsd } }),
        },
      ];
    },
  };
  // The plan type is the bridge's own; the dispatcher hands back what prepare returned.
  return adapter as ProviderAdapter;
}
