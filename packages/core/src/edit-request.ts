import type * as z from 'zod/mini';
import type { EDIT_OPTION_KEYS } from './edit-request-constants.ts';
import type { NormalizedImage } from './image-input.ts';
import type { editRequestSchema } from './schemas/edit-request-schema.ts';

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
