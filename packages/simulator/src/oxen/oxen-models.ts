import { createHash } from 'node:crypto';

/** A JSON-schema property as Oxen's model schemas write them. */
export interface OxenSchemaProperty {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description?: string;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: string;
  items?: { type: 'string'; format?: string };
  'x-order'?: number;
}

/** The parameter schema of a model (`json_request_schema` / `request_schema`). */
export interface OxenRequestSchema {
  type: 'object';
  properties: Record<string, OxenSchemaProperty>;
  required: string[];
}

/** Oxen's pricing block. */
export interface OxenPricing {
  method: 'token' | 'time' | 'per_image' | 'per_video_output_second';
  cost_per_image?: number;
  cost_per_image_grid?: Record<string, Record<string, number>>;
  input_cost_per_million_tokens?: number;
  output_cost_per_million_tokens?: number;
}

/** One model as the simulator serves it. */
export interface OxenModel {
  name: string;
  display_name: string;
  description: string;
  developer_name: string;
  provider_name: string;
  action: 'edit' | 'generate' | 'chat';
  capabilities: { input: string[]; output: string[] };
  pricing: OxenPricing;
  schema: OxenRequestSchema;
}

const promptProperty = (order: number): OxenSchemaProperty => ({
  type: 'string',
  description: 'Text description of how to edit the input image(s).',
  'x-order': order,
});
const singleImage: OxenSchemaProperty = {
  type: 'string',
  format: 'uri',
  description: 'Image to use as reference. Must be jpeg, png, gif, or webp.',
  'x-order': 1,
};
const imageArray: OxenSchemaProperty = {
  type: 'array',
  items: { type: 'string', format: 'uri' },
  description: 'One or more reference images to transform.',
  'x-order': 1,
};
const qwenAspectRatios = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'];

/** The edit models of the provider documentation, plus one chat model (which the queue must refuse). */
export const oxenModels: OxenModel[] = [
  {
    name: 'qwen-image-edit',
    display_name: 'Qwen Image Edit',
    description: 'Natural-language image editing',
    developer_name: 'Qwen',
    provider_name: 'fal',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: { method: 'per_image', cost_per_image: 0.03 },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: singleImage,
        aspect_ratio: { type: 'string', enum: qwenAspectRatios, default: '16:9', 'x-order': 2 },
      },
    },
  },
  {
    name: 'qwen-image-edit-plus',
    display_name: 'Qwen Image Edit Plus',
    description: 'Multi-image editing',
    developer_name: 'Qwen',
    provider_name: 'fal',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: { method: 'per_image', cost_per_image: 0.035 },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: imageArray,
        aspect_ratio: { type: 'string', enum: qwenAspectRatios, default: '16:9', 'x-order': 2 },
        negative_prompt: { type: 'string', default: '', 'x-order': 3 },
        output_format: { type: 'string', enum: ['png', 'webp', 'jpg'], default: 'png', 'x-order': 4 },
      },
    },
  },
  {
    name: 'gpt-image-2-edit',
    display_name: 'GPT Image 2 Edit',
    description: '4K image editing from text',
    developer_name: 'OpenAI',
    provider_name: 'fal',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: {
      method: 'per_image',
      cost_per_image_grid: {
        low: { HD: 0.02, '4K': 0.12 },
        medium: { HD: 0.07, '4K': 0.42 },
        high: { HD: 0.25, '4K': 1.47 },
      },
    },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: imageArray,
        resolution: {
          type: 'string',
          enum: ['auto', '1024x768', '1024x1024', '1024x1536', '1920x1080', '2560x1440', '3840x2160'],
          default: 'auto',
          description:
            'Output image resolution. HD sizes (1920x1080 and lower) bill at the standard tier; QHD+ sizes (2560x1440 and higher) bill at the high-resolution tier.',
          'x-order': 2,
        },
        quality: { type: 'string', enum: ['auto', 'low', 'medium', 'high'], default: 'high', 'x-order': 3 },
        output_format: { type: 'string', enum: ['png', 'jpeg', 'webp'], default: 'png', 'x-order': 4 },
        mask_url: {
          type: 'string',
          format: 'uri',
          description:
            'Optional mask image URL. White pixels mark regions to edit; black pixels are preserved.',
          'x-order': 5,
        },
      },
    },
  },
  {
    name: 'nano-banana-2-edit',
    display_name: 'Nano Banana 2 Edit',
    description: 'Image editing with web grounding',
    developer_name: 'Google',
    provider_name: 'fal',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: {
      method: 'per_image',
      cost_per_image_grid: { standard: { '1K': 0.067, '2K': 0.1, '4K': 0.15 } },
    },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: imageArray,
        aspect_ratio: {
          type: 'string',
          enum: ['auto', '21:9', '16:9', '3:2', '4:3', '5:4', '1:1', '4:5', '3:4', '2:3', '9:16'],
          default: '16:9',
          'x-order': 2,
        },
        resolution: { type: 'string', enum: ['1K', '2K', '4K'], default: '2K', 'x-order': 3 },
        enable_web_search: { type: 'boolean', default: false, 'x-order': 4 },
        safety_tolerance: {
          type: 'string',
          enum: ['1', '2', '3', '4', '5', '6'],
          default: '4',
          'x-order': 5,
        },
      },
    },
  },
  {
    name: 'xai-grok-imagine-image-edit',
    display_name: 'Grok Imagine Image Edit',
    description: 'xAI image editing',
    developer_name: 'xAI',
    provider_name: 'xai',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: { method: 'per_image', cost_per_image: 0.02 },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: singleImage,
        output_format: { type: 'string', enum: ['webp', 'jpeg', 'png'], default: 'webp', 'x-order': 2 },
      },
    },
  },
  {
    name: 'flux-kontext-dev',
    display_name: 'FLUX.1 Kontext [dev]',
    description: 'Open-weights in-context image editing',
    developer_name: 'Black Forest Labs',
    provider_name: 'fal',
    action: 'edit',
    capabilities: { input: ['text', 'image'], output: ['image'] },
    pricing: { method: 'per_image', cost_per_image: 0.025 },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt: promptProperty(0),
        input_image: singleImage,
        aspect_ratio: {
          type: 'string',
          enum: ['match_input_image', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21'],
          default: 'match_input_image',
          'x-order': 2,
        },
        num_inference_steps: { type: 'integer', minimum: 4, maximum: 50, default: 28, 'x-order': 3 },
        guidance: { type: 'number', minimum: 0, maximum: 10, default: 2.5, 'x-order': 4 },
        seed: { type: 'integer', 'x-order': 5 },
        output_format: { type: 'string', enum: ['webp', 'jpg', 'png'], default: 'webp', 'x-order': 6 },
        output_quality: { type: 'integer', minimum: 0, maximum: 100, default: 80, 'x-order': 7 },
      },
    },
  },
  {
    name: 'gpt-oss-120b',
    display_name: 'gpt-oss-120b',
    description: 'Open-weights reasoning chat model',
    developer_name: 'OpenAI',
    provider_name: 'oxen',
    action: 'chat',
    capabilities: { input: ['text'], output: ['text'] },
    pricing: { method: 'token', input_cost_per_million_tokens: 0.15, output_cost_per_million_tokens: 0.6 },
    schema: {
      type: 'object',
      required: ['messages'],
      properties: { messages: { type: 'array', 'x-order': 0 } },
    },
  },
];

/** A stable UUID-shaped id for a model, so `GET /api/ai/models/{uuid}` works across runs. */
export function oxenModelId(name: string): string {
  const hex = createHash('sha256').update(`oxen-model:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Finds a model by name or id. */
export function findOxenModel(nameOrId: string): OxenModel | undefined {
  return oxenModels.find((model) => model.name === nameOrId || oxenModelId(model.name) === nameOrId);
}

/**
 * The model object as the API serves it. The list endpoint names the schema `request_schema` and the
 * single-model endpoint `json_request_schema`, as the two documentation sources do: clients must read both.
 */
export function serializeOxenModel(options: {
  model: OxenModel;
  schemaKey: 'request_schema' | 'json_request_schema';
}) {
  const { model } = options;
  return {
    id: oxenModelId(model.name),
    name: model.name,
    display_name: model.display_name,
    description: model.description,
    developer_name: model.developer_name,
    provider_name: model.provider_name,
    action: model.action,
    capabilities: model.capabilities,
    pricing: model.pricing,
    [options.schemaKey]: model.schema,
  };
}

function gridTier(options: { model: OxenModel; parameters: Record<string, unknown> }): [string, string] {
  const { model, parameters } = options;
  if (model.name === 'gpt-image-2-edit') {
    const quality =
      typeof parameters.quality === 'string' && parameters.quality !== 'auto' ? parameters.quality : 'high';
    const resolution = typeof parameters.resolution === 'string' ? parameters.resolution : 'auto';
    const highTier = resolution === '2560x1440' || resolution === '3840x2160';
    return [quality, highTier ? '4K' : 'HD'];
  }
  const resolution = typeof parameters.resolution === 'string' ? parameters.resolution : '2K';
  return ['standard', resolution];
}

/** The price of one output image in USD, from the model's pricing and the request's parameters. */
export function oxenImagePrice(options: { model: OxenModel; parameters: Record<string, unknown> }): number {
  const { pricing } = options.model;
  if (pricing.cost_per_image !== undefined) return pricing.cost_per_image;
  if (pricing.cost_per_image_grid !== undefined) {
    const [first, second] = gridTier(options);
    const row = pricing.cost_per_image_grid[first] ?? Object.values(pricing.cost_per_image_grid)[0] ?? {};
    return row[second] ?? Object.values(row)[0] ?? 0;
  }
  return 0;
}
