/*
 * The limits and spellings an `EditRequest` is checked against. They sit below both the request's
 * schema and its types, so each can read them without reaching the other.
 */

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
