/*
 * Oxen's resolution tiers: some models size their output as `1K`, `2K`, `4K` (and `512`) rather than
 * in pixels, so a neutral `WxH` size is matched to the smallest tier that covers it.
 */

const K_TIER = /^(\d+)K$/i;
/** A tier given in pixels, e.g. nano-banana-2's `512` beside `1K`, `2K`, `4K`. */
const PIXEL_TIER = /^(\d+)$/;

/** The side in pixels a resolution tier stands for: `2K` → 2048, `512` → 512. */
export function tierSide(tier: string): number | undefined {
  const k = K_TIER.exec(tier);
  if (k) return Number(k[1]) * 1024;
  const pixels = PIXEL_TIER.exec(tier);
  return pixels ? Number(pixels[1]) : undefined;
}

/** Whether a resolution enum is in tiers (`1K`, `2K`, `4K`, possibly `512`) rather than pixel sizes. */
export function isTierEnum(values: readonly unknown[]): boolean {
  return (
    values.some((value) => typeof value === 'string' && K_TIER.test(value)) &&
    values.every((value) => typeof value === 'string' && tierSide(value) !== undefined)
  );
}

/** The smallest tier whose side (tier × 1024 px) covers the longest side of `WxH`. */
export function tierForSize(options: { size: string; tiers: readonly unknown[] }): string | undefined {
  const { size, tiers } = options;
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return undefined;
  const longest = Math.max(Number(match[1]), Number(match[2]));
  const sorted = tiers
    .filter((tier): tier is string => typeof tier === 'string' && tierSide(tier) !== undefined)
    .map((tier) => ({ tier, side: tierSide(tier)! }))
    .sort((a, b) => a.side - b.side);
  return (sorted.find((entry) => entry.side >= longest) ?? sorted.at(-1))?.tier;
}
