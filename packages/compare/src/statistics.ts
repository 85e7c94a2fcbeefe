/** Median and spread of a set of measurements. */
export interface Spread {
  /** The middle value (mean of the two middle values for an even count). */
  median: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
  /** First quartile (quartiles interpolate linearly). */
  p25: number;
  /** Third quartile. */
  p75: number;
  /** How many values there were. */
  count: number;
}

/** The value at quantile `q` (0–1) of sorted values, interpolating linearly between ranks. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  return low + (sorted[upper]! - low) * (position - lower);
}

/**
 * Median, quartiles and range of the values, or `undefined` for none.
 *
 * @example
 * spreadOf([1200, 900, 1500]); // { median: 1200, min: 900, max: 1500, p25: 1050, p75: 1350, count: 3 }
 */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    count: sorted.length,
  };
}
