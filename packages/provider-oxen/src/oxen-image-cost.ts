import { type Cost, roundUsd } from '@retouch/core';
import type { OxenModelSpec } from './oxen-models.ts';

/** The expected price of one output image from the model's `pricing`, or `undefined` when unknown. */
export function estimateImageCost(options: {
  spec: OxenModelSpec;
  parameters: Readonly<Record<string, unknown>>;
}): Cost | undefined {
  const { spec, parameters } = options;
  const pricing = spec.pricing;
  if (!pricing) return undefined;
  const grid = pricing.cost_per_image_grid;
  if (grid && Object.keys(grid).length > 0) {
    const quality = String(parameters.quality ?? spec.parameters.quality?.default ?? '');
    const resolution = String(
      parameters.resolution ??
        parameters.size ??
        spec.parameters.resolution?.default ??
        spec.parameters.size?.default ??
        '',
    );
    // A quality the grid does not list (e.g. "auto") is priced at its dearest row, which keeps a budget safe.
    const rows = grid[quality] ? [grid[quality]] : Object.values(grid);
    const prices = rows
      .map((row) => {
        const column = gridColumn(Object.keys(row), resolution);
        return column === undefined ? Math.max(...Object.values(row)) : row[column];
      })
      .filter((price): price is number => typeof price === 'number' && Number.isFinite(price));
    if (prices.length > 0) return { usd: roundUsd(Math.max(...prices)), source: 'estimated' };
  }
  if (typeof pricing.cost_per_image === 'number') {
    return { usd: roundUsd(pricing.cost_per_image), source: 'estimated' };
  }
  return undefined;
}

/** Largest side, in pixels, that a grid column's label covers. */
const COLUMN_SIDES: Record<string, number> = { SD: 1024, HD: 1920, FHD: 1920, QHD: 2560 };

function columnSide(label: string): number | undefined {
  const tier = /^(\d+)K$/i.exec(label);
  if (tier) return Number(tier[1]) * 1024;
  const size = /^(\d+)x(\d+)$/.exec(label);
  if (size) return Math.max(Number(size[1]), Number(size[2]));
  return COLUMN_SIDES[label.toUpperCase()];
}

/**
 * The price column of a resolution. Oxen's grids are keyed by billing tier (`HD`, `4K`, `1K`, ...)
 * rather than by the resolution values, so a `WxH` falls in the smallest tier that covers its longest
 * side, and `auto` (or no resolution) in the standard, smallest tier.
 */
function gridColumn(labels: readonly string[], resolution: string): string | undefined {
  if (labels.includes(resolution)) return resolution;
  const sized = labels
    .map((label) => ({ label, side: columnSide(label) }))
    .filter((entry): entry is { label: string; side: number } => entry.side !== undefined)
    .sort((a, b) => a.side - b.side);
  if (sized.length === 0) return labels.length === 1 ? labels[0] : undefined;
  const size = /^(\d+)x(\d+)$/.exec(resolution);
  if (!size) return sized[0]!.label;
  const longest = Math.max(Number(size[1]), Number(size[2]));
  return (sized.find((entry) => entry.side >= longest) ?? sized.at(-1)!).label;
}
