import type { OutputMeasures } from './output-measures.ts';

/** A model's measures over its outputs: the median of each, and how many outputs had the size asked. */
export interface RowMeasures {
  /** Outputs measured. */
  outputs: number;
  /** Median share of pixels changed. */
  changedShare: number;
  /** Median share of the mask changed, with a mask. */
  maskCoverage?: number;
  /** Median share changed outside the mask, with a mask. */
  maskLeak?: number;
  /** Median SSIM of the region to keep. */
  keptSimilarity?: number;
  /** Outputs with the size (or aspect ratio) asked. */
  sizeMatches: number;
}

/**
 * Folds the measures of a model's outputs into its row: medians, so one odd output does not move the
 * number. `undefined` when no output was measured.
 *
 * @example
 * summarizeMeasures([{ changedShare: 0.2, outputWidth: 64, outputHeight: 64, expectedSize: '1:1', sizeMatches: true }]);
 */
export function summarizeMeasures(measures: readonly OutputMeasures[]): RowMeasures | undefined {
  if (measures.length === 0) return undefined;
  const median = (pick: (entry: OutputMeasures) => number | undefined): number | undefined => {
    const values = measures.flatMap((entry) => {
      const value = pick(entry);
      return value === undefined ? [] : [value];
    });
    if (values.length === 0) return undefined;
    values.sort((left, right) => left - right);
    const middle = Math.floor(values.length / 2);
    const value = values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
    return Math.round(value * 10_000) / 10_000;
  };
  const coverage = median((entry) => entry.maskCoverage);
  const leak = median((entry) => entry.maskLeak);
  const similarity = median((entry) => entry.keptSimilarity);
  return {
    outputs: measures.length,
    changedShare: median((entry) => entry.changedShare)!,
    ...(coverage === undefined ? {} : { maskCoverage: coverage }),
    ...(leak === undefined ? {} : { maskLeak: leak }),
    ...(similarity === undefined ? {} : { keptSimilarity: similarity }),
    sizeMatches: measures.filter((entry) => entry.sizeMatches).length,
  };
}
