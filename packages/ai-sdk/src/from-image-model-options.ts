import type { ImageModelV3, ImageModelV4 } from '@ai-sdk/provider';
import { type LaneLimits, PROVIDER_ID, RetouchError } from '@retouch/core';
import type { RequestsPerCall } from './ai-sdk-errors.ts';
import { type ImageModelPrices, priceProblems } from './image-model-prices.ts';
import { type MaskConvention, maskConventions } from './mask-convention.ts';

/** An AI SDK image model of either spec the bridge speaks. */
export type AISDKImageModel = ImageModelV4 | ImageModelV3;

/**
 * Options of {@link fromImageModel}.
 *
 * @example
 * fromImageModel(openai.image('gpt-image-1'), {
 *   id: 'openai',
 *   prices: { perImageUsd: 0.042 },
 *   limits: { requestsPerSecond: 1, concurrency: 2 },
 * });
 */
export interface FromImageModelOptions {
  /**
   * The Retouch provider id: the prefix of the model strings this adapter serves, e.g. `openai` for
   * `openai:gpt-image-1`, and the key of its `providerOptions`, `limits` and results.
   */
  id: string;
  /**
   * The model's prices, from your price list: the AI SDK reports no cost. Without them, an edit's cost
   * is unknown, and a client with a budget refuses it as it refuses any model without a price.
   */
  prices?: ImageModelPrices;
  /**
   * The limits of the provider's lane when the client configures none (`createRetouch({ limits })`
   * wins). The dispatcher counts each call of the model as one request.
   */
  limits?: LaneLimits;
  /**
   * Which pixels of a mask mark the area to edit for this model. Retouch's `mask` is white where the
   * edit applies; when the model wants `transparent-edits`, the bridge converts the mask (a PNG) before
   * sending it.
   * @default 'transparent-edits' for OpenAI's image models (provider `openai.*`), else 'white-edits'
   */
  maskConvention?: MaskConvention;
  /**
   * The key under which the model reads its provider options, e.g. `openai` for `openai.image`:
   * `providerOptions.<id>` of a Retouch request is passed as `providerOptions.<providerOptionsKey>`.
   * @default the model's `provider` up to its first dot
   */
  providerOptionsKey?: string;
  /**
   * How many requests one call of the model sends its provider, which decides whether an error proves
   * that nothing was processed (and so whether the dispatcher may send the edit again):
   * - `one`: the model sends one request (after downloading URL inputs), so a 429, a 503 or a refused
   *   connection is proof;
   * - `several`: the model submits, then polls or downloads (queue and prediction APIs), so an error may
   *   come after the work was accepted and nothing is taken as proof: a failed edit is not sent again.
   * @default 'one' for OpenAI's image models (provider `openai.*`), else 'several'
   */
  requestsPerCall?: RequestsPerCall;
}

/** The options with their defaults worked out from the model. */
export interface ResolvedImageModelOptions {
  id: string;
  prices: ImageModelPrices | undefined;
  limits: LaneLimits | undefined;
  maskConvention: MaskConvention;
  providerOptionsKey: string;
  requestsPerCall: RequestsPerCall;
}

/** OpenAI's image models: one POST per call, transparent-is-edit masks (checked against `@ai-sdk/openai`). */
function isOpenAIModel(model: AISDKImageModel): boolean {
  return model.provider === 'openai' || model.provider.startsWith('openai.');
}

/**
 * Checks the model and the options, before any network call, and fills in the defaults. Throws a
 * `RetouchError` listing every problem with the field and the fix.
 */
export function resolveImageModelOptions(model: unknown, options: unknown): ResolvedImageModelOptions {
  const problems: string[] = [];
  if (typeof model === 'string') {
    throw new RetouchError({
      message: `fromImageModel: model is the string "${model}"; pass an AI SDK image model object, e.g. openai.image('gpt-image-1') from @ai-sdk/openai`,
    });
  }
  const candidate = model as Partial<AISDKImageModel> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.doGenerate !== 'function') {
    throw new RetouchError({
      message:
        "fromImageModel: model must be an AI SDK image model (an object with doGenerate), e.g. openai.image('gpt-image-1')",
    });
  }
  const version = (candidate as { specificationVersion?: unknown }).specificationVersion;
  if (version !== 'v3' && version !== 'v4') {
    throw new RetouchError({
      message: `fromImageModel: the model implements image model spec ${String(version)}; the bridge takes v3 and v4 (AI SDK 6 and 7 provider packages): upgrade the provider package`,
    });
  }
  const imageModel = candidate as AISDKImageModel;
  if (typeof options !== 'object' || options === null) {
    throw new RetouchError({
      message: "fromImageModel: options are required: pass { id }, e.g. { id: 'openai' }",
    });
  }
  const given = options as Partial<Record<keyof FromImageModelOptions, unknown>>;
  const known = ['id', 'prices', 'limits', 'maskConvention', 'providerOptionsKey', 'requestsPerCall'];
  for (const key of Object.keys(given)) {
    if (!known.includes(key))
      problems.push(`options.${key} is not an option; known options are ${known.join(', ')}`);
  }
  if (typeof given.id !== 'string' || !PROVIDER_ID.test(given.id)) {
    problems.push(
      `options.id must be a provider id of lower-case letters, digits and dashes, starting with a letter, e.g. 'openai'${given.id === undefined ? '' : ` (got ${JSON.stringify(given.id)})`}`,
    );
  }
  problems.push(...priceProblems(given.prices).map((problem) => `options.${problem}`));
  if (given.limits !== undefined) {
    const limits = given.limits as Record<string, unknown>;
    if (typeof limits !== 'object' || limits === null) {
      problems.push('options.limits must be an object such as { concurrency: 2, requestsPerSecond: 1 }');
    } else {
      if (
        limits.concurrency !== undefined &&
        !(Number.isInteger(limits.concurrency) && (limits.concurrency as number) >= 1)
      ) {
        problems.push('options.limits.concurrency must be a whole number, 1 or more');
      }
      if (
        limits.requestsPerSecond !== undefined &&
        !(
          typeof limits.requestsPerSecond === 'number' &&
          Number.isFinite(limits.requestsPerSecond) &&
          limits.requestsPerSecond > 0
        )
      ) {
        problems.push(
          'options.limits.requestsPerSecond must be a number greater than 0, e.g. 0.5 for one request every two seconds',
        );
      }
    }
  }
  if (
    given.maskConvention !== undefined &&
    !maskConventions.includes(given.maskConvention as MaskConvention)
  ) {
    problems.push(
      `options.maskConvention must be ${maskConventions.map((value) => `'${value}'`).join(' or ')}`,
    );
  }
  if (
    given.providerOptionsKey !== undefined &&
    (typeof given.providerOptionsKey !== 'string' || given.providerOptionsKey === '')
  ) {
    problems.push("options.providerOptionsKey must be the model's provider options key, e.g. 'openai'");
  }
  if (
    given.requestsPerCall !== undefined &&
    given.requestsPerCall !== 'one' &&
    given.requestsPerCall !== 'several'
  ) {
    problems.push("options.requestsPerCall must be 'one' or 'several'");
  }
  if (problems.length > 0) {
    throw new RetouchError({
      message: `fromImageModel(${imageModel.provider} ${imageModel.modelId}): ${problems.join('; ')}`,
    });
  }
  const openAI = isOpenAIModel(imageModel);
  return {
    id: given.id as string,
    prices: given.prices as ImageModelPrices | undefined,
    limits: given.limits as LaneLimits | undefined,
    maskConvention:
      (given.maskConvention as MaskConvention | undefined) ?? (openAI ? 'transparent-edits' : 'white-edits'),
    providerOptionsKey:
      (given.providerOptionsKey as string | undefined) ?? imageModel.provider.split('.')[0]!,
    requestsPerCall: (given.requestsPerCall as RequestsPerCall | undefined) ?? (openAI ? 'one' : 'several'),
  };
}
