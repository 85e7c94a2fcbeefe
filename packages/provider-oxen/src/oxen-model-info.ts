import {
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  type ModelCapabilities,
  type ModelInfo,
  type ModelPricing,
} from '@retouch/core';
import type { OxenPricing } from './oxen-api.ts';
import { type OxenModelSpec, typesOf } from './oxen-models.ts';
import { isTierEnum, tierSide } from './oxen-resolution-tiers.ts';

/*
 * A model's facts in Retouch's neutral terms, for `capabilities()` and `listModels()`.
 */

/** Neutral spelling of an output format (`jpg` → `jpeg`). */
function neutralFormat(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
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
