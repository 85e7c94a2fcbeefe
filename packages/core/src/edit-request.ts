import type { z } from 'zod';
import { InvalidRequestError, type RequestIssue } from './errors/invalid-request-error.ts';
import { type NormalizedImage, normalizeImageNow } from './image-input.ts';
import type { editRequestSchema } from './schemas/edit-request-schema.ts';
import { loadSchemas } from './schemas/load-schemas.ts';

/** What a provider id may be: lower case, digits and dashes. */
export const PROVIDER_ID = /^[a-z][a-z0-9-]*$/;
/** What a model string may be: `provider:model`. */
export const MODEL_ID = /^([a-z][a-z0-9-]*):(\S+)$/;

/** The largest prompt any supported provider accepts (Eden AI: 32,000 characters). */
export const MAX_PROMPT_LENGTH = 32_000;
/** The most input images a request may carry. */
export const MAX_INPUT_IMAGES = 16;
/** The most output images one request may ask for. */
export const MAX_OUTPUTS = 10;
/** The largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 2 ** 32 - 1;
/** What `size` may be: `"auto"` or `"WxH"`. */
export const SIZE_PATTERN = /^(auto|[1-9]\d{1,4}x[1-9]\d{1,4})$/;
/** What `aspectRatio` may be: `"W:H"`, each side 1 to 999. */
export const ASPECT_RATIO_PATTERN = /^[1-9]\d{0,2}:[1-9]\d{0,2}$/;
/** The qualities a request may ask for. */
export const QUALITIES = ['auto', 'low', 'medium', 'high'] as const;
/** The output formats a request may ask for, in neutral spelling. */
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;

/** The neutral options a request may carry besides its model, prompt, images and mask. */
export const EDIT_OPTION_KEYS = [
  'size',
  'aspectRatio',
  'quality',
  'outputFormat',
  'n',
  'seed',
  'negativePrompt',
] as const;

/** The neutral options of a request ({@link EDIT_OPTION_KEYS}). */
export type EditOptions = Pick<EditRequest, (typeof EDIT_OPTION_KEYS)[number]>;

/**
 * A provider-neutral image edit: what to change, on which pictures, with which model.
 * The provider is the prefix of `model`; swapping providers means changing that one string.
 *
 * @example
 * const request: EditRequest = {
 *   model: 'oxen:qwen-image-edit',
 *   prompt: 'Make the background blue',
 *   images: ['https://example.com/photo.jpg'],
 *   aspectRatio: '1:1',
 * };
 */
export type EditRequest = z.input<typeof editRequestSchema>;

/**
 * The neutral request fields a model may not honour exactly, as warnings and strict-mode errors name
 * them (a provider-specific setting is named `providerOptions.<provider>.<key>`).
 */
export type EditOptionName =
  | 'images'
  | 'mask'
  | 'n'
  | 'size'
  | 'aspectRatio'
  | 'quality'
  | 'outputFormat'
  | 'seed'
  | 'negativePrompt';

/**
 * A validated request as adapters receive it: images normalized, the model split into provider and
 * model id, and only this provider's `providerOptions`.
 */
export interface NormalizedEditRequest {
  /** The full model string, e.g. `oxen:qwen-image-edit`. */
  readonly model: string;
  /** The provider id, e.g. `oxen`. */
  readonly provider: string;
  /** The provider's model id, e.g. `qwen-image-edit` or `openai/gpt-image-2`. */
  readonly modelId: string;
  /** What to change, in words. */
  readonly prompt: string;
  /** The input images, validated and normalized; the first is the canvas. */
  readonly images: readonly NormalizedImage[];
  /** The mask image, when the request has one. */
  readonly mask?: NormalizedImage;
  /** Number of outputs asked for; 1 when the request omitted it. */
  readonly n: number;
  /** True when the caller set `n` explicitly. */
  readonly nExplicit: boolean;
  /** Output size, `"WxH"` or `"auto"`, when requested. */
  readonly size?: string;
  /** Output aspect ratio, `"W:H"`, when requested. */
  readonly aspectRatio?: string;
  /** Rendering quality, when requested. */
  readonly quality?: 'auto' | 'low' | 'medium' | 'high';
  /** Output format in neutral spelling, when requested. */
  readonly outputFormat?: 'png' | 'jpeg' | 'webp';
  /** The seed, when requested. */
  readonly seed?: number;
  /** What the edit should avoid, when requested. */
  readonly negativePrompt?: string;
  /** The options given for this provider under `providerOptions[provider]`. */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** The deadline of the whole edit in milliseconds, when the request set one. */
  readonly timeoutMs?: number;
  /** The caller's abort signal, when the request has one. */
  readonly signal?: AbortSignal;
}

/** Splits `"provider:model"` into its parts, or returns `undefined` if it is not of that form. */
export function parseModelId(model: string):
  | {
      /** The provider id, e.g. `oxen`. */
      provider: string;
      /** The provider's model id, e.g. `qwen-image-edit`. */
      modelId: string;
    }
  | undefined {
  const match = MODEL_ID.exec(model);
  return match ? { provider: match[1]!, modelId: match[2]! } : undefined;
}

/**
 * Validates an {@link EditRequest} and normalizes its images, without any network call.
 * Throws {@link InvalidRequestError} listing every problem with its field path and fix.
 *
 * @example
 * const normalized = await normalizeEditRequest({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: [{ path: 'cat.png' }] });
 */
export async function normalizeEditRequest(request: unknown): Promise<NormalizedEditRequest> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidRequestError({
      issues: [{ path: '', message: 'the request must be an object { model, prompt, images, ... }' }],
    });
  }
  const { editRequestSchema, toRequestIssues } = loadSchemas.loaded() ?? (await loadSchemas());
  const parsed = editRequestSchema.safeParse(request);
  if (!parsed.success) throw new InvalidRequestError({ issues: toRequestIssues(parsed.error.issues) });
  const value = parsed.data;
  const { provider, modelId } = parseModelId(value.model)!;

  const issues: RequestIssue[] = [];
  const record = (error: unknown): undefined => {
    if (!InvalidRequestError.isInstance(error)) throw error;
    issues.push(...error.issues);
    return undefined;
  };
  // An image that needs no reading (a URL, bytes) is normalized at once: this runs for every edit.
  const normalize = (
    input: unknown,
    path: string,
  ): NormalizedImage | Promise<NormalizedImage | undefined> | undefined => {
    try {
      const image = normalizeImageNow(input, path);
      return image instanceof Promise ? image.catch(record) : image;
    } catch (error) {
      return record(error);
    }
  };
  const given = value.images.map((image, index) => normalize(image, `images.${index}`));
  const images = given.some((image) => image instanceof Promise)
    ? await Promise.all(given)
    : (given as (NormalizedImage | undefined)[]);
  const mask = value.mask === undefined ? undefined : await normalize(value.mask, 'mask');
  for (let index = 0; index <= images.length; index++) {
    const image = index < images.length ? images[index] : mask;
    if (image?.kind === 'file-id' && image.provider !== provider) {
      issues.push({
        path: index < images.length ? `images.${index}` : 'mask',
        message: `the file was uploaded to "${image.provider}" but the model is served by "${provider}"; upload it to ${provider} or pass the image itself`,
      });
    }
  }
  // Options keyed by other providers are allowed and not passed on: one request may be sent to
  // several models in a comparison or a fallback chain.
  if (issues.length > 0) throw new InvalidRequestError({ issues });

  // Assigned field by field rather than with conditional spreads: this runs for every edit, and each
  // spread allocates a throw-away object.
  const normalized: { -readonly [Key in keyof NormalizedEditRequest]: NormalizedEditRequest[Key] } = {
    model: value.model,
    provider,
    modelId,
    prompt: value.prompt,
    images: images as NormalizedImage[],
    n: value.n ?? 1,
    nExplicit: value.n !== undefined,
    providerOptions: value.providerOptions?.[provider] ?? {},
  };
  if (mask) normalized.mask = mask;
  if (value.size !== undefined) normalized.size = value.size;
  if (value.aspectRatio !== undefined) normalized.aspectRatio = value.aspectRatio;
  if (value.quality !== undefined) normalized.quality = value.quality;
  if (value.outputFormat !== undefined) normalized.outputFormat = value.outputFormat;
  if (value.seed !== undefined) normalized.seed = value.seed;
  if (value.negativePrompt !== undefined) normalized.negativePrompt = value.negativePrompt;
  if (value.timeoutMs !== undefined) normalized.timeoutMs = value.timeoutMs;
  if (value.signal !== undefined) normalized.signal = value.signal;
  return normalized;
}
