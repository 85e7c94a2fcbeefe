import type { OxenModel } from './oxen-model-types.ts';

/*
 * Edit models Oxen served when Retouch's first sources were written, whose pages Oxen removed in July
 * 2026. Users still hold these ids, so the simulator serves them, marked deprecated, with the
 * parameters their pages listed (`gpt-image-2-edit` takes several images in an `input_image` array).
 */

const prompt = {
  type: 'string',
  description: 'Text description of how to edit the given image(s).',
  'x-order': 0,
} as const;
const inputImages = {
  type: 'array',
  items: { type: 'string', format: 'uri' },
  description: 'Input images to edit; the first is the canvas.',
  'x-order': 1,
} as const;
const edits = { input: ['text', 'image'], output: ['image'] };

/** The deprecated seed models, each with the model that replaces it in its note. */
export const oxenSeedModels: OxenModel[] = [
  {
    name: 'gpt-image-2-edit',
    display_name: 'GPT Image 2 Edit',
    description: 'Edits images with GPT Image 2 (deprecated: use gpt-image-2, which takes input_image)',
    developer_name: 'OpenAI',
    provider_name: 'fal',
    action: 'edit',
    created: 1768003200,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.06 },
    deprecated: 'Oxen no longer documents it (its page was removed in July 2026); use oxen:gpt-image-2',
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt,
        input_image: inputImages,
        resolution: {
          type: 'string',
          enum: ['auto', '1024x768', '1024x1024', '1024x1536', '1920x1080', '2560x1440', '3840x2160'],
          default: 'auto',
          'x-order': 2,
        },
        quality: { type: 'string', enum: ['auto', 'low', 'medium', 'high'], default: 'high', 'x-order': 3 },
        output_format: { type: 'string', enum: ['png', 'jpeg', 'webp'], default: 'png', 'x-order': 4 },
        mask_url: {
          type: 'string',
          format: 'uri',
          description: 'Optional mask image URL. White pixels mark regions to edit.',
          'x-order': 5,
        },
      },
    },
  },
  {
    name: 'nano-banana-2-edit',
    display_name: 'Nano Banana 2 Edit',
    description: 'Edits images with Nano Banana 2 (deprecated: use nano-banana-2, which takes input_image)',
    developer_name: 'Google',
    provider_name: 'fal',
    action: 'edit',
    created: 1768003200,
    capabilities: edits,
    pricing: { method: 'per_image', cost_per_image: 0.04 },
    deprecated: 'Oxen no longer documents it (its page was removed in July 2026); use oxen:nano-banana-2',
    schema: {
      type: 'object',
      required: ['prompt', 'input_image'],
      properties: {
        prompt,
        input_image: inputImages,
        aspect_ratio: {
          type: 'string',
          enum: ['auto', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9'],
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
];
