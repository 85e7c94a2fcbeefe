/**
 * The image models `POST /v1/images/edits` accepts, with the limits OpenAI's API reference gives for edits
 * (`ImageEditParams` in the reference and in openai-node's `src/resources/images.ts`, generated from
 * OpenAI's OpenAPI spec).
 */
export interface OpenAIImageModel {
  /** The model id, e.g. `gpt-image-1`. */
  id: string;
  /** `dall-e-2` takes one square PNG and answers URLs by default; the GPT image models take up to 16 images and answer base64. */
  family: 'dall-e' | 'gpt-image';
  /** Most input images per edit. */
  maxImages: number;
  /** Largest input image, in bytes. */
  maxImageBytes: number;
  /** Longest prompt, in characters. */
  maxPromptLength: number;
  /** The fixed sizes the model takes (`auto` included where allowed). */
  sizes: readonly string[];
  /** Whether any `WxH` with sides divisible by 16, a ratio within 1:3 to 3:1 and at most 3840x2160 is taken. */
  arbitrarySizes: boolean;
  /** The size used when the request names none. */
  defaultSize: string;
  /** Accepted `quality` values. */
  qualities: readonly string[];
  /** Whether `input_fidelity` is taken. */
  inputFidelity: boolean;
  /**
   * What the simulator charges, to fill `spentUsd`: per 1M tokens for the GPT image models, per image by
   * size for `dall-e-2`. Illustrative figures shaped like OpenAI's price list, not a copy of it.
   */
  pricing:
    | {
        kind: 'tokens';
        textInputPerMillion: number;
        imageInputPerMillion: number;
        imageOutputPerMillion: number;
      }
    | { kind: 'per-image'; bySize: Readonly<Record<string, number>> };
}

const MB = 1024 * 1024;
const gptSizes = ['1024x1024', '1536x1024', '1024x1536', 'auto'] as const;
const gptQualities = ['low', 'medium', 'high', 'auto'] as const;

/** The models the simulator serves. */
export const openAIImageModels: readonly OpenAIImageModel[] = [
  {
    id: 'dall-e-2',
    family: 'dall-e',
    maxImages: 1,
    maxImageBytes: 4 * MB,
    maxPromptLength: 1000,
    sizes: ['256x256', '512x512', '1024x1024'],
    arbitrarySizes: false,
    defaultSize: '1024x1024',
    qualities: ['standard', 'auto'],
    inputFidelity: false,
    pricing: { kind: 'per-image', bySize: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 } },
  },
  {
    id: 'gpt-image-1',
    family: 'gpt-image',
    maxImages: 16,
    maxImageBytes: 50 * MB,
    maxPromptLength: 32_000,
    sizes: gptSizes,
    arbitrarySizes: false,
    defaultSize: 'auto',
    qualities: gptQualities,
    inputFidelity: true,
    pricing: { kind: 'tokens', textInputPerMillion: 5, imageInputPerMillion: 10, imageOutputPerMillion: 40 },
  },
  {
    id: 'gpt-image-1-mini',
    family: 'gpt-image',
    maxImages: 16,
    maxImageBytes: 50 * MB,
    maxPromptLength: 32_000,
    sizes: gptSizes,
    arbitrarySizes: false,
    defaultSize: 'auto',
    qualities: gptQualities,
    inputFidelity: false,
    pricing: { kind: 'tokens', textInputPerMillion: 2, imageInputPerMillion: 2.5, imageOutputPerMillion: 8 },
  },
  {
    id: 'gpt-image-1.5',
    family: 'gpt-image',
    maxImages: 16,
    maxImageBytes: 50 * MB,
    maxPromptLength: 32_000,
    sizes: gptSizes,
    arbitrarySizes: false,
    defaultSize: 'auto',
    qualities: gptQualities,
    inputFidelity: true,
    pricing: { kind: 'tokens', textInputPerMillion: 5, imageInputPerMillion: 8, imageOutputPerMillion: 32 },
  },
  {
    id: 'gpt-image-2',
    family: 'gpt-image',
    maxImages: 16,
    maxImageBytes: 50 * MB,
    maxPromptLength: 32_000,
    sizes: gptSizes,
    arbitrarySizes: true,
    defaultSize: 'auto',
    qualities: gptQualities,
    inputFidelity: true,
    pricing: { kind: 'tokens', textInputPerMillion: 5, imageInputPerMillion: 8, imageOutputPerMillion: 30 },
  },
];

/** The model an edit names, or `undefined` for one the simulator does not serve. */
export function findOpenAIImageModel(id: string): OpenAIImageModel | undefined {
  return openAIImageModels.find((model) => model.id === id);
}

/** The model used when the request names none: the reference's current default. */
export const defaultOpenAIImageModel = 'gpt-image-1.5';

/**
 * Output tokens of one GPT image by quality and size, after the table in OpenAI's image generation
 * guide (`auto` counts as `medium`, and `auto` size as square).
 */
export function outputTokensPerImage(options: { quality: string; size: string }): number {
  const quality = options.quality === 'low' || options.quality === 'high' ? options.quality : 'medium';
  const [width, height] = options.size === 'auto' ? [1024, 1024] : options.size.split('x').map(Number);
  const square = width === height;
  const table = square
    ? { low: 272, medium: 1056, high: 4160 }
    : width! < height!
      ? { low: 408, medium: 1584, high: 6240 }
      : { low: 400, medium: 1568, high: 6208 };
  return table[quality];
}
