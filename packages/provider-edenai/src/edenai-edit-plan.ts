import {
  type EditOptionName,
  type EditWarning,
  InvalidRequestError,
  type NormalizedEditRequest,
} from '@retouch/core';
import type { NormalizedImage } from '@retouch/core/provider-utils';
import type { EdenAIImageRef } from './edenai-api.ts';
import {
  type EdenAITransport,
  type EdenAIUploadMode,
  type ParsedEdenAIEditOptions,
  parseEdenAIEditOptions,
  resolveEdenAIDelivery,
} from './edenai-edit-options.ts';
import { type EdenAIModelFamily, edenaiModelFamily } from './edenai-models.ts';
import { mapSizeAndAspectRatio } from './edenai-size.ts';

/**
 * How one request goes to Eden, worked out once by `prepare` with no network and handed back to
 * `edit` and `estimateCost` as the call's plan: the neutral options mapped under the model family's
 * rules, the inputs that are sent, and the transport and upload mode the request asked for.
 *
 * With transport `auto`, the choice between a JSON and a multipart body is made when the edit is
 * sent, not here: it depends on what the process-wide upload cache holds at that moment (a picture
 * another edit has just sent is uploaded and referenced instead of sent again), which a plan made
 * earlier cannot know.
 */
export interface EdenAIEditPlan extends Omit<MappedEditOptions, 'warnings'> {
  /** The inputs that are sent, in body order: the images kept, then the mask if it is sent. */
  inputs: readonly EdenAIPlannedInput[];
  /** The request's `providerOptions.edenai.transport`, else the provider's. */
  transport: EdenAITransport;
  /** The request's `providerOptions.edenai.upload`, else the provider's. */
  upload: EdenAIUploadMode;
}

/** One input image of a plan: where it sits in the request, and the image as the request gave it. */
export interface EdenAIPlannedInput {
  /** The request field, e.g. `images.0` or `mask`. */
  readonly path: string;
  readonly role: 'image' | 'mask';
  /** Position among the images (0 for the mask). */
  readonly index: number;
  readonly image: NormalizedImage;
}

/**
 * Plans one edit: parses `providerOptions.edenai` once, resolves the transport and upload mode over
 * the provider's defaults, maps the neutral options, and lists the inputs. Pure: no network. Throws
 * `InvalidRequestError` for a bad `providerOptions.edenai`, `upload: 'always'` with transport
 * `multipart`, or an Eden file id with transport `multipart`.
 *
 * @example
 * const { plan, warnings } = planEdenAIEdit({ request, defaults: { transport: 'auto', upload: 'auto' } });
 */
export function planEdenAIEdit(options: {
  request: NormalizedEditRequest;
  defaults: { transport: EdenAITransport; upload: EdenAIUploadMode };
}): { plan: EdenAIEditPlan; warnings: EditWarning[] } {
  const { request } = options;
  const providerOptions = parseEdenAIEditOptions(request.providerOptions);
  const { transport, upload } = resolveEdenAIDelivery({
    requested: providerOptions,
    defaults: options.defaults,
  });
  const { warnings, ...mapped } = mapEditOptions({ request, providerOptions });
  const delivered = objectFieldsOnTransport({ fields: mapped.fields, transport, warnings });
  const inputs: EdenAIPlannedInput[] = request.images
    .slice(0, mapped.imageCount)
    .map((image, index) => ({ path: `images.${index}`, role: 'image', index, image }));
  if (mapped.includeMask && request.mask)
    inputs.push({ path: 'mask', role: 'mask', index: 0, image: request.mask });

  if (transport === 'multipart') {
    const fileInput = inputs.find((input) => input.image.kind === 'file-id');
    if (fileInput) {
      throw new InvalidRequestError({
        issues: [
          {
            path: fileInput.path,
            message:
              'an Eden file id cannot travel in a multipart body, which carries file parts only; use transport "json" or "auto"',
          },
        ],
      });
    }
  }
  return {
    plan: { ...mapped, fields: delivered.fields, inputs, transport: delivered.transport, upload },
    warnings,
  };
}

/**
 * Eden documents its object fields (`metadata`, `extra_headers`) for the JSON body only, and a form
 * field is text: a request with an object field goes as JSON under transport `auto`, and under
 * `multipart` the field is not sent, with a warning naming it (strict mode refuses the edit).
 */
function objectFieldsOnTransport(options: {
  fields: Record<string, unknown>;
  transport: EdenAITransport;
  warnings: EditWarning[];
}): { fields: Record<string, unknown>; transport: EdenAITransport } {
  const { fields, transport } = options;
  const objects = Object.keys(fields).filter(
    (key) => typeof fields[key] === 'object' && fields[key] !== null,
  );
  if (objects.length === 0 || transport === 'json') return { fields, transport };
  if (transport === 'auto') return { fields, transport: 'json' };
  const kept = { ...fields };
  for (const key of objects) {
    delete kept[key];
    options.warnings.push({
      type: 'unsupported-option',
      option: `providerOptions.edenai.${key}`,
      message: `${key} is an object, which Eden takes in a JSON body only, and transport is "multipart" (text fields and files); it was not sent: use transport "json" or "auto" to send it`,
    });
  }
  return { fields: kept, transport };
}

/**
 * The body of a JSON edit (`application/json`), given a reference for each of the plan's inputs in
 * order: the images' `ImageRef`s, the mask's, `n`, and every mapped field.
 */
export function editJsonBody(options: {
  request: NormalizedEditRequest;
  plan: EdenAIEditPlan;
  references: readonly EdenAIImageRef[];
}): Record<string, unknown> {
  const { request, plan, references } = options;
  const images = references.filter((_, position) => plan.inputs[position]!.role === 'image');
  const mask = references.find((_, position) => plan.inputs[position]!.role === 'mask');
  return {
    model: request.modelId,
    prompt: request.prompt,
    images,
    ...(mask ? { mask } : {}),
    ...(plan.n !== undefined ? { n: plan.n } : {}),
    ...plan.fields,
  };
}

/**
 * The text fields of a multipart edit (`multipart/form-data`), as name and value pairs: the model,
 * the prompt, `n` and every mapped field but objects, which Eden takes in a JSON body only (the plan
 * has already switched to JSON for them, or warned). The inputs go as file parts beside them.
 */
export function editFormFields(options: {
  request: NormalizedEditRequest;
  plan: EdenAIEditPlan;
}): [name: string, value: string][] {
  const { request, plan } = options;
  const fields: [string, string][] = [
    ['model', request.modelId],
    ['prompt', request.prompt],
  ];
  if (plan.n !== undefined) fields.push(['n', String(plan.n)]);
  for (const [key, value] of Object.entries(plan.fields)) {
    if (value === null || value === undefined || typeof value === 'object') continue;
    fields.push([key, String(value)]);
  }
  return fields;
}

/** How the request's neutral options map to Eden body fields for one model. */
export interface MappedEditOptions {
  /** The model family whose rules applied. */
  family: EdenAIModelFamily;
  /** How many of the request's images are sent (the rest were dropped with a warning). */
  imageCount: number;
  /** Whether the mask is sent. */
  includeMask: boolean;
  /** `n`, when the request set it. */
  n?: number;
  /** Every other body field: `size`, `quality`, `output_format`, ..., and `providerOptions.edenai`. */
  fields: Record<string, unknown>;
  /** Options that were dropped or adjusted. */
  warnings: EditWarning[];
}

/**
 * Maps a request's neutral options to Eden body fields under the rules of the model's family.
 * Pure: no network. An option that would be dropped or adjusted becomes a warning naming it (strict
 * mode is the dispatcher's); a bad `providerOptions.edenai` throws `InvalidRequestError`.
 * `providerOptions` is the request's `providerOptions.edenai` already parsed, when the caller has it.
 */
export function mapEditOptions(options: {
  request: NormalizedEditRequest;
  providerOptions?: ParsedEdenAIEditOptions;
}): MappedEditOptions {
  const { request } = options;
  const model = request.modelId;
  const family = edenaiModelFamily(model);
  const capabilities = family.capabilities;
  const warnings: EditWarning[] = [];
  const fields: Record<string, unknown> = {};
  const unsupported = (option: EditOptionName, message: string) =>
    warnings.push({ type: 'unsupported-option', option, message });
  const adjusted = (option: EditOptionName, from: unknown, to: unknown, message: string) =>
    warnings.push({ type: 'adjusted-option', option, from, to, message });

  let imageCount = request.images.length;
  if (capabilities && imageCount > capabilities.maxInputImages) {
    const dropped = imageCount - capabilities.maxInputImages;
    unsupported(
      'images',
      `${model} takes ${capabilities.maxInputImages} input image${capabilities.maxInputImages === 1 ? '' : 's'}; the last ${dropped} ${dropped === 1 ? 'was' : 'were'} not sent`,
    );
    imageCount = capabilities.maxInputImages;
  }

  let includeMask = request.mask !== undefined;
  if (includeMask && capabilities && !capabilities.mask) {
    unsupported(
      'mask',
      `${model} takes no mask; it was not sent (describe the region to change in the prompt)`,
    );
    includeMask = false;
  }

  let n: number | undefined;
  if (request.nExplicit) {
    n = request.n;
    if (capabilities && n > capabilities.maxOutputs) {
      adjusted(
        'n',
        n,
        capabilities.maxOutputs,
        `${model} makes at most ${capabilities.maxOutputs} images a call; n was lowered`,
      );
      n = capabilities.maxOutputs;
    }
  }

  mapSizeAndAspectRatio({ request, family, fields, unsupported, adjusted });

  if (request.quality !== undefined) {
    if (!capabilities || capabilities.qualities?.includes(request.quality)) fields.quality = request.quality;
    else unsupported('quality', `${model} has no quality option; quality was not sent`);
  }

  if (request.outputFormat !== undefined) {
    const format = request.outputFormat;
    if (!capabilities) fields.output_format = format;
    else if (!capabilities.outputFormats?.includes(format)) {
      unsupported(
        'outputFormat',
        capabilities.outputFormats
          ? `${model} outputs ${capabilities.outputFormats.join(' or ')}, not ${format}; outputFormat was not sent`
          : `${model} has no output format option; outputFormat was not sent`,
      );
    } else if (family.outputFormatField) fields.output_format = format;
  }

  if (request.seed !== undefined) {
    if (!capabilities || capabilities.seed) fields.seed = request.seed;
    else unsupported('seed', `${model} takes no seed; seed was not sent`);
  }

  if (request.negativePrompt !== undefined) {
    if (!capabilities || capabilities.negativePrompt) fields.negative_prompt = request.negativePrompt;
    else unsupported('negativePrompt', `${model} takes no negative prompt; negativePrompt was not sent`);
  }

  // Provider options come last: they are the caller's explicit word on a field.
  const providerOptions = options.providerOptions ?? parseEdenAIEditOptions(request.providerOptions);
  for (const [key, value] of Object.entries(providerOptions.fields)) {
    if (value !== undefined) fields[key] = value;
  }

  return { family, imageCount, includeMask, ...(n !== undefined ? { n } : {}), fields, warnings };
}
