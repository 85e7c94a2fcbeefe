import { type ImageModelV4, NoSuchModelError, type ProviderV4 } from '@ai-sdk/provider';
import { parseModelId, type Retouch, RetouchError } from '@retouch/core';
import { type MaskConvention, maskConventions } from './mask-convention.ts';
import { createRetouchImageModel } from './retouch-image-model.ts';

/**
 * Options of {@link createRetouchProvider}.
 *
 * @example
 * createRetouchProvider(retouch, { maskConvention: 'transparent-edits' }); // masks drawn for OpenAI
 */
export interface RetouchProviderSettings {
  /**
   * Which pixels of the masks given to `generateImage` mark the area to edit. Retouch's models take
   * white-is-edit masks; masks drawn for OpenAI (transparent where the edit applies) are redrawn when
   * this is `transparent-edits`.
   * @default 'white-edits'
   */
  maskConvention?: MaskConvention;
}

/**
 * An AI SDK provider (spec v4) whose image models are Retouch models, e.g. `retouch.image('oxen:qwen-image-edit')`.
 * Retouch serves image edits only: the other model kinds throw `NoSuchModelError`.
 */
export interface RetouchProvider extends ProviderV4 {
  /**
   * The image model for a Retouch model string, `"provider:model"` (e.g. `oxen:qwen-image-edit`,
   * `edenai:openai/gpt-image-2`). Throws `NoSuchModelError` for a string of another form.
   */
  image(modelId: string): ImageModelV4;
  /** The same as {@link RetouchProvider.image}, under the name the provider spec gives it. */
  imageModel(modelId: string): ImageModelV4;
}

/**
 * Makes a Retouch client an AI SDK provider: `generateImage({ model: provider.image('oxen:qwen-image-edit'),
 * prompt: { text, images, mask } })` runs as a `retouch.edit()`, so the edit gets the client's lanes,
 * rate limits, safe retries, budget, fallbacks and deadlines, and reaches every provider registered
 * with it (Oxen.ai, Eden AI, or an AI SDK model wrapped with `fromImageModel`).
 *
 * - `prompt.images` are the pictures to edit (the first is the canvas); an edit needs at least one.
 * - `n`, `size`, `aspectRatio` and `seed` pass as they are; Retouch's other options go in
 *   `providerOptions.retouch` (`quality`, `outputFormat`, `negativePrompt`, `timeoutMs`, `priority`), and
 *   a provider's own options under its id (`providerOptions.oxen`).
 * - `result.calls[i].providerMetadata.retouch` holds the edit's `cost`, `jobId`, `model` (a fallback's
 *   when one served), `warnings` and `timings`; each image's `providerMetadata.retouch` its `jobId` and `model`.
 * - Errors: a provider's HTTP failure becomes an `APICallError` with `isRetryable: false` and the Retouch
 *   error as `cause` (the dispatcher already retried what was safe, so `generateImage` must not send it
 *   again); an invalid request an `InvalidArgumentError`; other Retouch errors pass through.
 *
 * @example
 * import { generateImage } from 'ai';
 * import { createRetouch } from '@retouch/core';
 * import { oxen } from '@retouch/provider-oxen';
 *
 * const retouch = createRetouchProvider(createRetouch({ providers: [oxen], budget: { maxUsd: 5 } }));
 * const { images, calls } = await generateImage({
 *   model: retouch.image('oxen:qwen-image-edit'),
 *   prompt: { text: 'Add a party hat', images: [await readFile('cat.png')] },
 *   maxRetries: 0,
 * });
 * console.log(calls[0].providerMetadata?.retouch.cost); // { usd: 0.03, source: 'reported' }
 */
export function createRetouchProvider(
  retouch: Retouch,
  settings: RetouchProviderSettings = {},
): RetouchProvider {
  if (
    typeof retouch !== 'object' ||
    retouch === null ||
    typeof (retouch as Partial<Retouch>).edit !== 'function'
  ) {
    throw new RetouchError({
      message:
        'createRetouchProvider: pass a Retouch client, e.g. createRetouchProvider(createRetouch({ providers: [oxen] }))',
    });
  }
  const maskConvention = settings.maskConvention ?? 'white-edits';
  if (!maskConventions.includes(maskConvention)) {
    throw new RetouchError({
      message: `createRetouchProvider: maskConvention must be ${maskConventions.map((value) => `'${value}'`).join(' or ')}`,
    });
  }
  const image = (modelId: string): ImageModelV4 => {
    if (typeof modelId !== 'string' || parseModelId(modelId) === undefined) {
      throw new NoSuchModelError({
        modelId: String(modelId),
        modelType: 'imageModel',
        message: `Retouch models are "provider:model" strings, e.g. "oxen:qwen-image-edit" or "edenai:openai/gpt-image-2"; got ${JSON.stringify(modelId)}`,
      });
    }
    return createRetouchImageModel({ retouch, modelId, maskConvention });
  };
  const none = (modelType: 'languageModel' | 'embeddingModel') => (modelId: string) => {
    throw new NoSuchModelError({
      modelId,
      modelType,
      message: `Retouch serves image edits only: use retouch.image("${modelId}") with generateImage`,
    });
  };
  return {
    specificationVersion: 'v4',
    image,
    imageModel: image,
    languageModel: none('languageModel'),
    embeddingModel: none('embeddingModel'),
  };
}
