import type { EditWarning, ModelCapabilities, ModelInfo, ModelPricing } from '@retouch/core';
import { edenaiPublishedPrice } from './edenai-prices.ts';
import type { EdenAIModel } from './edenai-wire.ts';

/**
 * What Retouch knows about a family of upstream models behind Eden AI, and how neutral options
 * travel to it. Eden forwards unknown body keys to the upstream model, so a family decides which
 * neutral options become which fields; models of no known family get every option forwarded
 * unchecked.
 */
export interface EdenAIModelFamily {
  /** A short name, for tests and messages. */
  readonly name: string;
  /** Whether the family serves this Eden model id (`provider/model`). */
  matches(modelId: string): boolean;
  /** What the models accept; `undefined` when unknown (everything is forwarded). */
  readonly capabilities: ModelCapabilities | undefined;
  /** Whether Eden can hand the upstream model an `https://` image URL. */
  readonly acceptsRemoteUrls: boolean;
  /**
   * Whether inputs may go by Eden `file_id`. Eden has reported "This feature is currently not
   * available" for `file_id` edits on a Gemini model, so those get `data:` URLs or multipart parts.
   */
  readonly acceptsFileIds: boolean;
  /**
   * How `aspectRatio` travels: as `size` (Eden's OpenAPI: "Vertex Imagen accepts square or
   * aspect-ratio strings"), as an `aspect_ratio` extra field, or by picking the `size` it names.
   * `documented` says whether Eden documents that size as the ratio's: when it does not, the size
   * sent is a warning saying so. A `size` is sent as given unless the family lists its sizes.
   */
  readonly aspectRatio:
    | 'size'
    | 'aspect_ratio'
    | { readonly sizes: Readonly<Record<string, string>>; readonly documented: boolean };
  /** Whether `outputFormat` is sent as `output_format` (dall-e-2 has no such parameter). */
  readonly outputFormatField: boolean;
}

const GPT_IMAGE_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536'] as const;
/**
 * The pixel size Google gives each aspect ratio of `gemini-2.5-flash-image` (Gemini API image
 * generation docs, "aspect ratios" table: about a megapixel, 1290 output tokens each).
 */
const GEMINI_SIZES: Readonly<Record<string, string>> = {
  '1:1': '1024x1024',
  '2:3': '832x1248',
  '3:2': '1248x832',
  '3:4': '864x1184',
  '4:3': '1184x864',
  '4:5': '896x1152',
  '5:4': '1152x896',
  '9:16': '768x1344',
  '16:9': '1344x768',
  '21:9': '1536x672',
};
const GEMINI_ASPECT_RATIOS = Object.keys(GEMINI_SIZES);
const IMAGEN_ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;

/** OpenAI's gpt-image models: files or `data:` URLs only, `b64_json` outputs, four sizes. */
const gptImage: EdenAIModelFamily = {
  name: 'openai/gpt-image',
  matches: (modelId) => /^openai\/gpt-image-/i.test(modelId),
  capabilities: {
    maxInputImages: 16,
    mask: true,
    maxOutputs: 10,
    sizes: GPT_IMAGE_SIZES,
    aspectRatios: ['1:1', '3:2', '2:3'],
    qualities: ['auto', 'low', 'medium', 'high'],
    outputFormats: ['png', 'jpeg', 'webp'],
    seed: false,
    negativePrompt: false,
  },
  acceptsRemoteUrls: false,
  acceptsFileIds: true,
  // The three sizes Eden's size description lists for OpenAI, one per ratio.
  aspectRatio: {
    sizes: { '1:1': '1024x1024', '3:2': '1536x1024', '2:3': '1024x1536' },
    documented: true,
  },
  outputFormatField: true,
};

/** OpenAI's dall-e-2 edit model: one square PNG and its mask, taken as a file. */
const dallE2: EdenAIModelFamily = {
  name: 'openai/dall-e-2',
  matches: (modelId) => /^openai\/dall-e-2$/i.test(modelId),
  capabilities: {
    maxInputImages: 1,
    mask: true,
    maxOutputs: 10,
    sizes: ['256x256', '512x512', '1024x1024'],
    aspectRatios: ['1:1'],
    outputFormats: ['png'],
    seed: false,
    negativePrompt: false,
  },
  acceptsRemoteUrls: false,
  acceptsFileIds: true,
  aspectRatio: { sizes: { '1:1': '1024x1024' }, documented: true },
  outputFormatField: false,
};

/** Google's Imagen models (Vertex): mask editing, aspect ratios in `size`, seed and negative prompt. */
const googleImagen: EdenAIModelFamily = {
  name: 'google/imagen',
  matches: (modelId) => /^google\/imagen/i.test(modelId),
  capabilities: {
    maxInputImages: 16,
    mask: true,
    maxOutputs: 4,
    aspectRatios: IMAGEN_ASPECT_RATIOS,
    outputFormats: ['png', 'jpeg'],
    seed: true,
    negativePrompt: true,
  },
  acceptsRemoteUrls: true,
  acceptsFileIds: true,
  aspectRatio: 'size',
  outputFormatField: true,
};

/**
 * Google's Gemini image models ("nano banana"): prompt-only edits. `size` is sent as given (Eden's
 * own Gemini edit example sends `"size": "1024x1024"`; only Vertex Imagen is documented to take
 * ratio strings). Eden documents no aspect-ratio field for Gemini edits (its `image_config` is
 * documented for chat completions only), so an aspect ratio becomes the pixel size Google lists for
 * it, with a warning: Eden may not honour a Gemini `size`.
 */
const googleGemini: EdenAIModelFamily = {
  name: 'google',
  matches: (modelId) => /^google\//i.test(modelId),
  capabilities: {
    maxInputImages: 16,
    mask: false,
    maxOutputs: 4,
    aspectRatios: GEMINI_ASPECT_RATIOS,
    seed: false,
    negativePrompt: false,
  },
  acceptsRemoteUrls: true,
  acceptsFileIds: false,
  aspectRatio: { sizes: GEMINI_SIZES, documented: false },
  outputFormatField: false,
};

/** Any other model: Eden validates nothing on its behalf, so every option is forwarded as is. */
const otherModels: EdenAIModelFamily = {
  name: 'other',
  matches: () => true,
  capabilities: undefined,
  acceptsRemoteUrls: true,
  acceptsFileIds: true,
  aspectRatio: 'aspect_ratio',
  outputFormatField: true,
};

const families: readonly EdenAIModelFamily[] = [gptImage, dallE2, googleImagen, googleGemini, otherModels];

/**
 * The family an Eden model id belongs to; models of no known family get the permissive `other`.
 *
 * @example
 * edenaiModelFamily('openai/gpt-image-2').acceptsRemoteUrls; // false
 */
export function edenaiModelFamily(modelId: string): EdenAIModelFamily {
  return families.find((family) => family.matches(modelId)) ?? otherModels;
}

/**
 * Whether a catalogue entry can edit images, from Eden's documented `capabilities` keys
 * (`input_modalities`, `output_modalities`): `yes` when it takes and outputs images, `no` when the
 * keys say otherwise, `unknown` when either key is missing (the catalogue's keys differ, or the
 * entry has no capabilities).
 */
export function imageEditSupport(model: {
  readonly id?: string;
  readonly capabilities?: unknown;
}): 'yes' | 'no' | 'unknown' {
  const capabilities = model.capabilities;
  if (typeof capabilities !== 'object' || capabilities === null || Array.isArray(capabilities))
    return 'unknown';
  const { input_modalities: input, output_modalities: output } = capabilities as Record<string, unknown>;
  if (!Array.isArray(input) || !Array.isArray(output)) return 'unknown';
  return asStrings(input).includes('image') && asStrings(output).includes('image') ? 'yes' : 'no';
}

/** Whether a catalogue entry says it takes and outputs images (see {@link imageEditSupport}). */
export function isImageEditModel(model: { readonly id?: string; readonly capabilities?: unknown }): boolean {
  return imageEditSupport(model) === 'yes';
}

function asStrings(values: readonly unknown[]): string[] {
  return values
    .filter((value): value is string => typeof value === 'string')
    .map((value) => value.toLowerCase());
}

/**
 * The per-image price of a catalogue entry, in USD, when its pricing says one. Eden's `pricing` is
 * an open object whose image keys are not documented; its documented LLM keys follow one pattern
 * (`input_cost_per_token`, `output_cost_per_token`), so a per-image price is read from
 * `output_cost_per_image` and its near spellings. `pricing` (after discounts) is preferred over
 * `list_pricing`. Token-priced models have no per-image price here.
 */
export function readPerImagePrice(model: EdenAIModel): number | undefined {
  return perImage(model.pricing) ?? perImage(model.list_pricing);
}

/**
 * The `pricing` keys a per-image price is read from, in order: Eden documents none for images, so
 * `output_cost_per_image` (after the documented per-token keys) and its near spellings.
 */
export const EDENAI_PER_IMAGE_PRICE_KEYS = [
  'output_cost_per_image',
  'cost_per_image',
  'price_per_image',
  'per_image',
] as const;

function perImage(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of EDENAI_PER_IMAGE_PRICE_KEYS) {
    const price = asPrice(record[key]);
    if (price !== undefined) return price;
  }
  return undefined;
}

function asPrice(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const number = Number(value.replace(/^\$/, '').trim());
    if (value.trim() !== '' && Number.isFinite(number) && number >= 0) return number;
  }
  return undefined;
}

/**
 * Turns a catalogue entry into a {@link ModelInfo}. Its price is the catalogue's per-image price,
 * else the published price of the built-in table (`edenai-prices.ts`); a model in neither has none.
 */
export function toModelInfo(model: EdenAIModel): ModelInfo {
  const family = edenaiModelFamily(model.id);
  const price = readPerImagePrice(model) ?? edenaiPublishedPrice(model.id)?.perImageUsd;
  const pricing: ModelPricing | undefined = price === undefined ? undefined : { perImageUsd: price };
  return {
    id: `edenai:${model.id}`,
    provider: 'edenai',
    modelId: model.id,
    ...(model.model_name ? { displayName: model.model_name } : {}),
    ...(model.description ? { description: model.description } : {}),
    ...(family.capabilities ? { capabilities: family.capabilities } : {}),
    ...(pricing ? { pricing } : {}),
  };
}

/**
 * Warnings for a model that does not take Eden file ids (Gemini): uploads asked for are skipped,
 * and a file id the caller passed is sent but may be refused.
 */
export function fileIdAdvice(options: {
  modelId: string;
  upload: 'never' | 'auto' | 'always';
  slots: readonly { path: string; image: { kind: string } }[];
}): EditWarning[] {
  if (edenaiModelFamily(options.modelId).acceptsFileIds) return [];
  const warnings: EditWarning[] = [];
  const why = `Eden has reported file_id edits failing on ${options.modelId} ("This feature is currently not available")`;
  if (
    options.upload === 'always' &&
    options.slots.some((slot) => slot.image.kind !== 'url' && slot.image.kind !== 'file-id')
  ) {
    warnings.push({
      type: 'other',
      message: `upload "always" was not applied: ${why}, so local pictures travel in the request itself`,
    });
  }
  for (const slot of options.slots) {
    if (slot.image.kind !== 'file-id') continue;
    warnings.push({
      type: 'other',
      message: `${slot.path}: sent by file_id as given, but ${why}; pass the picture itself if Eden refuses it`,
    });
  }
  return warnings;
}
