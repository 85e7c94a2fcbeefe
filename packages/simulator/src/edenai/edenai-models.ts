/** A region a model is served in, as Eden's `RegionObject` names it. */
export type EdenAIRegionCode = 'us' | 'eu';

const REGION_NAMES: Record<EdenAIRegionCode, string> = { us: 'United States', eu: 'Europe' };

/** One Eden AI model as the simulator serves it. */
export interface EdenAIModel {
  /** `provider/model`, e.g. `openai/gpt-image-2`. */
  id: string;
  /** `owned_by`: the provider selling the model. */
  provider: string;
  model_name: string;
  description: string;
  /** Release time, Unix seconds (`created`). */
  created: number;
  /** `capabilities.input_modalities`. */
  inputModalities: string[];
  /** `capabilities.output_modalities`. */
  outputModalities: string[];
  /**
   * The open `pricing` object as served. Eden does not document image price keys; the simulator
   * spells a per-image price `output_cost_per_image`, after Eden's documented LLM keys
   * (`input_cost_per_token`, `output_cost_per_token`), and gives OpenAI models token prices only.
   */
  pricing: Record<string, number>;
  /** USD the simulator bills per output image of an edit. */
  pricePerImage?: number;
  /** gpt-image-* answers `b64_json` items and takes no remote URLs; the others answer `url` items. */
  output: 'b64_json' | 'url' | 'text';
  /** Whether the answer carries a token `usage` block (OpenAI models). */
  reportsUsage: boolean;
  /** Where the model is served; the EU host (`region: 'eu'`) lists and runs only `eu` models. */
  regions: EdenAIRegionCode[];
}

/** Image edits: images and text in, images out. */
const EDIT_MODALITIES = { inputModalities: ['text', 'image'], outputModalities: ['image'] };
/** OpenAI's published gpt-image token prices (USD per token), as Eden lists token-priced models. */
const GPT_IMAGE_TOKENS = { input_cost_per_token: 5e-6, output_cost_per_token: 4e-5 };

/**
 * The models the simulator knows: image-edit models, an image model that only generates, and a
 * chat model, as `GET /v3/models` mixes kinds. Per-image prices are Eden's published ones (Eden AI
 * docs, image generation "Available Providers", 2026-07-27) where it lists the model.
 */
export const edenAIModels: EdenAIModel[] = [
  {
    id: 'openai/gpt-image-2',
    provider: 'openai',
    model_name: 'gpt-image-2',
    description: "OpenAI's image generation and editing model",
    created: 1776643200,
    ...EDIT_MODALITIES,
    pricing: GPT_IMAGE_TOKENS,
    pricePerImage: 0.053,
    output: 'b64_json',
    reportsUsage: true,
    regions: ['us', 'eu'],
  },
  {
    id: 'openai/gpt-image-1',
    provider: 'openai',
    model_name: 'gpt-image-1',
    description: "OpenAI's natively multimodal image model",
    created: 1745366400,
    ...EDIT_MODALITIES,
    pricing: GPT_IMAGE_TOKENS,
    pricePerImage: 0.042,
    output: 'b64_json',
    reportsUsage: true,
    regions: ['us', 'eu'],
  },
  {
    id: 'openai/gpt-image-1-mini',
    provider: 'openai',
    model_name: 'gpt-image-1-mini',
    description: 'A smaller, cheaper gpt-image-1',
    created: 1759708800,
    ...EDIT_MODALITIES,
    pricing: { input_cost_per_token: 2e-6, output_cost_per_token: 8e-6 },
    pricePerImage: 0.011,
    output: 'b64_json',
    reportsUsage: true,
    regions: ['us', 'eu'],
  },
  {
    id: 'google/gemini-2.5-flash-image',
    provider: 'google',
    model_name: 'gemini-2.5-flash-image',
    description: 'Gemini 2.5 Flash Image ("nano banana"): conversational image generation and editing',
    created: 1756252800,
    ...EDIT_MODALITIES,
    pricing: { output_cost_per_image: 0.039 },
    pricePerImage: 0.039,
    output: 'url',
    reportsUsage: false,
    regions: ['us'],
  },
  {
    id: 'bfl/flux-kontext-pro',
    provider: 'bfl',
    model_name: 'flux-kontext-pro',
    description: 'FLUX.1 Kontext [pro]: in-context image editing',
    created: 1748822400,
    ...EDIT_MODALITIES,
    pricing: { output_cost_per_image: 0.04 },
    pricePerImage: 0.04,
    output: 'url',
    reportsUsage: false,
    regions: ['us'],
  },
  {
    id: 'bfl/flux-kontext-max',
    provider: 'bfl',
    model_name: 'flux-kontext-max',
    description: 'FLUX.1 Kontext [max]: in-context image editing, highest quality',
    created: 1748822400,
    ...EDIT_MODALITIES,
    // No price in the catalogue, and none published in Retouch's table: an estimate is impossible.
    pricing: {},
    pricePerImage: 0.08,
    output: 'url',
    reportsUsage: false,
    regions: ['us'],
  },
  {
    id: 'google/imagen-4.0-generate-001',
    provider: 'google',
    model_name: 'imagen-4.0-generate-001',
    description: 'Imagen 4: text-to-image generation',
    created: 1747699200,
    inputModalities: ['text'],
    outputModalities: ['image'],
    pricing: { output_cost_per_image: 0.04 },
    pricePerImage: 0.04,
    output: 'url',
    reportsUsage: false,
    regions: ['us'],
  },
  {
    id: 'openai/gpt-4o-mini',
    provider: 'openai',
    model_name: 'gpt-4o-mini',
    description: 'A small, fast chat model',
    created: 1721260800,
    inputModalities: ['text', 'image'],
    outputModalities: ['text'],
    pricing: { input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 },
    output: 'text',
    reportsUsage: true,
    regions: ['us', 'eu'],
  },
];

/** Finds a model by `provider/model` id. */
export function findEdenAIModel(id: string): EdenAIModel | undefined {
  return edenAIModels.find((model) => model.id === id);
}

/** Whether the model edits images: it takes images and outputs images. */
export function isEdenAIEditModel(model: EdenAIModel): boolean {
  return model.inputModalities.includes('image') && model.outputModalities.includes('image');
}

/** The `ModelObject` as `GET /v3/models` and `GET /v3/images/models` serve it (Eden's OpenAPI). */
export function serializeEdenAIModel(model: EdenAIModel) {
  return {
    id: model.id,
    object: 'model',
    created: model.created,
    owned_by: model.provider,
    model_name: model.model_name,
    context_length: null,
    description: model.description,
    source: null,
    capabilities: {
      input_modalities: model.inputModalities,
      output_modalities: model.outputModalities,
    },
    pricing: model.pricing,
    list_pricing: model.pricing,
    discount: 0,
    regions: model.regions.map((code) => ({ code, name: REGION_NAMES[code] })),
  };
}
