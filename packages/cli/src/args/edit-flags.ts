import { type NeutralEditOptions, OUTPUT_FORMAT_ALIASES } from '@retouch/compare';
import { ASPECT_RATIO_PATTERN, OUTPUT_FORMATS, QUALITIES, SIZE_PATTERN } from '@retouch/core';
import { OUTPUTS_RULE, SEED_RULE, TIMEOUT_RULE } from '../number-rules.ts';
import type { FlagReader, FlagSpecs } from './flag-reader.ts';

/** The neutral edit options a command line can set. */
export interface EditFlags extends NeutralEditOptions {
  prompt?: string;
  images: string[];
  mask?: string;
  /** Seconds before an edit is abandoned (`--timeout`). */
  timeoutSeconds?: number;
}

/** The flags of {@link EditFlags}, shared by `edit` and `compare`. */
export const EDIT_FLAG_SPECS: FlagSpecs = {
  prompt: { type: 'string', short: 'p' },
  image: { type: 'string', short: 'i', multiple: true },
  mask: { type: 'string' },
  size: { type: 'string' },
  'aspect-ratio': { type: 'string' },
  quality: { type: 'string' },
  'output-format': { type: 'string' },
  n: { type: 'string' },
  seed: { type: 'string' },
  'negative-prompt': { type: 'string' },
  timeout: { type: 'string' },
};

/** Reads the {@link EditFlags}; whether the prompt and images are required is the command's call. */
export function parseEditFlags(flag: FlagReader): EditFlags {
  const options: EditFlags = { images: flag.strings('image') };
  const prompt = flag.string('prompt');
  if (prompt !== undefined) options.prompt = prompt;
  const mask = flag.string('mask');
  if (mask !== undefined) options.mask = mask;
  const size = flag.string('size');
  if (size !== undefined) {
    if (!SIZE_PATTERN.test(size)) flag.fail(`--size must be WxH such as 1024x1024, or auto; not "${size}"`);
    options.size = size;
  }
  const aspectRatio = flag.string('aspect-ratio');
  if (aspectRatio !== undefined) {
    if (!ASPECT_RATIO_PATTERN.test(aspectRatio))
      flag.fail(`--aspect-ratio must be W:H such as 16:9, not "${aspectRatio}"`);
    options.aspectRatio = aspectRatio;
  }
  const quality = flag.oneOf('quality', QUALITIES);
  if (quality) options.quality = quality;
  const outputFormat = readOutputFormat(flag);
  if (outputFormat) options.outputFormat = outputFormat;
  const n = flag.number('n', OUTPUTS_RULE);
  if (n !== undefined) options.n = n;
  const seed = flag.number('seed', SEED_RULE);
  if (seed !== undefined) options.seed = seed;
  const negativePrompt = flag.string('negative-prompt');
  if (negativePrompt !== undefined) options.negativePrompt = negativePrompt;
  const timeout = flag.number('timeout', TIMEOUT_RULE);
  if (timeout !== undefined) options.timeoutSeconds = timeout;
  return options;
}

type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `--output-format`, where `jpg` stands for `jpeg`, the name the edit request (and so each provider) is given. */
function readOutputFormat(flag: FlagReader): OutputFormat | undefined {
  const value = flag.string('output-format');
  if (value === undefined) return undefined;
  const format = OUTPUT_FORMAT_ALIASES[value] ?? value;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    flag.fail(`--output-format must be one of ${OUTPUT_FORMATS.join(', ')} (or jpg), not "${value}"`);
  }
  return format as OutputFormat;
}
