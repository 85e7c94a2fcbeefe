import {
  ApiCallError,
  AuthenticationError,
  abortable,
  type HttpClient,
  InvalidRequestError,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  type ModelCapabilities,
  type ModelInfo,
  type ModelPricing,
} from '@retouch/core';
import {
  loadOxenWire,
  OXEN_PATHS,
  type OxenModel,
  type OxenParameter,
  type OxenPricing,
} from './oxen-api.ts';

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
 * others (`gpt-image-2-edit` and `nano-banana-2-edit` in July 2026), so this is only a fallback.
 * An enum is listed only where the page lists every value; elsewhere any value is passed on. The
 * pages publish no prices, so a model known only from this table has no estimate.
 */
export const BUILT_IN_TABLE_DATE = '2026-08-08';

const qwenAspectRatios = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'];

const BUILT_IN: Record<string, Omit<OxenModelSpec, 'modelId' | 'source' | 'editCapable'>> = {
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
  };
}

/** The JSON schema `type` of a parameter as a list. */
export function typesOf(parameter: OxenParameter): string[] {
  if (parameter.type === undefined) return [];
  return Array.isArray(parameter.type) ? parameter.type : [parameter.type];
}

/** Unwraps `GET /api/ai/models/{name}`, which may answer the model itself or `{ data: model }`. */
function unwrapModel(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  for (const key of ['data', 'model']) {
    const inner = record[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return inner;
  }
  return body;
}

const FAILED_LOOKUP_TTL_MS = 60_000;
// A schema lookup is a small read; waiting a minute for it would delay every edit behind it.
const LOOKUP_TIMEOUT_MS = 15_000;

/**
 * Looks models up once and keeps them: a schema changes rarely, and 200 concurrent edits must not
 * make 200 lookups (a lookup in flight is shared). A failed lookup falls back to the built-in table
 * and is tried again after a minute.
 */
export class OxenModelCatalog {
  readonly #specs = new Map<string, { spec: Promise<OxenModelSpec>; expiresAt: number }>();

  /**
   * The model's facts. Throws `InvalidRequestError` when Oxen says the model does not exist and the
   * built-in table does not know it either; `AuthenticationError` when the key is refused. A lookup
   * goes through the `http` of the call that starts it.
   */
  spec(
    modelId: string,
    options: { http: HttpClient; signal?: AbortSignal | undefined },
  ): Promise<OxenModelSpec> {
    const cached = this.#specs.get(modelId);
    if (cached && cached.expiresAt > Date.now())
      return options.signal ? abortable(cached.spec, options.signal) : cached.spec;
    // The lookup is shared, so one caller's abort must not fail the others: only its wait is abortable.
    const entry = { spec: this.#lookup(modelId, options.http), expiresAt: Number.POSITIVE_INFINITY };
    this.#specs.set(modelId, entry);
    entry.spec.then(
      (spec) => {
        if (spec.source !== 'schema') entry.expiresAt = Date.now() + FAILED_LOOKUP_TTL_MS;
      },
      () => {
        if (this.#specs.get(modelId) === entry) this.#specs.delete(modelId);
      },
    );
    return options.signal ? abortable(entry.spec, options.signal) : entry.spec;
  }

  /** Records models read from the catalogue listing, sparing later lookups. */
  remember(spec: OxenModelSpec): void {
    if (spec.source === 'schema') {
      this.#specs.set(spec.modelId, { spec: Promise.resolve(spec), expiresAt: Number.POSITIVE_INFINITY });
    }
  }

  /** `GET /api/ai/models`, filtered to the models that edit images. */
  async list(options: { http: HttpClient; signal?: AbortSignal | undefined }): Promise<OxenModelSpec[]> {
    const { oxenModelListSchema, parseOxenModel } = await loadOxenWire();
    const response = await options.http.request({
      method: 'GET',
      path: OXEN_PATHS.models,
      schema: oxenModelListSchema,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const specs: OxenModelSpec[] = [];
    for (const item of response.data.data) {
      // One malformed entry must not hide every other model.
      const model = parseOxenModel(item);
      if (!model) continue;
      const spec = specFromModel({ model });
      if (!spec?.editCapable || spec.inputImage === undefined) continue;
      this.remember(spec);
      specs.push(spec);
    }
    return specs;
  }

  async #lookup(modelId: string, http: HttpClient): Promise<OxenModelSpec> {
    const builtIn = builtInSpec(modelId);
    const { parseOxenModel } = await loadOxenWire();
    try {
      const response = await http.request({
        method: 'GET',
        path: OXEN_PATHS.model(modelId),
        timeoutMs: LOOKUP_TIMEOUT_MS,
      });
      const model = parseOxenModel(unwrapModel(response.data));
      const spec = model ? specFromModel({ model, modelId }) : undefined;
      if (spec) return { ...spec, modelId };
    } catch (error) {
      if (AuthenticationError.isInstance(error)) throw error;
      const notFound =
        ApiCallError.isInstance(error) && (error.statusCode === 404 || error.code === 'model_not_found');
      if (notFound && !builtIn) {
        throw new InvalidRequestError({
          issues: [
            {
              path: 'model',
              message: `Oxen has no model "${modelId}"; call listModels() on the Oxen provider for the edit models it serves (e.g. "oxen:qwen-image-edit")`,
            },
          ],
          cause: error,
        });
      }
    }
    return builtIn ?? unknownSpec(modelId);
  }
}

/** Neutral spelling of an output format (`jpg` → `jpeg`). */
export function neutralFormat(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
}

const K_TIER = /^(\d+)K$/i;
/** A tier given in pixels, e.g. nano-banana-2's `512` beside `1K`, `2K`, `4K`. */
const PIXEL_TIER = /^(\d+)$/;

/** The side in pixels a resolution tier stands for: `2K` → 2048, `512` → 512. */
function tierSide(tier: string): number | undefined {
  const k = K_TIER.exec(tier);
  if (k) return Number(k[1]) * 1024;
  const pixels = PIXEL_TIER.exec(tier);
  return pixels ? Number(pixels[1]) : undefined;
}

/** Whether a resolution enum is in tiers (`1K`, `2K`, `4K`, possibly `512`) rather than pixel sizes. */
export function isTierEnum(values: readonly unknown[]): boolean {
  return (
    values.some((value) => typeof value === 'string' && K_TIER.test(value)) &&
    values.every((value) => typeof value === 'string' && tierSide(value) !== undefined)
  );
}

/** The smallest tier whose side (tier × 1024 px) covers the longest side of `WxH`. */
export function tierForSize(options: { size: string; tiers: readonly unknown[] }): string | undefined {
  const { size, tiers } = options;
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return undefined;
  const longest = Math.max(Number(match[1]), Number(match[2]));
  const sorted = tiers
    .filter((tier): tier is string => typeof tier === 'string' && tierSide(tier) !== undefined)
    .map((tier) => ({ tier, side: tierSide(tier)! }))
    .sort((a, b) => a.side - b.side);
  return (sorted.find((entry) => entry.side >= longest) ?? sorted.at(-1))?.tier;
}

/** What the model accepts, in Retouch's neutral terms. */
export function capabilitiesOf(spec: OxenModelSpec): ModelCapabilities {
  const parameters = spec.parameters;
  const enumOf = (name: string): unknown[] | undefined => parameters[name]?.enum;
  const resolution = parameters.resolution ?? parameters.size;
  let sizes: string[] | undefined;
  if (resolution) {
    const values = resolution.enum;
    if (values && isTierEnum(values)) {
      sizes = values.map((tier) => {
        const side = tierSide(String(tier))!;
        return `${side}x${side}`;
      });
    } else if (values) {
      sizes = values.filter(
        (value): value is string => typeof value === 'string' && /^(auto|\d+x\d+)$/.test(value),
      );
    }
  }
  const aspectRatios = parameters.aspect_ratio
    ? enumOf('aspect_ratio')?.filter(
        (value): value is string => typeof value === 'string' && /^\d+:\d+$/.test(value),
      )
    : undefined;
  const qualities = enumOf('quality')?.filter((value): value is string => typeof value === 'string');
  const formats = parameters.output_format
    ? (enumOf('output_format') ?? ['png', 'jpeg', 'webp'])
        .map(neutralFormat)
        .filter((value): value is string => value !== undefined)
    : undefined;
  return {
    maxInputImages: spec.inputImage === 'array' ? (spec.maxInputImages ?? MAX_INPUT_IMAGES) : 1,
    mask: parameters.mask_url !== undefined,
    maxOutputs: MAX_OUTPUTS,
    ...(sizes ? { sizes } : {}),
    ...(aspectRatios ? { aspectRatios } : {}),
    ...(qualities ? { qualities } : {}),
    ...(formats ? { outputFormats: formats } : {}),
    seed: parameters.seed !== undefined,
    negativePrompt: parameters.negative_prompt !== undefined,
  };
}

/** The model's prices in Retouch's terms. */
export function pricingOf(pricing: OxenPricing | undefined): ModelPricing | undefined {
  if (!pricing) return undefined;
  const result: ModelPricing = {};
  if (pricing.method) result.method = pricing.method;
  if (typeof pricing.cost_per_image === 'number') result.perImageUsd = pricing.cost_per_image;
  if (pricing.cost_per_image_grid) result.perImageGridUsd = pricing.cost_per_image_grid;
  return Object.keys(result).length > 0 ? result : undefined;
}

/** A catalogue entry as Retouch's {@link ModelInfo}. */
export function modelInfoOf(spec: OxenModelSpec): ModelInfo {
  const parameters: NonNullable<ModelInfo['parameters']> = {};
  for (const [name, parameter] of Object.entries(spec.parameters)) {
    const type = typesOf(parameter).join('|');
    parameters[name] = {
      ...(type ? { type } : {}),
      ...(parameter.enum ? { enum: parameter.enum } : {}),
      ...(parameter.default !== undefined ? { default: parameter.default } : {}),
      ...(parameter.description ? { description: parameter.description } : {}),
    };
  }
  const pricing = pricingOf(spec.pricing);
  return {
    id: `oxen:${spec.modelId}`,
    provider: 'oxen',
    modelId: spec.modelId,
    ...(spec.displayName ? { displayName: spec.displayName } : {}),
    ...(spec.description ? { description: spec.description } : {}),
    capabilities: capabilitiesOf(spec),
    ...(pricing ? { pricing } : {}),
    parameters,
  };
}
