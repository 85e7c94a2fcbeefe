import type { OxenModel, OxenRequestSchema, OxenSchemaProperty } from './oxen-model-types.ts';
import { oxenSeedModels } from './oxen-seed-models.ts';

export type { OxenModel, OxenPricing, OxenRequestSchema, OxenSchemaProperty } from './oxen-model-types.ts';

const promptProperty = (order: number): OxenSchemaProperty => ({
  type: 'string',
  description:
    'Text description of what you want to generate, or the instruction on how to edit the given image.',
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
  description: 'Input images to transform or use as reference.',
  'x-order': 1,
};
const optionalImageArray: OxenSchemaProperty = {
  ...imageArray,
  description: 'Optional reference image(s) to edit. Leave empty to generate from the prompt alone.',
};
const qwenAspectRatios = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'];
const edits = { input: ['text', 'image'], output: ['image'] };
/** The two later Qwen editors take the same parameters. */
const qwenMultiImageSchema: OxenRequestSchema = {
  type: 'object',
  required: ['prompt', 'input_image'],
  properties: {
    prompt: promptProperty(0),
    input_image: imageArray,
    aspect_ratio: { type: 'string', enum: qwenAspectRatios, default: '16:9', 'x-order': 2 },
    negative_prompt: { type: 'string', 'x-order': 3 },
    output_format: { type: 'string', enum: ['webp', 'jpg', 'png'], default: 'png', 'x-order': 4 },
  },
};

/**
 * The edit models of Oxen's per-model reference pages as of 2026-08-08 (docs repository, "Regenerate
 * model API reference docs"), with their parameters as those pages list them, plus one chat model
 * (which the queue must refuse). The pages publish no prices: the prices here are the simulator's own.
 * `gpt-image-2-edit` and `nano-banana-2-edit`, whose pages Oxen removed in July 2026 (`gpt-image-2`
 * and `nano-banana-2` take `input_image` themselves), are still served, marked deprecated: see
 * `oxen-seed-models.ts`.
 */
const documentedModels: OxenModel[] = [
  {
    name: 'qwen-image-edit',
    display_name: 'Qwen Image Edit',
    description: 'Natural-language image editing',
    developer_name: 'Qwen',
    provider_name: 'fal',
    action: 'edit',
    created: 1755648000,
    capabilities: edits,
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
    display_name: 'Qwen Image Edit - 2509',
    description: 'Multi-image natural-language editing',
    developer_name: 'Qwen',
    provider_name: 'fal',
    action: 'edit',
    created: 1758672000,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.035 },
    schema: qwenMultiImageSchema,
  },
  {
    name: 'qwen-image-edit-2511',
    display_name: 'Qwen Image Edit - 2511',
    description: 'Improved natural-language image editing',
    developer_name: 'Qwen',
    provider_name: 'fal',
    action: 'edit',
    created: 1766534400,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.035 },
    schema: qwenMultiImageSchema,
  },
  {
    name: 'gpt-image-2',
    display_name: 'GPT Image 2',
    description: 'High-fidelity images with near-perfect text rendering',
    developer_name: 'OpenAI',
    provider_name: 'fal',
    action: 'edit',
    created: 1776643200,
    capabilities: edits,
    pricing: {
      method: 'per_image',
      cost_per_image_grid: {
        low: { '1K': 0.02, '2K': 0.05, '4K': 0.12 },
        medium: { '1K': 0.07, '2K': 0.17, '4K': 0.42 },
        high: { '1K': 0.25, '2K': 0.6, '4K': 1.47 },
      },
    },
    schema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt: promptProperty(0),
        input_image: optionalImageArray,
        aspect_ratio: {
          type: 'string',
          enum: ['auto', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21'],
          default: '16:9',
          'x-order': 2,
        },
        resolution: {
          type: 'string',
          enum: ['1K', '2K', '4K'],
          default: '2K',
          description:
            'Output image resolution. Higher tiers render more pixels and cost more; see cost_per_image_grid for per-tier pricing.',
          'x-order': 3,
        },
        quality: { type: 'string', enum: ['low', 'medium', 'high'], default: 'high', 'x-order': 4 },
        output_format: { type: 'string', enum: ['png', 'jpeg', 'webp'], default: 'png', 'x-order': 5 },
        mask_url: {
          type: 'string',
          format: 'uri',
          description:
            'Optional mask image URL. White pixels mark regions to edit; black pixels are preserved. Leave empty to edit the whole image.',
          'x-order': 6,
        },
      },
    },
  },
  {
    name: 'nano-banana-2',
    display_name: 'Nano Banana 2',
    description: 'Pro quality at Flash speed',
    developer_name: 'Google',
    provider_name: 'fal',
    action: 'edit',
    created: 1771977600,
    capabilities: edits,
    pricing: {
      method: 'per_image',
      cost_per_image_grid: { standard: { '512': 0.045, '1K': 0.067, '2K': 0.1, '4K': 0.15 } },
    },
    schema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt: promptProperty(0),
        input_image: optionalImageArray,
        aspect_ratio: {
          type: 'string',
          enum: [
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
          default: '16:9',
          'x-order': 2,
        },
        resolution: { type: 'string', enum: ['512', '1K', '2K', '4K'], default: '2K', 'x-order': 3 },
        google_search: { type: 'boolean', default: false, 'x-order': 4 },
        thinking_level: { type: 'string', enum: ['minimal', 'high'], default: 'minimal', 'x-order': 5 },
      },
    },
  },
  {
    name: 'xai-grok-imagine-image-edit',
    display_name: 'Grok Imagine - Image Edit',
    description: 'Edit images with Grok Imagine',
    developer_name: 'xAI',
    provider_name: 'xai',
    action: 'edit',
    created: 1767225600,
    capabilities: edits,
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
    display_name: 'FLUX.1-Kontext [dev]',
    description: 'In-context image editing model',
    developer_name: 'Black Forest Labs',
    provider_name: 'fal',
    action: 'edit',
    created: 1748995200,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.025 },
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        input_image: { ...singleImage, 'x-order': 0 },
        prompt: promptProperty(1),
        aspect_ratio: {
          type: 'string',
          enum: [
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
          default: '16:9',
          'x-order': 2,
        },
        num_inference_steps: { type: 'integer', minimum: 4, maximum: 50, default: 28, 'x-order': 3 },
        guidance: { type: 'number', minimum: 0, maximum: 10, default: 2.5, 'x-order': 4 },
        seed: { type: 'integer', 'x-order': 5 },
        output_format: { type: 'string', enum: ['webp', 'jpg', 'png'], default: 'webp', 'x-order': 6 },
        output_quality: { type: 'integer', minimum: 0, maximum: 100, default: 80, 'x-order': 7 },
        disable_safety_checker: { type: 'boolean', default: false, 'x-order': 8 },
      },
    },
  },
  {
    // Newer than Retouch's built-in table: known only from the live catalogue.
    name: 'flux-2-pro',
    display_name: 'FLUX.2 [pro]',
    description: 'Professional FLUX.2 image generation',
    developer_name: 'Black Forest Labs',
    provider_name: 'fal',
    action: 'edit',
    created: 1764115200,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.03 },
    schema: {
      type: 'object',
      required: ['prompt'],
      properties: {
        prompt: promptProperty(0),
        input_image: imageArray,
        aspect_ratio: {
          type: 'string',
          enum: ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', 'match_input_image'],
          default: '16:9',
          'x-order': 2,
        },
        resolution: { type: 'string', enum: ['1 MP', '2 MP', '0.5 MP'], default: '1 MP', 'x-order': 3 },
        num_inference_steps: { type: 'integer', minimum: 1, maximum: 50, default: 30, 'x-order': 4 },
        guidance: { type: 'number', minimum: 0, maximum: 10, default: 2, 'x-order': 5 },
        seed: { type: 'integer', 'x-order': 6 },
        output_format: { type: 'string', enum: ['webp', 'jpg', 'png'], default: 'webp', 'x-order': 7 },
        output_quality: { type: 'integer', minimum: 0, maximum: 100, default: 80, 'x-order': 8 },
        disable_safety_checker: { type: 'boolean', default: false, 'x-order': 9 },
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
    created: 1754352000,
    capabilities: { input: ['text'], output: ['text'] },
    pricing: { method: 'token', input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 },
    schema: {
      type: 'object',
      required: ['messages'],
      properties: { messages: { type: 'array', 'x-order': 0 } },
    },
  },
];

/** Every model the simulator serves: the documented ones, then the deprecated seed models. */
export const oxenModels: OxenModel[] = [...documentedModels, ...oxenSeedModels];

/** Finds a model by name, which is its id. */
export function findOxenModel(name: string): OxenModel | undefined {
  return oxenModels.find((model) => model.name === name);
}

/**
 * The `Model` object as Oxen's API serves it (`GET /api/ai/models` and `/api/ai/models/{id}`): its
 * `id` is the model's name, and its parameter schema is `request_schema`.
 */
export function serializeOxenModel(model: OxenModel) {
  return {
    id: model.name,
    object: 'model',
    created: model.created,
    owned_by: 'oxen',
    display_name: model.display_name,
    description: model.description,
    model_type: 'base',
    capabilities: model.capabilities,
    pricing: model.pricing,
    developer: { name: model.developer_name, logo: null },
    fine_tuning: null,
    deployments: [],
    source_model: null,
    image_url: null,
    released_at: new Date(model.created * 1000).toISOString(),
    request_schema: model.schema,
    ...(model.deprecated ? { deprecated: true, deprecation_message: model.deprecated } : {}),
  };
}
