import { EDIT_OPTION_KEYS, type EditOptions } from '@retouch/core';

/**
 * The neutral edit options the CLI passes through to every request, whether they come from flags
 * (`retouch edit`, `retouch compare`), a compare config file, or {@link runCompare}'s `editOptions`:
 * core's {@link EditOptions}, checked by core's rules.
 */
export type NeutralEditOptions = EditOptions;

/**
 * Other names people write for an output format, as file extensions spell it: `jpg` for `jpeg`, taken
 * by `--output-format` and a config's `outputFormat` alike.
 */
export const OUTPUT_FORMAT_ALIASES: Readonly<Record<string, 'jpeg'>> = { jpg: 'jpeg' };

/** The names of the neutral edit options, in the order a request lists them. */
export const NEUTRAL_EDIT_OPTION_KEYS = EDIT_OPTION_KEYS;

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
