import {
  CONNECTION_FLAG_SPECS,
  type ConnectionFlags,
  parseConnectionFlags,
} from '../args/connection-flags.ts';
import { EDIT_FLAG_SPECS, type EditFlags, parseEditFlags } from '../args/edit-flags.ts';
import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { checkModelId } from '../args/model-id.ts';
import { parseSpendingFlags, RETRY_FLAG_SPECS } from '../args/spending-flags.ts';

/** `retouch edit` options. */
export interface EditCommandOptions extends ConnectionFlags, EditFlags {
  model: string;
  prompt: string;
  /** Options for the model's provider (`--option key=value`). */
  providerOptions: Record<string, unknown>;
  /** Output directory. */
  out?: string;
  /** Refuse options the model would drop or adjust, instead of warning. */
  strict: boolean;
  /** Retries of a failed request (not 429s) before the edit fails. */
  maxRetries?: number;
}

/** The flags of `retouch edit`. */
export const EDIT_COMMAND_FLAGS: FlagSpecs = {
  ...CONNECTION_FLAG_SPECS,
  ...EDIT_FLAG_SPECS,
  ...RETRY_FLAG_SPECS,
  model: { type: 'string', short: 'm' },
  option: { type: 'string', multiple: true },
  out: { type: 'string' },
  strict: { type: 'boolean' },
};

/** Reads `retouch edit`'s flags: a model, a prompt and at least one image are required. */
export function parseEditArgs(flag: FlagReader): EditCommandOptions {
  const model = flag.string('model') ?? flag.fail('--model is required, e.g. --model oxen:qwen-image-edit');
  checkModelId({ model, command: 'edit' });
  const base = parseEditFlags(flag);
  if (base.prompt === undefined)
    flag.fail('--prompt is required: the edit to make, e.g. --prompt "make the sky purple"');
  if (base.images.length === 0)
    flag.fail('--image is required: the picture to edit, a file path or an https:// URL');
  const providerOptions: Record<string, unknown> = {};
  for (const option of flag.strings('option')) {
    const separator = option.indexOf('=');
    if (separator <= 0) flag.fail(`--option must be key=value, e.g. --option guidance=3; not "${option}"`);
    providerOptions[option.slice(0, separator).trim()] = parseOptionValue(option.slice(separator + 1));
  }
  const options: EditCommandOptions = {
    ...parseConnectionFlags(flag),
    ...base,
    model: model.trim(),
    prompt: base.prompt!,
    providerOptions,
    strict: flag.boolean('strict'),
  };
  const out = flag.string('out');
  if (out !== undefined) options.out = out;
  const { maxRetries } = parseSpendingFlags(flag);
  if (maxRetries !== undefined) options.maxRetries = maxRetries;
  return options;
}

/** `--option` values: JSON when they parse as JSON (numbers, booleans, arrays), text otherwise. */
function parseOptionValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
