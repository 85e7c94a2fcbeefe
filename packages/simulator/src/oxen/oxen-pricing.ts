import type { OxenModel } from './oxen-models.ts';

function gridTier(options: { model: OxenModel; parameters: Record<string, unknown> }): [string, string] {
  const { model, parameters } = options;
  const resolution = typeof parameters.resolution === 'string' ? parameters.resolution : '2K';
  if (model.name === 'gpt-image-2') {
    const quality = typeof parameters.quality === 'string' ? parameters.quality : 'high';
    return [quality, resolution];
  }
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
