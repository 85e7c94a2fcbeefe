import { type Cost, roundUsd } from '@retouch/core';

/**
 * What the wrapped model costs, from the caller's own price list: the AI SDK reports no cost, so the
 * bridge estimates it (`source: 'estimated'`) for `retouch.estimate()`, the budget and the result.
 *
 * @example
 * // gpt-image-1 at medium quality: a square image costs less than a tall one.
 * const prices: ImageModelPrices = { perImageUsd: 0.042, perImageBySizeUsd: { '1024x1536': 0.063, '1536x1024': 0.063 } };
 */
export interface ImageModelPrices {
  /** USD per output image, for every size not in `perImageBySizeUsd` (and for requests without a size). */
  perImageUsd?: number;
  /** USD per output image by requested `size` (`"WxH"` or `"auto"`); wins over `perImageUsd`. */
  perImageBySizeUsd?: Readonly<Record<string, number>>;
}

/** Checks a price list, naming the field and the fix; returns the problems found. */
export function priceProblems(prices: unknown): string[] {
  if (prices === undefined) return [];
  if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) {
    return ['prices must be an object such as { perImageUsd: 0.04 }'];
  }
  const problems: string[] = [];
  const isPrice = (value: unknown): boolean =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0;
  for (const key of Object.keys(prices)) {
    if (key !== 'perImageUsd' && key !== 'perImageBySizeUsd') {
      problems.push(`prices.${key} is not an option; use perImageUsd or perImageBySizeUsd`);
    }
  }
  const { perImageUsd, perImageBySizeUsd } = prices as Record<string, unknown>;
  if (perImageUsd !== undefined && !isPrice(perImageUsd)) {
    problems.push('prices.perImageUsd must be a number of US dollars, 0 or more, e.g. 0.04');
  }
  if (perImageBySizeUsd !== undefined) {
    if (
      typeof perImageBySizeUsd !== 'object' ||
      perImageBySizeUsd === null ||
      Array.isArray(perImageBySizeUsd)
    ) {
      problems.push("prices.perImageBySizeUsd must map sizes to US dollars, e.g. { '1024x1024': 0.04 }");
    } else {
      for (const [size, value] of Object.entries(perImageBySizeUsd)) {
        if (!/^(auto|[1-9]\d{1,4}x[1-9]\d{1,4})$/.test(size)) {
          problems.push(
            `prices.perImageBySizeUsd has the key "${size}"; sizes are "WxH" such as "1024x1024", or "auto"`,
          );
        } else if (!isPrice(value)) {
          problems.push(`prices.perImageBySizeUsd["${size}"] must be a number of US dollars, 0 or more`);
        }
      }
    }
  }
  return problems;
}

/** The price of one output image at `size`, or `undefined` when the list has none for it. */
export function pricePerImage(options: {
  prices: ImageModelPrices | undefined;
  size: string | undefined;
}): number | undefined {
  const { prices, size } = options;
  if (prices === undefined) return undefined;
  return (size === undefined ? undefined : prices.perImageBySizeUsd?.[size]) ?? prices.perImageUsd;
}

/** `count` images at `perImageUsd`, as an estimated cost. */
export function estimatedCost(options: { perImageUsd: number | undefined; count: number }): Cost | undefined {
  if (options.perImageUsd === undefined) return undefined;
  return { usd: roundUsd(options.perImageUsd * options.count), source: 'estimated' };
}
