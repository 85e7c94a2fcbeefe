import type { OxenModel, OxenParameter, OxenPricing } from './oxen-api.ts';

/*
 * The facts of one Oxen model that drive the request mapping: from the model's own schema when Oxen
 * answers, else from a built-in table of its reference pages, so an edit still goes out checked when
 * the lookup fails.
 */

/** What the adapter knows of one model's parameters, from its schema or the built-in table. */
export interface OxenModelSpec {
  /** Oxen's model name, e.g. `qwen-image-edit`. */
  readonly modelId: string;
  /** Where the facts come from: the model's own schema, or the built-in table when the lookup failed. */
  readonly source: 'schema' | 'built-in' | 'unknown';
  readonly displayName?: string | undefined;
  readonly description?: string | undefined;
  /** How the model takes `input_image`: one URL or an array of URLs. */
  readonly inputImage: 'string' | 'array' | undefined;
  /** The most images an array `input_image` takes, when the schema says. */
  readonly maxInputImages?: number | undefined;
  /** Every parameter besides `prompt` and `input_image`. */
  readonly parameters: Readonly<Record<string, OxenParameter>>;
  readonly pricing?: OxenPricing | undefined;
  /** Whether the model takes images and returns images, when the catalogue says. */
  readonly editCapable: boolean;
  /** Why the model is deprecated and what replaces it, when it is: edits still go, with a warning. */
  readonly deprecated?: string | undefined;
}

const string = (values: string[], defaultValue?: string): OxenParameter => ({
  type: 'string',
  enum: values,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});

/**
 * The edit models of Oxen's per-model reference pages, read on 2026-08-08 (the pages of the docs
 * repository as regenerated that day), for when `GET /api/ai/models/{name}` cannot be read. The
 * live schema (`request_schema`) is the authority: Oxen adds edit models every month and removes
 * others (`gpt-image-2-edit` and `nano-banana-2-edit` in July 2026: kept here, marked deprecated,
 * because users hold those ids), so this is only a fallback.
 * An enum is listed only where the page lists every value; elsewhere any value is passed on. The
 * pages publish no prices, so a model known only from this table has no estimate.
 */
export const BUILT_IN_TABLE_DATE = '2026-08-08';

const qwenAspectRatios = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'];

/** Why the seeds' models, whose pages Oxen removed in July 2026, are deprecated. */
const removedPage = (successor: string) =>
  `Oxen no longer documents it (its page was removed in July 2026); use oxen:${successor}`;

const BUILT_IN: Record<string, Omit<OxenModelSpec, 'modelId' | 'source' | 'editCapable'>> = {
  'gpt-image-2-edit': {
    displayName: 'GPT Image 2 Edit',
    inputImage: 'array',
    parameters: {
      resolution: string(
        ['auto', '1024x768', '1024x1024', '1024x1536', '1920x1080', '2560x1440', '3840x2160'],
        'auto',
      ),
      quality: string(['auto', 'low', 'medium', 'high'], 'high'),
      output_format: string(['png', 'jpeg', 'webp'], 'png'),
      mask_url: { type: 'string', format: 'uri' },
    },
    deprecated: removedPage('gpt-image-2'),
  },
  'nano-banana-2-edit': {
    displayName: 'Nano Banana 2 Edit',
    inputImage: 'array',
    parameters: {
      aspect_ratio: string(
        ['auto', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9'],
        '16:9',
      ),
      resolution: string(['1K', '2K', '4K'], '2K'),
      enable_web_search: { type: 'boolean', default: false },
      safety_tolerance: string(['1', '2', '3', '4', '5', '6']),
    },
    deprecated: removedPage('nano-banana-2'),
  },
  'qwen-image-edit': {
    displayName: 'Qwen Image Edit',
    inputImage: 'string',
    parameters: {
      aspect_ratio: string(qwenAspectRatios, '16:9'),
    },
  },
  'qwen-image-edit-plus': {
    displayName: 'Qwen Image Edit - 2509',
    inputImage: 'array',
    parameters: {
      aspect_ratio: string(qwenAspectRatios, '16:9'),
      negative_prompt: { type: 'string' },
      output_format: string(['webp', 'jpg', 'png'], 'png'),
    },
  },
  'qwen-image-edit-2511': {
    displayName: 'Qwen Image Edit - 2511',
    inputImage: 'array',
    parameters: {
      aspect_ratio: string(qwenAspectRatios, '16:9'),
      negative_prompt: { type: 'string' },
      output_format: string(['webp', 'jpg', 'png'], 'png'),
    },
  },
  'gpt-image-2': {
    displayName: 'GPT Image 2',
    inputImage: 'array',
    parameters: {
      aspect_ratio: string(
        ['auto', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21'],
        '16:9',
      ),
      resolution: string(['1K', '2K', '4K'], '2K'),
      quality: string(['low', 'medium', 'high'], 'high'),
      output_format: string(['png', 'jpeg', 'webp'], 'png'),
      mask_url: { type: 'string', format: 'uri' },
    },
  },
  'nano-banana-2': {
    displayName: 'Nano Banana 2',
    inputImage: 'array',
    parameters: {
      aspect_ratio: string(
        [
          'auto',
          '1:1',
          '16:9',
          '9:16',
          '4:3',
          '3:4',
          '3:2',
          '2:3',
          '4:5',
          '5:4',
          '21:9',
          '4:1',
          '1:4',
          '8:1',
          '1:8',
        ],
        '16:9',
      ),
      resolution: string(['512', '1K', '2K', '4K'], '2K'),
      google_search: { type: 'boolean', default: false },
      thinking_level: string(['minimal', 'high'], 'minimal'),
    },
  },
  'xai-grok-imagine-image-edit': {
    displayName: 'Grok Imagine - Image Edit',
    inputImage: 'string',
    parameters: {
      output_format: string(['webp', 'jpeg', 'png'], 'webp'),
    },
  },
  'flux-kontext-dev': {
    displayName: 'FLUX.1-Kontext [dev]',
    inputImage: 'string',
    parameters: {
      aspect_ratio: string(
        [
          '1:1',
          '16:9',
          '21:9',
          '3:2',
          '2:3',
          '4:5',
          '5:4',
          '3:4',
          '4:3',
          '9:16',
          '9:21',
          'match_input_image',
        ],
        '16:9',
      ),
      num_inference_steps: { type: 'integer', minimum: 4, maximum: 50, default: 28 },
      guidance: { type: 'number', minimum: 0, maximum: 10, default: 2.5 },
      seed: { type: 'integer' },
      output_format: string(['webp', 'jpg', 'png'], 'webp'),
      output_quality: { type: 'integer', minimum: 0, maximum: 100, default: 80 },
      disable_safety_checker: { type: 'boolean', default: false },
    },
  },
};

/** The names of the models in the built-in table. */
export const builtInModelIds: readonly string[] = Object.keys(BUILT_IN);

/** The built-in facts of a model, or `undefined` for a model the table does not hold. */
export function builtInSpec(modelId: string): OxenModelSpec | undefined {
  const entry = BUILT_IN[modelId];
  return entry ? { modelId, source: 'built-in', editCapable: true, ...entry } : undefined;
}

/** Facts for a model neither the catalogue nor the table describes: everything is passed on unchecked. */
export function unknownSpec(modelId: string): OxenModelSpec {
  return { modelId, source: 'unknown', inputImage: undefined, parameters: {}, editCapable: true };
}

/** Turns a catalogue entry into the adapter's facts. */
export function specFromModel(options: { model: OxenModel; modelId?: string }): OxenModelSpec | undefined {
  const { model } = options;
  // In Oxen's API a model's `id` is its name; `name` is read only from catalogues that still send it.
  const modelId = model.id ?? model.name ?? options.modelId;
  if (!modelId) return undefined;
  // `request_schema` is the API's field; the per-model pages call it `json_request_schema`.
  const schema = model.request_schema ?? model.json_request_schema;
  const builtIn = builtInSpec(modelId);
  const properties = schema ? { ...schema.properties } : undefined;
  const input = properties?.input_image;
  let inputImage: OxenModelSpec['inputImage'] = builtIn?.inputImage;
  if (input) inputImage = typesOf(input).includes('array') ? 'array' : 'string';
  if (properties) {
    delete properties.input_image;
    delete properties.prompt;
  }
  const inputs = model.capabilities?.input;
  const outputs = model.capabilities?.output;
  const editCapable =
    (outputs === undefined || outputs.includes('image')) &&
    (input !== undefined || inputs?.includes('image') || builtIn !== undefined);
  return {
    modelId,
    source: properties ? 'schema' : builtIn ? 'built-in' : 'unknown',
    displayName: model.display_name ?? builtIn?.displayName,
    description: model.description ?? undefined,
    inputImage,
    maxInputImages: input?.maxItems,
    parameters: properties ?? builtIn?.parameters ?? {},
    pricing: model.pricing ?? undefined,
    editCapable,
    // Oxen's API has no deprecation field: the table knows which models it stopped documenting.
    deprecated: builtIn?.deprecated,
  };
}

/** The JSON schema `type` of a parameter as a list. */
export function typesOf(parameter: OxenParameter): string[] {
  if (parameter.type === undefined) return [];
  return Array.isArray(parameter.type) ? parameter.type : [parameter.type];
}
