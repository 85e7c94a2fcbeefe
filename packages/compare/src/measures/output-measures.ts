/**
 * What an output changed against its input, measured at the input's size. Shares go from 0 to 1.
 * `MEASURE_MEANINGS` holds the one-line meaning of each, as the table and the report show it.
 */
export interface OutputMeasures {
  /** The share of pixels that changed beyond a perceptual threshold (anti-aliasing ignored). */
  changedShare: number;
  /** With a mask: the share of the mask's pixels that changed (how much of the asked area was edited). */
  maskCoverage?: number;
  /** With a mask: the share of the pixels outside it that changed (what the edit should have left alone). */
  maskLeak?: number;
  /**
   * Structural similarity (SSIM, 1 = identical) of the region that should be kept: outside the mask,
   * or the whole picture without one. Absent when nothing is to be kept or the picture is under 11 pixels.
   */
  keptSimilarity?: number;
  /** The output's size in pixels, as decoded. */
  outputWidth: number;
  /** The output's height in pixels, as decoded. */
  outputHeight: number;
  /** What the output's size was held against: `1024x1024`, `3:2`, or `input 3:2` when nothing was asked. */
  expectedSize: string;
  /** Whether the output has the size asked, or (for an aspect ratio) that ratio within 2 %. */
  sizeMatches: boolean;
}

/** The one-line meaning of each measure, as the table's key and the report's headers say it. */
export const MEASURE_MEANINGS = {
  /** Of `changedShare`. */
  changed: 'share of pixels the edit changed beyond a perceptual threshold',
  /** Of `maskCoverage`. */
  coverage: 'share of the mask the edit changed (higher: it edited what was asked)',
  /** Of `maskLeak`. */
  leak: 'share of the picture outside the mask the edit changed (lower: it kept the rest)',
  /** Of `keptSimilarity`. */
  similarity: 'structural similarity (SSIM) of the region to keep, 1 = untouched',
  /** Of `sizeMatches`. */
  size: 'output size against the size or aspect ratio asked (else the input’s)',
  /** Of the judge's score. */
  judge: 'prompt adherence scored from 1 to 10 by the judge model (median)',
} as const;
