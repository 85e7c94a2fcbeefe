/**
 * The neutral edit options the CLI passes through to every request, whether they come from flags
 * (`retouch edit`, `retouch compare`), a compare config file, or {@link runCompare}'s `editOptions`.
 */
export interface NeutralEditOptions {
  /** Output size, `WxH` or `auto`. */
  size?: string;
  /** Output aspect ratio, `W:H`. */
  aspectRatio?: string;
  /** Output quality. */
  quality?: 'auto' | 'low' | 'medium' | 'high';
  /** Output format. */
  outputFormat?: 'png' | 'jpeg' | 'webp';
  /** Outputs per edit. */
  n?: number;
  /** Seed, for models that honour one. */
  seed?: number;
  /** What to avoid, for models that take it. */
  negativePrompt?: string;
}

/** What a size may be: `auto` or `WxH`. Flags and config files check it the same way. */
export const SIZE_PATTERN = /^(auto|[1-9]\d{1,4}x[1-9]\d{1,4})$/;

/** What an aspect ratio may be: `W:H`, each side 1 to 999. */
export const ASPECT_RATIO_PATTERN = /^[1-9]\d{0,2}:[1-9]\d{0,2}$/;

/** The qualities a request may ask for. */
export const QUALITIES = ['auto', 'low', 'medium', 'high'] as const;

/** The output formats a request may ask for. */
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;

/** How many outputs one edit may ask for. */
export const N_RANGE = { min: 1, max: 10 } as const;

/** The seeds a request may carry: an unsigned 32-bit integer. */
export const SEED_RANGE = { min: 0, max: 2 ** 32 - 1 } as const;

/** The names of the neutral edit options, in the order a request lists them. */
export const NEUTRAL_EDIT_OPTION_KEYS = [
  'size',
  'aspectRatio',
  'quality',
  'outputFormat',
  'n',
  'seed',
  'negativePrompt',
] as const satisfies readonly (keyof NeutralEditOptions)[];

/**
 * The neutral edit options set in `sources`, each taken from the first source that gives it (flags
 * before a config file), and only those: the result spreads into an edit request as it is. An empty
 * string counts as given but not set, as an empty flag does.
 *
 * @example
 * pickEditOptions([{ size: '1024x1024' }, { size: '512x512', seed: 7 }]); // { size: '1024x1024', seed: 7 }
 */
export function pickEditOptions(sources: readonly (NeutralEditOptions | undefined)[]): NeutralEditOptions {
  const picked: NeutralEditOptions = {};
  const copy = <Key extends (typeof NEUTRAL_EDIT_OPTION_KEYS)[number]>(key: Key): void => {
    const value = sources.find((source) => source?.[key] !== undefined)?.[key];
    if (value !== undefined && value !== '') picked[key] = value;
  };
  for (const key of NEUTRAL_EDIT_OPTION_KEYS) copy(key);
  return picked;
}
