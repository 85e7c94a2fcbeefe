/** One Eden AI model as the simulator serves it. */
export interface EdenAIModel {
  /** `provider/model`, e.g. `openai/gpt-image-2`. */
  id: string;
  provider: string;
  model_name: string;
  capabilities: string[];
  /** USD per output image for image models. */
  pricePerImage?: number;
  /** gpt-image-* answers `b64_json` items and takes no remote URLs; the others answer `url` items. */
  output: 'b64_json' | 'url' | 'text';
  /** Whether the answer carries a token `usage` block (OpenAI models). */
  reportsUsage: boolean;
}

/** The models the simulator knows: several image-edit models and one text model, as `/v3/models` mixes kinds. */
export const edenAIModels: EdenAIModel[] = [
  {
    id: 'openai/gpt-image-2',
    provider: 'openai',
    model_name: 'gpt-image-2',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.053,
    output: 'b64_json',
    reportsUsage: true,
  },
  {
    id: 'openai/gpt-image-1',
    provider: 'openai',
    model_name: 'gpt-image-1',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.042,
    output: 'b64_json',
    reportsUsage: true,
  },
  {
    id: 'openai/gpt-image-1-mini',
    provider: 'openai',
    model_name: 'gpt-image-1-mini',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.011,
    output: 'b64_json',
    reportsUsage: true,
  },
  {
    id: 'google/gemini-2.5-flash-image',
    provider: 'google',
    model_name: 'gemini-2.5-flash-image',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.039,
    output: 'url',
    reportsUsage: false,
  },
  {
    id: 'bfl/flux-kontext-pro',
    provider: 'bfl',
    model_name: 'flux-kontext-pro',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.04,
    output: 'url',
    reportsUsage: false,
  },
  {
    id: 'bfl/flux-kontext-max',
    provider: 'bfl',
    model_name: 'flux-kontext-max',
    capabilities: ['image_generation', 'image_edit'],
    pricePerImage: 0.08,
    output: 'url',
    reportsUsage: false,
  },
  {
    id: 'openai/gpt-4o-mini',
    provider: 'openai',
    model_name: 'gpt-4o-mini',
    capabilities: ['chat'],
    output: 'text',
    reportsUsage: true,
  },
];

/** Finds a model by `provider/model` id. */
export function findEdenAIModel(id: string): EdenAIModel | undefined {
  return edenAIModels.find((model) => model.id === id);
}

/** The model object as `GET /v3/models` serves it. */
export function serializeEdenAIModel(model: EdenAIModel) {
  const pricing =
    model.pricePerImage === undefined
      ? { input_per_million_tokens: 0.15, output_per_million_tokens: 0.6, unit: 'token' }
      : { per_image: model.pricePerImage, unit: 'image' };
  return {
    id: model.id,
    object: 'model',
    provider: model.provider,
    model_name: model.model_name,
    capabilities: model.capabilities,
    pricing,
    list_pricing: pricing,
    discount: 0,
    regions: ['us', 'eu'],
  };
}
