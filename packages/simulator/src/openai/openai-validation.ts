import { sniffImageType } from '../shared/image-transform.ts';
import type { MultipartBody, MultipartFile } from '../shared/multipart.ts';
import { decodePng } from '../shared/png.ts';
import type { RouteResult } from '../shared/route.ts';
import { invalidParameter } from './openai-errors.ts';
import {
  defaultOpenAIImageModel,
  findOpenAIImageModel,
  type OpenAIImageModel,
  openAIImageModels,
} from './openai-models.ts';

/** The text fields of `POST /v1/images/edits`, from the reference's `ImageEditParams`. */
const textFields = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'response_format',
  'background',
  'output_format',
  'output_compression',
  'input_fidelity',
  'moderation',
  'partial_images',
  'stream',
  'user',
]);

/** An edit that passed validation, with the defaults applied. */
export interface OpenAIEditFields {
  model: OpenAIImageModel;
  prompt: string;
  n: number;
  /** The size asked for, `auto` resolved by the caller. */
  size: string;
  quality: string;
  responseFormat: 'url' | 'b64_json';
  background: string | undefined;
  outputFormat: string;
  images: MultipartFile[];
  mask: MultipartFile | undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}

function oneOf(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}

function sizeProblem(model: OpenAIImageModel, size: string): string | undefined {
  if (model.sizes.includes(size)) return undefined;
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(size);
  if (model.arbitrarySizes && match) {
    const width = Number(match[1]);
    const height = Number(match[2]);
    if (width % 16 !== 0 || height % 16 !== 0) return 'width and height must both be divisible by 16';
    if (Math.max(width, height) / Math.min(width, height) > 3)
      return 'the aspect ratio must be between 1:3 and 3:1';
    if (Math.max(width, height) > 3840 || width * height > 3840 * 2160)
      return 'the largest supported resolution is 3840x2160';
    return undefined;
  }
  return `Supported values are: ${oneOf(model.sizes)}${model.arbitrarySizes ? ', or WIDTHxHEIGHT with sides divisible by 16' : ''}.`;
}

/**
 * Checks a multipart edit against the limits of the API reference, answering the first problem as OpenAI
 * does (a 400 naming the field in `param`).
 */
export function validateOpenAIEdit(
  body: MultipartBody,
): { ok: true; fields: OpenAIEditFields } | { ok: false; error: RouteResult } {
  const fail = (param: string, message: string, code?: string) => ({
    ok: false as const,
    error: invalidParameter({ param, message, ...(code === undefined ? {} : { code }) }),
  });
  for (const name of Object.keys(body.fields)) {
    if (!textFields.has(name)) return fail(name, `Unknown parameter: '${name}'.`, 'unknown_parameter');
  }
  for (const file of body.files) {
    if (file.name !== 'image' && file.name !== 'image[]' && file.name !== 'mask') {
      return fail(file.name, `Unknown parameter: '${file.name}'.`, 'unknown_parameter');
    }
  }
  const modelId = single(body.fields.model) ?? defaultOpenAIImageModel;
  const model = findOpenAIImageModel(modelId);
  if (model === undefined) {
    return fail(
      'model',
      `Invalid value: '${modelId}'. Supported values are: ${oneOf(openAIImageModels.map((entry) => entry.id))}.`,
    );
  }
  const prompt = single(body.fields.prompt);
  if (prompt === undefined || prompt.trim() === '') {
    return fail('prompt', "Missing required parameter: 'prompt'.", 'missing_required_parameter');
  }
  if (prompt.length > model.maxPromptLength) {
    return fail(
      'prompt',
      `Invalid 'prompt': string too long. Expected a string with maximum length ${model.maxPromptLength}, but got a string with length ${prompt.length} instead.`,
      'string_above_max_length',
    );
  }
  const images = body.files.filter((file) => file.name === 'image' || file.name === 'image[]');
  if (images.length === 0) {
    return fail('image', "Missing required parameter: 'image'.", 'missing_required_parameter');
  }
  if (images.length > model.maxImages) {
    return fail(
      'image',
      model.maxImages === 1
        ? `${model.id} takes one image; ${images.length} were sent.`
        : `Too many images: ${model.id} takes up to ${model.maxImages}; ${images.length} were sent.`,
    );
  }
  for (const [index, image] of images.entries()) {
    const type = image.bytes === undefined ? undefined : sniffImageType(image.bytes);
    const allowed = model.family === 'dall-e' ? ['png'] : ['png', 'jpeg', 'webp'];
    if (image.size > model.maxImageBytes) {
      return fail(
        'image',
        `Image ${index + 1} is larger than ${model.maxImageBytes / (1024 * 1024)} MB.`,
        'image_too_large',
      );
    }
    if (image.bytes !== undefined && (type === undefined || !allowed.includes(type))) {
      return fail(
        'image',
        `Invalid image file: image ${index + 1} must be ${model.family === 'dall-e' ? 'a png' : 'a png, webp or jpg'} file.`,
        'invalid_image_format',
      );
    }
    if (model.family === 'dall-e' && image.bytes !== undefined) {
      const raster = decodePng(image.bytes);
      if (raster !== undefined && raster.width !== raster.height) {
        return fail(
          'image',
          `Invalid input image: ${model.id} takes a square image; got ${raster.width}x${raster.height}.`,
          'invalid_image',
        );
      }
    }
  }
  const mask = body.files.find((file) => file.name === 'mask');
  if (mask !== undefined) {
    if (mask.size > 4 * 1024 * 1024) return fail('mask', 'The mask is larger than 4 MB.', 'image_too_large');
    const raster = mask.bytes === undefined ? undefined : decodePng(mask.bytes);
    if (mask.bytes !== undefined && raster === undefined) {
      return fail(
        'mask',
        'Invalid mask: it must be a PNG file whose fully transparent areas mark where to edit.',
        'invalid_image_format',
      );
    }
    const canvas = images[0]!.bytes === undefined ? undefined : decodePng(images[0]!.bytes);
    if (
      raster !== undefined &&
      canvas !== undefined &&
      (raster.width !== canvas.width || raster.height !== canvas.height)
    ) {
      return fail(
        'mask',
        `Invalid mask: it must have the same dimensions as the image (${canvas.width}x${canvas.height}); got ${raster.width}x${raster.height}.`,
        'invalid_image',
      );
    }
  }
  const nText = single(body.fields.n);
  const n = nText === undefined ? 1 : Number(nText);
  if (!Number.isInteger(n) || n < 1 || n > 10) {
    return fail(
      'n',
      `Invalid 'n': expected an integer between 1 and 10, got '${nText}'.`,
      'integer_out_of_range',
    );
  }
  const size = single(body.fields.size) ?? model.defaultSize;
  const badSize = sizeProblem(model, size);
  if (badSize !== undefined) return fail('size', `Invalid value: '${size}'. ${badSize}`);
  const quality = single(body.fields.quality) ?? 'auto';
  if (!model.qualities.includes(quality)) {
    return fail(
      'quality',
      `Invalid value: '${quality}'. Supported values for ${model.id} are: ${oneOf(model.qualities)}.`,
    );
  }
  const responseFormat = single(body.fields.response_format);
  if (responseFormat !== undefined) {
    if (model.family === 'gpt-image') {
      return fail(
        'response_format',
        `Unknown parameter: 'response_format'. ${model.id} always answers b64_json.`,
        'unknown_parameter',
      );
    }
    if (responseFormat !== 'url' && responseFormat !== 'b64_json') {
      return fail(
        'response_format',
        `Invalid value: '${responseFormat}'. Supported values are: 'url', 'b64_json'.`,
      );
    }
  }
  const gptOnly = ['background', 'output_format', 'output_compression', 'moderation'] as const;
  for (const name of gptOnly) {
    if (model.family === 'dall-e' && body.fields[name] !== undefined) {
      return fail(
        name,
        `Unknown parameter: '${name}'. It is only supported for the GPT image models.`,
        'unknown_parameter',
      );
    }
  }
  const enumerations: Record<string, readonly string[]> = {
    background: ['transparent', 'opaque', 'auto'],
    output_format: ['png', 'jpeg', 'webp'],
    input_fidelity: ['high', 'low'],
    moderation: ['auto', 'low'],
  };
  for (const [name, allowed] of Object.entries(enumerations)) {
    const value = single(body.fields[name]);
    if (value !== undefined && !allowed.includes(value)) {
      return fail(name, `Invalid value: '${value}'. Supported values are: ${oneOf(allowed)}.`);
    }
  }
  if (body.fields.input_fidelity !== undefined && !model.inputFidelity) {
    return fail(
      'input_fidelity',
      `Unknown parameter: 'input_fidelity'. ${model.id} does not support it.`,
      'unknown_parameter',
    );
  }
  const compression = single(body.fields.output_compression);
  if (compression !== undefined) {
    const value = Number(compression);
    if (!Number.isInteger(value) || value < 0 || value > 100) {
      return fail(
        'output_compression',
        `Invalid 'output_compression': expected an integer between 0 and 100, got '${compression}'.`,
        'integer_out_of_range',
      );
    }
  }
  if (single(body.fields.stream) === 'true') {
    return fail(
      'stream',
      'The simulator does not stream edits; omit stream or send false.',
      'unsupported_value',
    );
  }
  const background = single(body.fields.background);
  return {
    ok: true,
    fields: {
      model,
      prompt,
      n,
      size,
      quality,
      responseFormat:
        model.family === 'dall-e'
          ? ((responseFormat as 'url' | 'b64_json' | undefined) ?? 'url')
          : 'b64_json',
      background,
      outputFormat: single(body.fields.output_format) ?? 'png',
      images,
      mask,
    },
  };
}
