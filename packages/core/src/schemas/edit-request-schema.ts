import * as z from 'zod/mini';
import {
  ASPECT_RATIO_PATTERN,
  type EDIT_OPTION_KEYS,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  OUTPUT_FORMATS,
  QUALITIES,
  SIZE_PATTERN,
} from '../edit-request-constants.ts';
import type { RequestIssue } from '../errors/invalid-request-error.ts';
import type { ImageInput } from '../image-input.ts';
import { MODEL_ID, PROVIDER_ID } from '../model-id.ts';
import { lazyZodSchema } from './lazy-zod-schema.ts';

const imageInputSchema = lazyZodSchema(() =>
  z.custom<ImageInput>(
    (value) =>
      typeof value === 'string' ||
      value instanceof Uint8Array ||
      value instanceof ArrayBuffer ||
      value instanceof Blob ||
      (typeof value === 'object' && value !== null && ('path' in value || 'fileId' in value)),
    {
      error:
        'expected an image: an http(s) URL, a data: URL, a Uint8Array/ArrayBuffer, a Blob, { path } or { fileId, provider }',
    },
  ),
);

/**
 * Zod schema of an `EditRequest`. Every message names the fix, and unknown keys are
 * rejected (a typo such as `aspect_ratio` would otherwise be silently ignored).
 */
export const editRequestSchema = lazyZodSchema(() =>
  z.strictObject({
    /**
     * The model as `"provider:model"`, e.g. `"oxen:qwen-image-edit"` or `"edenai:openai/gpt-image-2"`.
     * The prefix picks the provider: swapping providers means changing this one string.
     */
    model: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'model is required: a "provider:model" string such as "oxen:qwen-image-edit"'
            : 'model must be a "provider:model" string such as "oxen:qwen-image-edit"',
      })
      .check(
        z.regex(MODEL_ID, {
          error: 'model must be "provider:model", e.g. "oxen:qwen-image-edit" or "edenai:openai/gpt-image-2"',
        }),
      ),
    /** What to change, in words: e.g. `"make the sky purple"`. At most 32,000 characters. */
    prompt: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'prompt is required: a text instruction such as "make the sky purple"'
            : 'prompt must be a string: a text instruction such as "make the sky purple"',
      })
      .check(
        z.refine((value) => value.trim().length > 0, { error: 'prompt is empty; describe the edit to make' }),
        z.refine((value) => value.length <= MAX_PROMPT_LENGTH, {
          error: `prompt is longer than ${MAX_PROMPT_LENGTH} characters; shorten it`,
        }),
      ),
    /**
     * The pictures to edit, 1 to 16 of them (see {@link ImageInput}). The first is the canvas; the
     * others are references for models that take several.
     */
    images: z
      .array(imageInputSchema, {
        error: (issue) =>
          issue.input === undefined
            ? `images is required: an array of 1 to ${MAX_INPUT_IMAGES} input images`
            : `images must be an array of 1 to ${MAX_INPUT_IMAGES} input images; wrap a single image in [ ]`,
      })
      .check(
        z.minLength(1, { error: 'images is empty; pass at least one input image' }),
        z.maxLength(MAX_INPUT_IMAGES, {
          error: (issue) =>
            `images has ${(issue.input as unknown[]).length} entries; at most ${MAX_INPUT_IMAGES} are allowed, pass fewer`,
        }),
      ),
    /** An image whose white pixels mark where the edit may change the picture, for models that take one. */
    mask: z.optional(imageInputSchema),
    /**
     * How many output images to make, 1 to 10.
     * @default 1
     */
    n: z.optional(
      z
        .number({ error: `n must be a whole number of output images from 1 to ${MAX_OUTPUTS}` })
        .check(
          z.int({ error: `n must be a whole number from 1 to ${MAX_OUTPUTS}` }),
          z.gte(1, { error: `n must be at least 1; omit it for one image` }),
          z.lte(MAX_OUTPUTS, { error: `n must be at most ${MAX_OUTPUTS}; send several requests for more` }),
        ),
    ),
    /** Output size as `"WxH"` (e.g. `"1024x1024"`) or `"auto"`, for models that take a size. */
    size: z.optional(
      z
        .string({ error: 'size must be a string "WxH" such as "1024x1024", or "auto"' })
        .check(z.regex(SIZE_PATTERN, { error: 'size must be "WxH" such as "1024x1024", or "auto"' })),
    ),
    /** Output aspect ratio as `"W:H"`, e.g. `"16:9"` or `"1:1"`, for models that take one. */
    aspectRatio: z.optional(
      z
        .string({ error: 'aspectRatio must be a string "W:H" such as "16:9"' })
        .check(z.regex(ASPECT_RATIO_PATTERN, { error: 'aspectRatio must be "W:H" such as "16:9" or "1:1"' })),
    ),
    /** Rendering quality, for models that offer a choice. */
    quality: z.optional(
      z.enum(QUALITIES, {
        error: 'quality must be one of "auto", "low", "medium", "high"',
      }),
    ),
    /** The output image format, in neutral spelling: `jpeg`, not `jpg`. */
    outputFormat: z.optional(
      z.enum(OUTPUT_FORMATS, {
        error: 'outputFormat must be one of "png", "jpeg", "webp" (use "jpeg", not "jpg")',
      }),
    ),
    /** A seed for reproducible outputs, for models that honour one. */
    seed: z.optional(
      z
        .number({ error: 'seed must be a whole number' })
        .check(
          z.int({ error: 'seed must be a whole number' }),
          z.gte(0, { error: 'seed must be 0 or more' }),
          z.lte(MAX_SEED, { error: `seed must be at most ${MAX_SEED}` }),
        ),
    ),
    /** What the edit should avoid, for models that take a negative prompt. */
    negativePrompt: z.optional(
      z.string({ error: 'negativePrompt must be a string describing what to avoid' }).check(
        z.maxLength(MAX_PROMPT_LENGTH, {
          error: `negativePrompt is longer than ${MAX_PROMPT_LENGTH} characters; shorten it`,
        }),
      ),
    ),
    /**
     * Options only one provider understands, keyed by provider id and passed to its model as they
     * are, e.g. `{ oxen: { guidance: 3 } }`. Options for other providers are ignored, so one request can
     * go to several providers in a comparison or a fallback chain.
     */
    providerOptions: z.optional(
      z.record(
        z.string().check(
          z.regex(PROVIDER_ID, {
            error: 'providerOptions keys are provider ids such as "oxen" or "edenai"',
          }),
        ),
        z.record(z.string(), z.unknown(), {
          error:
            "providerOptions.<provider> must be an object of that provider's options, e.g. { oxen: { guidance: 3 } }",
        }),
        { error: 'providerOptions must be an object keyed by provider id, e.g. { oxen: { ... } }' },
      ),
    ),
    /** Aborts the edit: nothing more is sent, and a provider-side job is cancelled where possible. */
    signal: z.optional(
      z.custom<AbortSignal>((value) => value instanceof AbortSignal, {
        error: 'signal must be an AbortSignal',
      }),
    ),
    /** A deadline for the whole edit, in milliseconds, including waiting in queues and retries. */
    timeoutMs: z.optional(
      z
        .number({ error: 'timeoutMs must be a number of milliseconds' })
        .check(
          z.int({ error: 'timeoutMs must be a whole number of milliseconds' }),
          z.positive({ error: 'timeoutMs must be greater than 0; omit it for no deadline' }),
          z.lte(24 * 60 * 60 * 1000, { error: 'timeoutMs must be at most 24 hours (86400000)' }),
        ),
    ),
  }),
);

/** The neutral options alone, with the request's own rules and messages. */
const editOptionsSchema = lazyZodSchema(() =>
  z.pick(editRequestSchema, {
    size: true,
    aspectRatio: true,
    quality: true,
    outputFormat: true,
    n: true,
    seed: true,
    negativePrompt: true,
  }),
);

/** What {@link checkEditOption} found. */
export type EditOptionCheck<Value> =
  | {
      /** The value follows the rule. */
      ok: true;
      /** The value as a request carries it. */
      value: Value;
    }
  | {
      /** The value breaks the rule. */
      ok: false;
      /** The request's message, naming the option and the fix. */
      message: string;
    };

/**
 * Checks one neutral option's value by the request's own rule, for tools that collect options apart
 * from a request (flags, a config file): the value as a request would carry it, or the request's
 * message naming the fix.
 *
 * @example
 * checkEditOption('size', '1024'); // { ok: false, message: 'size must be "WxH" such as "1024x1024", or "auto"' }
 */
export function checkEditOption<Key extends (typeof EDIT_OPTION_KEYS)[number]>(
  key: Key,
  value: unknown,
): EditOptionCheck<z.input<typeof editRequestSchema>[Key]> {
  const parsed = editOptionsSchema.shape[key].safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data as z.input<typeof editRequestSchema>[Key] }
    : { ok: false, message: parsed.error.issues[0]!.message };
}

/**
 * @internal
 * Converts zod issues into Retouch's path-and-fix form: one issue a field (zod may report a value
 * that is not an array both as the wrong type and as too long; only the first says what to fix),
 * and one issue for each unknown key, each with its own suggestion.
 */
export function toRequestIssues(issues: readonly z.core.$ZodIssue[]): RequestIssue[] {
  const result: RequestIssue[] = [];
  const seen = new Set<string>();
  const add = (issue: RequestIssue): void => {
    if (seen.has(issue.path)) return;
    seen.add(issue.path);
    result.push(issue);
  };
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        add({ path: path ? `${path}.${key}` : key, message: `unknown option "${key}"; ${suggestion(key)}` });
      }
    } else if (issue.code === 'invalid_key') {
      // The key's own message says what a key must be; the record's is generic.
      add({ path, message: issue.issues[0]?.message ?? issue.message });
    } else {
      add({ path, message: issue.message });
    }
  }
  return result;
}

const KNOWN_SPELLINGS: Record<string, string> = {
  aspect_ratio: 'aspectRatio',
  output_format: 'outputFormat',
  negative_prompt: 'negativePrompt',
  input_image: 'images',
  image: 'images',
  timeout: 'timeoutMs',
  num_generations: 'n',
  resolution: 'size',
  mask_url: 'mask',
};

function suggestion(key: string): string {
  const known = KNOWN_SPELLINGS[key];
  if (known) return `did you mean "${known}"?`;
  return 'provider-specific options go under providerOptions.<provider>';
}
