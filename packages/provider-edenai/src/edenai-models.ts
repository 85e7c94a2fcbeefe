import type { EditWarning, ModelCapabilities, ModelInfo, ModelPricing } from '@retouch/core';
import type { EdenAIModel } from './edenai-api.ts';

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
   * A `size` is sent as given unless the family lists its sizes.
   */
  readonly aspectRatio: 'size' | 'aspect_ratio' | { readonly sizes: Readonly<Record<string, string>> };
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
  aspectRatio: { sizes: { '1:1': '1024x1024', '3:2': '1536x1024', '2:3': '1024x1536' } },
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
  aspectRatio: { sizes: { '1:1': '1024x1024' } },
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
 * ratio strings), and an aspect ratio becomes the pixel size Google lists for it.
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
  aspectRatio: { sizes: GEMINI_SIZES },
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

/** Whether a `GET /v3/models` entry can edit images. */
export function isImageEditModel(model: EdenAIModel): boolean {
  const capabilities = model.capabilities;
  if (capabilities === undefined || capabilities === null) return false;
  if (mentionsImageEdit(capabilities)) return true;
  // An `{ input: [...], output: [...] }` description: images in and images out is an edit model.
  if (typeof capabilities === 'object' && !Array.isArray(capabilities)) {
    const record = capabilities as Record<string, unknown>;
    const input = asStrings(record.input ?? record.inputs);
    const output = asStrings(record.output ?? record.outputs);
    return input.some(isImageWord) && output.some(isImageWord);
  }
  return false;
}

const IMAGE_EDIT = /image[\s_./-]*edit|images\/edits/i;

function mentionsImageEdit(value: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (typeof value === 'string') return IMAGE_EDIT.test(value);
  if (Array.isArray(value)) return value.some((item) => mentionsImageEdit(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(
      ([key, item]) =>
        (IMAGE_EDIT.test(key) && item !== false && item !== null) || mentionsImageEdit(item, depth + 1),
    );
  }
  return false;
}

function asStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isImageWord(value: string): boolean {
  return /^image/i.test(value);
}

/**
 * The per-image price of a model entry, in USD, when its pricing says one. Eden does not document
 * the pricing keys of image models (its pages quote e.g. "$0.053 per image"), so this reads the
 * plausible shapes: a `per_image`-like key holding a number or numeric string, a `{ price, unit }`
 * pair whose unit is an image, or such a sentence. `pricing` is preferred over `list_pricing`.
 */
export function readPerImagePrice(model: EdenAIModel): number | undefined {
  return perImage(model.pricing, 0) ?? perImage(model.list_pricing, 0);
}

const PER_IMAGE_KEY = /^(?:(?:price|cost|usd)_?)?per_?(?:output_?)?image(?:_?(?:usd|price|cost))?$|^image$/i;
const PRICE_SENTENCE = /\$\s*(\d+(?:\.\d+)?)\s*(?:usd\s*)?(?:\/|per)\s*(?:output\s*)?image/i;

function perImage(value: unknown, depth: number): number | undefined {
  if (depth > 3 || value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const match = PRICE_SENTENCE.exec(value);
    return match ? Number(match[1]) : undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(record)) {
    if (PER_IMAGE_KEY.test(key)) {
      const price = asPrice(item);
      if (price !== undefined) return price;
      const nested = perImage(item, depth + 1);
      if (nested !== undefined) return nested;
    }
  }
  const unit = typeof record.unit === 'string' ? record.unit : '';
  if (/image/i.test(unit)) {
    for (const key of ['price', 'amount', 'cost', 'usd', 'value']) {
      const price = asPrice(record[key]);
      if (price !== undefined) return price;
    }
  }
  for (const item of Object.values(record)) {
    if (typeof item === 'object' || typeof item === 'string') {
      const nested = perImage(item, depth + 1);
      if (nested !== undefined) return nested;
    }
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

/** Turns a `GET /v3/models` entry into a {@link ModelInfo}. */
export function toModelInfo(model: EdenAIModel): ModelInfo {
  const family = edenaiModelFamily(model.id);
  const price = readPerImagePrice(model);
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
