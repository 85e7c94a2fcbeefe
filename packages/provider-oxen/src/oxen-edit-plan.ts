import type { Cost, EditWarning, EditWarningOption, NormalizedEditRequest } from '@retouch/core';
import { imageToDataUrl, isLocalImage, type NormalizedImage } from '@retouch/core/provider-utils';
import type { OxenParameter, ParsedOxenOptions } from './oxen-api.ts';
import { type OxenMode, oxenModeOf } from './oxen-edit-options.ts';
import { estimateImageCost } from './oxen-image-cost.ts';
import { oxenMaskWarnings } from './oxen-mask.ts';
import type { OxenModelSpec } from './oxen-models.ts';
import { coerce, describeEnum, valueProblem } from './oxen-parameter-values.ts';
import { isTierEnum, tierForSize } from './oxen-resolution-tiers.ts';

/*
 * The pure mapping of a neutral request onto Oxen's wire format, driven by the model's parameter
 * schema. Nothing here sends anything: `prepare` reads the schema and calls `planOxenEdit` once per
 * request, and the plan it returns is what `edit`, `submit` and `estimateCost` are handed back.
 */

/**
 * What `prepare` works out for one request: how it goes on the wire (before the images are encoded)
 * and how the adapter runs it. The dispatcher hands it back to `edit`, `submit` and `estimateCost`.
 * Its fields are the adapter's business and may change in any release.
 */
export interface OxenEditPlan {
  /** How the request runs: its `providerOptions.oxen.mode`, else the provider's mode. */
  readonly mode: OxenMode;
  /** Oxen's model name, e.g. `qwen-image-edit`. */
  readonly modelId: string;
  /** The prompt, as given. */
  readonly prompt: string;
  /** The images to send, after dropping those the model cannot take. */
  readonly images: readonly NormalizedImage[];
  /** Whether `input_image` is an array. */
  readonly inputImageArray: boolean;
  /** The mask, when the model takes one. */
  readonly mask?: NormalizedImage | undefined;
  /** The mask's parameter name (`mask_url`). */
  readonly maskParameter?: string | undefined;
  /** Model parameters besides prompt, images and mask, in the model's spelling. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** What the model drops or adjusts, and other advice; `prepare` returns them. */
  readonly warnings: readonly EditWarning[];
  /** The namespace billed (`target_namespace`): the request's, else the provider's. */
  readonly targetNamespace?: string | undefined;
  /** Whether results come as URLs or inline bytes. */
  readonly responseFormat: 'url' | 'b64_json';
  /** Whether the billed cost of a queued job is read back. */
  readonly reportCost: boolean;
  /** The output format the model will produce (the one asked for, else the model's default). */
  readonly outputFormat?: string | undefined;
  /** The expected price of one output image. */
  readonly costPerImage?: Cost | undefined;
}

/**
 * Maps a neutral request onto one Oxen model, driven by the model's parameter schema: each option
 * goes to the model's own parameter name and spelling, and an option the model lacks or a value
 * outside its enum becomes a warning naming the neutral option (and is not sent); in strict mode the
 * dispatcher refuses the edit for it. Nothing is read or sent here. The request must have passed
 * `checkOxenRequest`, which refuses what no schema could fix (fields the adapter owns, options set
 * twice, file ids).
 */
export function planOxenEdit(options: {
  request: NormalizedEditRequest;
  /** The request's `providerOptions.oxen`, as `checkOxenRequest` parsed them. */
  providerOptions: ParsedOxenOptions;
  spec: OxenModelSpec;
  /** The provider's mode, for a request that names none. */
  mode: OxenMode;
  targetNamespace?: string | undefined;
  reportCost?: boolean | undefined;
}): OxenEditPlan {
  const { request, spec, providerOptions } = options;
  const checked = spec.source !== 'unknown';
  const parameters = spec.parameters;
  const warnings: EditWarning[] = [];
  const optionWarnings: EditWarning[] = [];
  const body: Record<string, unknown> = {};

  if (spec.deprecated) {
    warnings.push({ type: 'other', message: `oxen:${spec.modelId} is deprecated: ${spec.deprecated}` });
  }
  if (spec.source === 'unknown') {
    warnings.push({
      type: 'other',
      message: `Oxen's parameter schema for "${spec.modelId}" could not be read and the model is not in the built-in table; options were sent under their usual names without checking`,
    });
  } else if (spec.source === 'built-in') {
    warnings.push({
      type: 'other',
      message: `Oxen's parameter schema for "${spec.modelId}" could not be read; options were checked against the built-in table`,
    });
  }

  const unsupported = (option: EditWarningOption, message: string): void => {
    optionWarnings.push({ type: 'unsupported-option', option, message });
  };
  const adjusted = (option: EditWarningOption, from: unknown, to: unknown, message: string): void => {
    optionWarnings.push({ type: 'adjusted-option', option, from, to, message });
  };
  const outsideEnum = (
    option: EditWarningOption,
    name: string,
    value: unknown,
    parameter: OxenParameter,
  ): void => {
    const fallback = parameter.default;
    adjusted(
      option,
      value,
      fallback,
      `${JSON.stringify(value)} is not a value of ${spec.modelId}'s ${name} (${describeEnum(parameter)}); it was not sent${
        fallback === undefined ? '' : `, so the model's default ${JSON.stringify(fallback)} applies`
      }`,
    );
  };

  // Images: one URL or an array, as the model's schema says.
  let images = [...request.images];
  const inputImageArray =
    spec.inputImage === 'array' || (spec.inputImage === undefined && request.images.length > 1);
  if (spec.inputImage === 'string' && images.length > 1) {
    unsupported(
      'images',
      `${spec.modelId} takes one input image; only the first was sent and ${images.length - 1} more were dropped (use a model whose input_image is an array, such as gpt-image-2, to combine images)`,
    );
    images = images.slice(0, 1);
  } else if (spec.inputImage === 'array' && spec.maxInputImages && images.length > spec.maxInputImages) {
    unsupported(
      'images',
      `${spec.modelId} takes at most ${spec.maxInputImages} input images; ${images.length - spec.maxInputImages} were dropped`,
    );
    images = images.slice(0, spec.maxInputImages);
  }

  // Neutral options → the model's own parameters.
  const set = (name: string, value: unknown): void => {
    body[name] = value;
  };
  const simple = (option: EditWarningOption, name: string, value: unknown, label: string): void => {
    if (value === undefined) return;
    const parameter = parameters[name];
    if (!checked) set(name, value);
    else if (!parameter)
      unsupported(option, `${spec.modelId} has no ${label} option; ${option} was not sent`);
    else if (valueProblem(parameter, value) === undefined) set(name, coerce(parameter, value));
    else outsideEnum(option, name, value, parameter);
  };

  simple('aspectRatio', 'aspect_ratio', request.aspectRatio, 'aspect ratio (aspect_ratio)');

  if (request.size !== undefined) {
    const name = parameters.resolution || !checked ? 'resolution' : parameters.size ? 'size' : undefined;
    const parameter = name ? parameters[name] : undefined;
    if (!checked) set('resolution', request.size);
    else if (!name || !parameter) {
      unsupported('size', `${spec.modelId} has no output size option (resolution); size was not sent`);
    } else if (!parameter.enum || parameter.enum.includes(request.size)) {
      set(name, request.size);
    } else if (isTierEnum(parameter.enum) && request.size !== 'auto') {
      const tier = tierForSize({ size: request.size, tiers: parameter.enum })!;
      adjusted(
        'size',
        request.size,
        tier,
        `${spec.modelId} sizes its output in tiers (${describeEnum(parameter)}); size ${request.size} was sent as ${name} "${tier}", and the shape follows aspectRatio`,
      );
      set(name, tier);
    } else {
      outsideEnum('size', name, request.size, parameter);
    }
  }

  simple('quality', 'quality', request.quality, 'quality');

  if (request.outputFormat !== undefined) {
    const parameter = parameters.output_format;
    if (!checked) set('output_format', request.outputFormat);
    else if (!parameter) {
      unsupported(
        'outputFormat',
        `${spec.modelId} has no output format option (output_format); outputFormat was not sent`,
      );
    } else if (!parameter.enum) {
      set('output_format', request.outputFormat);
    } else {
      // The model's own spelling wins: "jpg" for some models, "jpeg" for others.
      const spelling = parameter.enum.find(
        (value) => typeof value === 'string' && sameFormat(value, request.outputFormat!),
      );
      if (spelling !== undefined) set('output_format', spelling);
      else outsideEnum('outputFormat', 'output_format', request.outputFormat, parameter);
    }
  }

  let mask: NormalizedImage | undefined;
  let maskParameter: string | undefined;
  if (request.mask) {
    maskParameter = parameters.mask_url || !checked ? 'mask_url' : parameters.mask ? 'mask' : undefined;
    if (maskParameter) mask = request.mask;
    else unsupported('mask', `${spec.modelId} takes no mask (mask_url); the mask was not sent`);
  }

  simple('seed', 'seed', request.seed, 'seed');
  simple('negativePrompt', 'negative_prompt', request.negativePrompt, 'negative prompt (negative_prompt)');

  // Model parameters given in the model's own spelling.
  for (const [key, value] of Object.entries(providerOptions.parameters)) {
    const path: EditWarningOption = `providerOptions.oxen.${key}`;
    if (value === undefined) continue;
    if (!checked) {
      set(key, value);
      continue;
    }
    const parameter = parameters[key];
    if (!parameter) {
      const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
      const hint = snake !== key && parameters[snake] ? ` (did you mean "${snake}"?)` : '';
      unsupported(
        path,
        `${spec.modelId} has no parameter "${key}"${hint}; it was not sent. Its parameters: ${Object.keys(parameters).join(', ') || 'none'}`,
      );
      continue;
    }
    const problem = valueProblem(parameter, value);
    if (problem === undefined) set(key, coerce(parameter, value));
    else {
      adjusted(
        path,
        value,
        parameter.default,
        `${JSON.stringify(value)} is not a valid ${spec.modelId} ${key}: ${problem}; it was not sent${
          parameter.default === undefined
            ? ''
            : `, so the model's default ${JSON.stringify(parameter.default)} applies`
        }`,
      );
    }
  }

  warnings.push(...oxenMaskWarnings({ mask, parameter: maskParameter }));
  const local = [...images, ...(mask ? [mask] : [])].filter(isLocalImage).length;
  if (local > 0) {
    warnings.push({
      type: 'other',
      message: `${local} local image${local === 1 ? ' was' : 's were'} sent inline as data: URIs; Oxen advises public URLs in production (inline images enlarge every request and its retries)`,
    });
  }

  const outputFormat =
    typeof body.output_format === 'string'
      ? body.output_format
      : typeof parameters.output_format?.default === 'string'
        ? parameters.output_format.default
        : undefined;
  const costPerImage = estimateImageCost({ spec, parameters: body });

  return {
    mode: oxenModeOf({ request, fallback: options.mode }),
    modelId: spec.modelId,
    prompt: request.prompt,
    images,
    inputImageArray,
    mask,
    maskParameter,
    parameters: body,
    warnings: [...optionWarnings, ...warnings],
    targetNamespace: providerOptions.targetNamespace ?? options.targetNamespace,
    responseFormat: providerOptions.responseFormat ?? 'url',
    reportCost: providerOptions.reportCost ?? options.reportCost ?? false,
    outputFormat,
    costPerImage,
  };
}

/**
 * The JSON body for `POST /api/ai/images/edit` or `POST /api/ai/queue`, in the documented field
 * order (an enqueue's `num_generations` is added per chunk, see `withGenerations`). Local images are
 * read here and become `data:` URIs.
 */
export async function encodeOxenBody(
  plan: OxenEditPlan,
  options: { mode: 'edit' | 'queue' },
): Promise<Record<string, unknown>> {
  // URLs go as they are; only local images need reading (the common case awaits nothing).
  const urls = plan.images.every((image) => image.kind === 'url')
    ? plan.images.map((image) => image.url)
    : await Promise.all(plan.images.map((image) => imageToDataUrl(image)));
  const body: Record<string, unknown> = {
    model: plan.modelId,
    prompt: plan.prompt,
    input_image: plan.inputImageArray ? urls : urls[0],
  };
  Object.assign(body, plan.parameters);
  if (plan.mask && plan.maskParameter) body[plan.maskParameter] = await imageToDataUrl(plan.mask);
  if (options.mode === 'edit' && plan.responseFormat === 'b64_json') body.response_format = 'b64_json';
  if (plan.targetNamespace) body.target_namespace = plan.targetNamespace;
  return body;
}

function sameFormat(a: string, b: string): boolean {
  const normal = (value: string): string => (value.toLowerCase() === 'jpg' ? 'jpeg' : value.toLowerCase());
  return normal(a) === normal(b);
}
